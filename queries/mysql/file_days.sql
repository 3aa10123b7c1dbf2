-- Rows each file gave each date, for the files with a row between the two
-- dates, over all their dates: a file's own date is the one it gave most rows.
SELECT CAST(`date` AS CHAR), source_file, CAST(SUM(orders) AS UNSIGNED)
FROM daily_file_sales
WHERE source_file IN (
    SELECT source_file FROM daily_file_sales WHERE `date` BETWEEN ? AND ?
)
GROUP BY source_file, `date`
