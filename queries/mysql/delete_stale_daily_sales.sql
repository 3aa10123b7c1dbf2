DELETE r FROM reporting_daily_sales r JOIN touched_dates t ON t.`date` = r.`date`
WHERE NOT EXISTS (
    SELECT 1 FROM staging_sales s WHERE s.`date` = r.`date` AND s.channel = r.channel
)
