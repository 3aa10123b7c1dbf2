-- A transaction id is stored once. Built after a bulk insert (a sort)
-- rather than grown row by row.
CREATE UNIQUE INDEX IF NOT EXISTS staging_sales_transaction_id ON staging_sales (transaction_id);
