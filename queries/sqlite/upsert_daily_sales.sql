-- Money is summed as integer millionths (exact), then rounded half-up to cents.
INSERT INTO reporting_daily_sales ("date", channel, orders, units, revenue, updated_at)
SELECT "date", channel, orders, units,
       printf('%d.%02d', (micros + 5000) / 10000 / 100, (micros + 5000) / 10000 % 100),
       strftime('%Y-%m-%d %H:%M:%f', 'now')
FROM (
    SELECT s."date", s.channel, COUNT(*) AS orders,
           SUM(s.quantity) AS units,
           SUM(CAST(REPLACE(s.line_revenue, '.', '') AS INTEGER)) AS micros
    FROM staging_sales s JOIN touched_dates t ON t."date" = s."date"
    GROUP BY s."date", s.channel
) AS fresh
WHERE true
ON CONFLICT ("date", channel) DO UPDATE SET
    orders = excluded.orders, units = excluded.units, revenue = excluded.revenue,
    updated_at = excluded.updated_at
