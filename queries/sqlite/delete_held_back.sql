DELETE FROM held_back_sales WHERE source_file = ?1
