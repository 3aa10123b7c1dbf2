SELECT "date", "rank", product_id, units, printf('%.2f', revenue)
FROM reporting_top_products
WHERE "date" BETWEEN ?1 AND ?2 AND "rank" <= ?3
ORDER BY "date", "rank"
