DELETE FROM reporting_top_products WHERE `date` = ?
