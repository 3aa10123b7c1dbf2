INSERT INTO reporting_daily_sales ("date", channel, orders, units, revenue, updated_at)
VALUES (?1, ?2, ?3, ?4, ?5, strftime('%Y-%m-%d %H:%M:%f', 'now'))
