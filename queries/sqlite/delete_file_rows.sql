DELETE FROM staging_sales WHERE source_file = ?1
