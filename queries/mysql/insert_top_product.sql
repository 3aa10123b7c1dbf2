INSERT INTO reporting_top_products (`date`, `rank`, product_id, units, revenue)
VALUES (?, ?, ?, ?, ?)
