SELECT "date", channel, orders, units, printf('%.2f', revenue)
FROM reporting_daily_sales
WHERE "date" BETWEEN ?1 AND ?2
ORDER BY "date", channel
