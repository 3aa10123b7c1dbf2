DELETE r FROM reporting_daily_sales r JOIN touched_dates t ON t.`date` = r.`date`
WHERE NOT EXISTS (
    SELECT 1 FROM sales_partials p WHERE p.`date` = r.`date` AND p.channel = r.channel
)
