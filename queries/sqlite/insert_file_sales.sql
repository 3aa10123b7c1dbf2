INSERT INTO daily_file_sales ("date", source_file, channel, product_id, orders, units, revenue_micros)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
