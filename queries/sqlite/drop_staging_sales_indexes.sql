DROP INDEX IF EXISTS staging_sales_transaction_id;
