-- daily_file_rows of the dates ?1 to ?2, from daily_file_sales.
INSERT INTO daily_file_rows ("date", source_file, valid_rows)
SELECT "date", source_file, SUM(orders)
FROM daily_file_sales
WHERE "date" BETWEEN ?1 AND ?2
GROUP BY "date", source_file
