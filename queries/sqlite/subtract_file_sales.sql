UPDATE daily_file_sales
SET orders = orders - ?5, units = units - ?6, revenue_micros = revenue_micros - ?7
WHERE "date" = ?1 AND source_file = ?2 AND channel = ?3 AND product_id = ?4
