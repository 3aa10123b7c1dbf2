SELECT "date", channel, orders, units, revenue
FROM reporting_daily_sales
WHERE "date" BETWEEN ?1 AND ?2
ORDER BY "date", channel
