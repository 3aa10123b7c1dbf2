DELETE FROM daily_product_sales WHERE `date` BETWEEN ? AND ?
