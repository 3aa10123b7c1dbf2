-- daily_product_sales of the dates ?1 to ?2, from daily_file_sales (whose
-- key starts with the date).
INSERT INTO daily_product_sales ("date", product_id, orders, units, revenue_micros)
SELECT "date", product_id, SUM(orders), SUM(units), SUM(revenue_micros)
FROM daily_file_sales
WHERE "date" BETWEEN ?1 AND ?2
GROUP BY "date", product_id
