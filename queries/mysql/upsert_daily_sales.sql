INSERT INTO reporting_daily_sales (`date`, channel, orders, units, revenue, updated_at)
SELECT fresh.`date`, fresh.channel, fresh.orders, fresh.units, fresh.revenue, fresh.updated_at
FROM (
    SELECT s.`date`, s.channel, COUNT(DISTINCT s.transaction_id) AS orders,
           SUM(s.quantity) AS units, ROUND(SUM(s.line_revenue), 2) AS revenue,
           NOW(6) AS updated_at
    FROM staging_sales s JOIN touched_dates t ON t.`date` = s.`date`
    GROUP BY s.`date`, s.channel
) AS fresh
ON DUPLICATE KEY UPDATE
    orders = fresh.orders, units = fresh.units, revenue = fresh.revenue, updated_at = fresh.updated_at
