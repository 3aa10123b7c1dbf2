SELECT "date", channel, SUM(held_rows), SUM(units), SUM(revenue_micros)
FROM held_back_sales
WHERE "date" BETWEEN ?1 AND ?2
GROUP BY "date", channel
ORDER BY "date", channel
