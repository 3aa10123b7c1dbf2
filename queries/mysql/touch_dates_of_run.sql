INSERT IGNORE INTO touched_dates (`date`)
SELECT DISTINCT s.`date` FROM staging_sales s JOIN incoming_ids i ON i.transaction_id = s.transaction_id
