SELECT CAST(`date` AS CHAR), `rank`, product_id, units, CAST(revenue AS CHAR)
FROM reporting_top_products
WHERE `date` BETWEEN ? AND ? AND `rank` <= ?
ORDER BY `date`, `rank`
