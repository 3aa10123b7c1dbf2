-- The columns of the tables the tool writes, with their full types
-- (`decimal(18,6)`, `varchar(255)`), for the check before a load.
SELECT table_name, column_name, column_type
FROM information_schema.columns
WHERE table_schema = DATABASE()
  AND table_name IN ('staging_sales', 'reporting_daily_sales', 'reporting_top_products', 'etl_runs',
                     'daily_file_sales', 'held_back_sales', 'daily_product_sales', 'daily_file_rows')
