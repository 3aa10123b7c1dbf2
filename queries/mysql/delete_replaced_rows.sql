DELETE s FROM staging_sales s JOIN incoming_ids i ON i.transaction_id = s.transaction_id
