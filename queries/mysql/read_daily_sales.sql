SELECT CAST(`date` AS CHAR), channel, orders, units, CAST(revenue AS CHAR)
FROM reporting_daily_sales
WHERE `date` BETWEEN ? AND ?
ORDER BY `date`, channel
