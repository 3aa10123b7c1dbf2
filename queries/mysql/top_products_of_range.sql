-- The top products of a range of dates, ranked as a day's are: units, then
-- revenue, then product id.
SELECT product_id, CAST(SUM(units) AS SIGNED), CAST(SUM(revenue) AS CHAR)
FROM daily_product_sales
WHERE `date` BETWEEN ? AND ?
GROUP BY product_id
ORDER BY SUM(units) DESC, SUM(revenue) DESC, product_id
LIMIT ?
