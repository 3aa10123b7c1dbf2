DELETE FROM staging_sales WHERE transaction_id IN (SELECT transaction_id FROM incoming_ids)
