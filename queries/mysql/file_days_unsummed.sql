-- A warehouse from before daily_file_rows and daily_product_sales (a
-- report read before its first load by this version): summed from
-- daily_file_sales.
-- Rows each file gave each date between the two dates: a file's own date is
-- the one it gave most rows (the caller reads a week beyond the days it
-- judges, so that a file's dates are all in view).
SELECT CAST(`date` AS CHAR), source_file, CAST(SUM(orders) AS UNSIGNED)
FROM daily_file_sales
WHERE `date` BETWEEN ? AND ?
GROUP BY `date`, source_file
