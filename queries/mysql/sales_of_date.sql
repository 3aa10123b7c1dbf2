SELECT channel, product_id, CAST(SUM(orders) AS UNSIGNED), CAST(SUM(units) AS SIGNED),
       CAST(SUM(revenue) AS CHAR)
FROM daily_file_sales
WHERE `date` = ?
GROUP BY channel, product_id
