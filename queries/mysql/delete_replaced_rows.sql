-- The stored rows of other files whose ids come again; the incoming rows
-- are read first and each id looked up in the unique index, forced (see
-- replaced_sales.sql).
DELETE s FROM incoming_sales i
     STRAIGHT_JOIN staging_sales s FORCE INDEX (staging_sales_transaction_id)
     ON s.transaction_id = i.transaction_id
