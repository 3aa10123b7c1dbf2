DELETE FROM reporting_daily_sales
WHERE "date" IN (SELECT "date" FROM touched_dates)
  AND NOT EXISTS (
      SELECT 1 FROM staging_sales s
      WHERE s."date" = reporting_daily_sales."date" AND s.channel = reporting_daily_sales.channel
  )
