SELECT MAX("date") FROM reporting_daily_sales
