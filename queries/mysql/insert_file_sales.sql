INSERT INTO daily_file_sales (`date`, source_file, channel, product_id, orders, units, revenue)
VALUES (?, ?, ?, ?, ?, ?, ?)
