-- Revenue by hour of day (UTC) and channel: when do people buy, and where?
-- Over a folder: sales-etl query queries/revenue_by_hour_and_channel.sql data/raw
SELECT
    EXTRACT(HOUR FROM timestamp) AS hour_utc,
    channel,
    COUNT(*) AS orders,
    SUM(quantity) AS units,
    SUM(line_revenue) AS revenue
FROM sales
GROUP BY hour_utc, channel
ORDER BY hour_utc, channel;
