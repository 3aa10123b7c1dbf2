SELECT CAST(`date` AS CHAR), channel, CAST(SUM(held_rows) AS UNSIGNED), CAST(SUM(units) AS SIGNED), CAST(SUM(revenue) AS CHAR)
FROM held_back_sales
WHERE `date` BETWEEN ? AND ?
GROUP BY `date`, channel
ORDER BY `date`, channel
