SELECT DISTINCT CAST(`date` AS CHAR) FROM daily_file_sales WHERE source_file = ?
