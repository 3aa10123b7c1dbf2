-- A warehouse from before daily_file_sales: its sales, once.
INSERT INTO daily_file_sales (`date`, source_file, channel, product_id, orders, units, revenue)
SELECT `date`, source_file, channel, product_id, COUNT(*), SUM(quantity), SUM(line_revenue)
FROM staging_sales
GROUP BY `date`, source_file, channel, product_id
