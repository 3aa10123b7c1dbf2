-- Rows of other files whose transaction id the run loads again, summed
-- per date, file, channel and product.
SELECT CAST(s.`date` AS CHAR), s.source_file, s.channel, s.product_id, COUNT(*),
       CAST(SUM(s.quantity) AS SIGNED),
       CAST(SUM(s.line_revenue) AS CHAR)
FROM incoming_sales i JOIN staging_sales s ON s.transaction_id = i.transaction_id
GROUP BY s.`date`, s.source_file, s.channel, s.product_id
