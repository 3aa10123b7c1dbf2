-- Revenue by store, best first. Web and app sales carry no store and are
-- left out.
SELECT
    store_id,
    COUNT(*) AS orders,
    SUM(quantity) AS units,
    SUM(line_revenue) AS revenue
FROM sales
WHERE store_id IS NOT NULL
GROUP BY store_id
ORDER BY revenue DESC, store_id;
