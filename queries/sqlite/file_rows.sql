SELECT COALESCE(SUM(orders), 0) FROM daily_file_sales WHERE source_file = ?1
