DELETE FROM reporting_daily_sales WHERE "date" = ?1
