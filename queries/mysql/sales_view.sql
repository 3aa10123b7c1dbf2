-- The valid sales with the columns and names of a folder query's `sales`
-- table: every shipped query runs here as over a folder. Made only when
-- nothing of this name exists: a view or table of the user's is left alone.
CREATE VIEW sales AS
SELECT transaction_id, `timestamp`, `date`, channel, store_id, customer_id, product_id, quantity,
       unit_price, line_revenue, source_file, source_line
FROM staging_sales
