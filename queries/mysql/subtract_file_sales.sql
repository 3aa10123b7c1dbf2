UPDATE daily_file_sales
SET orders = orders - ?, units = units - ?, revenue = revenue - ?
WHERE `date` = ? AND source_file = ? AND channel = ? AND product_id = ?
