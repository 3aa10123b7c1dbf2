SELECT m.name, p.name, p.type
FROM sqlite_master m JOIN pragma_table_info(m.name) p
WHERE m.type = 'table'
  AND m.name IN ('staging_sales', 'reporting_daily_sales', 'reporting_top_products', 'etl_runs',
                 'daily_file_sales', 'held_back_sales', 'rejected_rows')
