-- The valid sales with the columns and names of a folder query's `sales`
-- table, money as numbers (REAL) that sort, compare and sum as amounts:
-- every shipped query runs here as over a folder.
CREATE VIEW IF NOT EXISTS sales AS
SELECT transaction_id, "timestamp", "date", channel, store_id, customer_id, product_id, quantity,
       unit_price_micros / 1000000.0 AS unit_price,
       line_revenue_micros / 1000000.0 AS line_revenue,
       source_file, source_line
FROM staging_sales
