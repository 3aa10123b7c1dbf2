SELECT CAST(MAX(`date`) AS CHAR) FROM reporting_daily_sales
