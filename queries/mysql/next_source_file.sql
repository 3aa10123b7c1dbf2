-- The first file name after ? with rows: one index seek.
SELECT MIN(source_file) FROM staging_sales WHERE source_file > ?
