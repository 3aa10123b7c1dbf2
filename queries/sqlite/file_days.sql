-- Rows each file gave each date from ?1 to ?2: a file's own date is the
-- one it gave most rows (the caller reads a week beyond the days it judges,
-- so that a file's dates are all in view).
SELECT "date", source_file, valid_rows
FROM daily_file_rows
WHERE "date" BETWEEN ?1 AND ?2
