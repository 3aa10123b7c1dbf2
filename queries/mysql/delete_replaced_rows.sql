DELETE s FROM staging_sales s JOIN incoming_sales i ON i.transaction_id = s.transaction_id
