-- Rows of other files whose transaction id the run loads again, summed
-- per date, file, channel and product. The incoming rows are read first and
-- each id is looked up in staging_sales's unique index, forced: right after
-- a load MariaDB's statistics can still call staging_sales empty, and it
-- then scanned it once per join buffer of the temporary table (which has no
-- index) — a second backfilled day of 200,000 rows ran for over 20 minutes.
SELECT CAST(s.`date` AS CHAR), s.source_file, s.channel, s.product_id, COUNT(*),
       CAST(SUM(s.quantity) AS SIGNED),
       CAST(SUM(s.line_revenue) AS CHAR)
FROM incoming_sales i
     STRAIGHT_JOIN staging_sales s FORCE INDEX (staging_sales_transaction_id)
     ON s.transaction_id = i.transaction_id
GROUP BY s.`date`, s.source_file, s.channel, s.product_id
