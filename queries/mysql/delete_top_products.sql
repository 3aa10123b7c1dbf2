DELETE r FROM reporting_top_products r JOIN touched_dates t ON t.`date` = r.`date`
