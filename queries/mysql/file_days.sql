-- Rows each file gave each date between the two dates: a file's own date is
-- the one it gave most rows (the caller reads a week beyond the days it
-- judges, so that a file's dates are all in view).
SELECT CAST(`date` AS CHAR), source_file, valid_rows
FROM daily_file_rows
WHERE `date` BETWEEN ? AND ?
