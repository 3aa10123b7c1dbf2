INSERT INTO staging_sales (transaction_id, "timestamp", "date", channel, store_id, customer_id,
                           product_id, quantity, unit_price, line_revenue, source_file,
                           source_line, run_id, loaded_at)
SELECT transaction_id, "timestamp", "date", channel, store_id, customer_id, product_id, quantity,
       unit_price, line_revenue, source_file, source_line, run_id, loaded_at
FROM staging_sales_v1 ORDER BY source_file, source_line;
DROP TABLE staging_sales_v1;
