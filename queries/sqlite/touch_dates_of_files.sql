INSERT OR IGNORE INTO touched_dates ("date")
SELECT DISTINCT "date" FROM staging_sales WHERE source_file = ?1
