SELECT table_name, column_name, data_type
FROM information_schema.columns
WHERE table_schema = DATABASE()
  AND table_name IN ('staging_sales', 'reporting_daily_sales', 'reporting_top_products', 'etl_runs',
                     'daily_file_sales')
