DELETE FROM daily_file_sales WHERE orders = 0
