DELETE FROM daily_file_sales WHERE source_file = ?1
