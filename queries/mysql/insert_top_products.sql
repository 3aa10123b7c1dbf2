INSERT INTO reporting_top_products (`date`, `rank`, product_id, units, revenue)
SELECT ranked.`date`, ranked.position, ranked.product_id, ranked.units, ROUND(ranked.revenue, 2)
FROM (
    SELECT per_product.*,
           ROW_NUMBER() OVER (
               PARTITION BY per_product.`date`
               ORDER BY per_product.units DESC, per_product.revenue DESC, per_product.product_id
           ) AS position
    FROM (
        SELECT p.`date`, p.product_id, SUM(p.units) AS units, SUM(p.revenue) AS revenue
        FROM sales_partials p
        GROUP BY p.`date`, p.product_id
    ) AS per_product
) AS ranked
WHERE ranked.position <= ?
