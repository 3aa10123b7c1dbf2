DELETE FROM daily_file_rows WHERE `date` BETWEEN ? AND ?
