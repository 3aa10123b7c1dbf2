INSERT INTO staging_sales (transaction_id, "timestamp", "date", channel, store_id, customer_id,
                           product_id, quantity, unit_price_micros, line_revenue_micros,
                           source_file, source_line, run_id, loaded_at)
VALUES
