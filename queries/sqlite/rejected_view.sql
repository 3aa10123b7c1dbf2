-- The rejected rows with the columns and names of a folder query's
-- `rejected` table.
CREATE VIEW IF NOT EXISTS rejected AS
SELECT transaction_id, "timestamp", channel, store_id, customer_id, product_id, quantity,
       unit_price, source_file, source_line, disposition, reason, reasons
FROM rejected_rows
