-- Money text always has six decimals here, so dropping the point gives
-- millionths.
INSERT INTO daily_file_sales ("date", source_file, channel, product_id, orders, units, revenue_micros)
SELECT "date", source_file, channel, product_id, COUNT(*), SUM(quantity),
       SUM(CAST(REPLACE(line_revenue, '.', '') AS INTEGER))
FROM staging_sales
GROUP BY "date", source_file, channel, product_id
