-- daily_product_sales of the dates between the two, from daily_file_sales
-- (whose key starts with the date).
INSERT INTO daily_product_sales (`date`, product_id, orders, units, revenue)
SELECT `date`, product_id, SUM(orders), SUM(units), SUM(revenue)
FROM daily_file_sales
WHERE `date` BETWEEN ? AND ?
GROUP BY `date`, product_id
