DELETE FROM staging_sales WHERE source_file = ?1 AND source_line = ?2
