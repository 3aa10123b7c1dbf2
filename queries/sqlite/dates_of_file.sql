SELECT DISTINCT "date" FROM daily_file_sales WHERE source_file = ?1
