-- Money text always has six decimals in layouts 1 and 2, so dropping the
-- point gives millionths; an id that is empty or only spaces and tabs is
-- NULL, as the load writes it now.
INSERT INTO staging_sales (transaction_id, "timestamp", "date", channel, store_id, customer_id,
                           product_id, quantity, unit_price_micros, line_revenue_micros,
                           source_file, source_line, run_id, loaded_at)
SELECT transaction_id, "timestamp", "date", channel,
       CASE WHEN TRIM(store_id, ' ' || char(9)) = '' THEN NULL ELSE store_id END,
       CASE WHEN TRIM(customer_id, ' ' || char(9)) = '' THEN NULL ELSE customer_id END,
       product_id, quantity,
       CAST(REPLACE(unit_price, '.', '') AS INTEGER),
       CAST(REPLACE(line_revenue, '.', '') AS INTEGER),
       source_file, source_line, run_id, loaded_at
FROM staging_sales_old ORDER BY source_file, source_line;
DROP TABLE staging_sales_old;
