-- The first file name after ?1 with rows: one index seek.
SELECT MIN(source_file) FROM staging_sales WHERE source_file > ?1
