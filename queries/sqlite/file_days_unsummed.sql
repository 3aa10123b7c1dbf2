-- A warehouse from before daily_file_rows and daily_product_sales (a
-- report read before its first load by this version): summed from
-- daily_file_sales.
-- Rows each file gave each date from ?1 to ?2: a file's own date is the
-- one it gave most rows (the caller reads a week beyond the days it judges,
-- so that a file's dates are all in view).
SELECT "date", source_file, SUM(orders)
FROM daily_file_sales
WHERE "date" BETWEEN ?1 AND ?2
GROUP BY "date", source_file
