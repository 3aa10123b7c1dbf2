INSERT INTO daily_file_sales ("date", source_file, channel, product_id, orders, units, revenue_micros)
SELECT "date", source_file, channel, product_id, COUNT(*), SUM(quantity), SUM(line_revenue_micros)
FROM staging_sales
GROUP BY "date", source_file, channel, product_id
