INSERT INTO reporting_daily_sales (`date`, channel, orders, units, revenue, updated_at)
SELECT fresh.`date`, fresh.channel, fresh.orders, fresh.units, fresh.revenue, fresh.updated_at
FROM (
    SELECT p.`date`, p.channel, SUM(p.orders) AS orders, SUM(p.units) AS units,
           ROUND(SUM(p.revenue), 2) AS revenue, NOW(6) AS updated_at
    FROM sales_partials p
    GROUP BY p.`date`, p.channel
) AS fresh
ON DUPLICATE KEY UPDATE
    orders = fresh.orders, units = fresh.units, revenue = fresh.revenue, updated_at = fresh.updated_at
