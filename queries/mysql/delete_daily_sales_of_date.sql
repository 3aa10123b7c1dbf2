DELETE FROM reporting_daily_sales WHERE `date` = ?
