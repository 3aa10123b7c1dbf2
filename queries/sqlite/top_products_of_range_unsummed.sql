-- A warehouse from before daily_file_rows and daily_product_sales (a
-- report read before its first load by this version): summed from
-- daily_file_sales.
-- The top products of a range of dates, ranked as a day's are: units, then
-- revenue, then product id.
SELECT product_id, SUM(units), SUM(revenue_micros)
FROM daily_file_sales
WHERE "date" BETWEEN ?1 AND ?2
GROUP BY product_id
ORDER BY SUM(units) DESC, SUM(revenue_micros) DESC, product_id
LIMIT ?3
