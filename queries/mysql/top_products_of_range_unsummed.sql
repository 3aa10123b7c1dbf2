-- A warehouse from before daily_file_rows and daily_product_sales (a
-- report read before its first load by this version): summed from
-- daily_file_sales.
-- The top products of a range of dates, ranked as a day's are: units, then
-- revenue, then product id.
SELECT product_id, CAST(SUM(units) AS SIGNED), CAST(SUM(revenue) AS CHAR)
FROM daily_file_sales
WHERE `date` BETWEEN ? AND ?
GROUP BY product_id
ORDER BY SUM(units) DESC, SUM(revenue) DESC, product_id
LIMIT ?
