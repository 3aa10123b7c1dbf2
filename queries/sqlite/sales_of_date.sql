SELECT channel, product_id, SUM(orders), SUM(units), SUM(revenue_micros)
FROM daily_file_sales
WHERE "date" = ?1
GROUP BY channel, product_id
