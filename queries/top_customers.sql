-- The ten customers who spent most, with their orders and the days they
-- bought on. Anonymous sales (no customer_id) are left out.
SELECT
    customer_id,
    COUNT(*) AS orders,
    SUM(quantity) AS units,
    SUM(line_revenue) AS revenue,
    MIN(date) AS first_day,
    MAX(date) AS last_day
FROM sales
WHERE customer_id IS NOT NULL
GROUP BY customer_id
ORDER BY revenue DESC, customer_id
LIMIT 10;
