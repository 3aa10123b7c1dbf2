INSERT INTO incoming_ids (transaction_id, "date") VALUES (?1, ?2)
