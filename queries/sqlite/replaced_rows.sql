-- Rows of earlier runs whose transaction id this run loaded again.
SELECT s.source_file, s.source_line, s."date", s.channel, s.product_id, s.quantity,
       s.line_revenue_micros
FROM staging_sales s
WHERE s.run_id <> ?1
  AND s.transaction_id IN (
      SELECT transaction_id FROM staging_sales GROUP BY transaction_id HAVING COUNT(*) > 1
  )
