-- From the first layout (transaction_id the table's primary key, covering
-- date indexes, reports recomputed from the rows): the rows are kept, the
-- table rebuilt as staging_sales.sql makes it.
DROP INDEX IF EXISTS staging_sales_date_channel;
DROP INDEX IF EXISTS staging_sales_date_product;
DROP INDEX IF EXISTS staging_sales_source_file;
ALTER TABLE staging_sales RENAME TO staging_sales_v1;
