INSERT INTO rejected_rows (transaction_id, `timestamp`, channel, store_id, customer_id, product_id,
                           quantity, unit_price, source_file, source_line, disposition, reason,
                           reasons, run_id)
VALUES
