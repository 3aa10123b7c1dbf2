DELETE FROM daily_product_sales WHERE "date" BETWEEN ?1 AND ?2
