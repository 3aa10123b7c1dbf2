DELETE FROM staging_sales WHERE transaction_id = ?1 AND run_id <> ?2
RETURNING "date", source_file, channel, product_id, quantity, line_revenue_micros
