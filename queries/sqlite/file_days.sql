-- Rows each file gave each date, for the files with a row between ?1 and
-- ?2, over all their dates: a file's own date is the one it gave most rows.
SELECT "date", source_file, SUM(orders)
FROM daily_file_sales
WHERE source_file IN (
    SELECT source_file FROM daily_file_sales WHERE "date" BETWEEN ?1 AND ?2
)
GROUP BY source_file, "date"
