INSERT INTO reporting_daily_sales (`date`, channel, orders, units, revenue, updated_at)
VALUES (?, ?, ?, ?, ?, NOW(6))
