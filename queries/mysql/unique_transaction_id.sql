-- Unique keys of `staging_sales` made of `transaction_id` alone: the load
-- relies on one to keep a transaction id once in the warehouse.
SELECT COUNT(*)
FROM (SELECT index_name
      FROM information_schema.statistics
      WHERE table_schema = DATABASE() AND table_name = 'staging_sales' AND non_unique = 0
      GROUP BY index_name
      HAVING COUNT(*) = 1 AND MAX(column_name) = 'transaction_id') AS unique_ids
