DELETE FROM daily_file_rows WHERE "date" BETWEEN ?1 AND ?2
