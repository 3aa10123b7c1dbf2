INSERT INTO reporting_top_products (`date`, `rank`, product_id, units, revenue)
SELECT ranked.`date`, ranked.position, ranked.product_id, ranked.units, ROUND(ranked.revenue, 2)
FROM (
    SELECT per_product.*,
           ROW_NUMBER() OVER (
               PARTITION BY per_product.`date`
               ORDER BY per_product.units DESC, per_product.revenue DESC, per_product.product_id
           ) AS position
    FROM (
        SELECT s.`date`, s.product_id, SUM(s.quantity) AS units, SUM(s.line_revenue) AS revenue
        FROM staging_sales s JOIN touched_dates t ON t.`date` = s.`date`
        GROUP BY s.`date`, s.product_id
    ) AS per_product
) AS ranked
WHERE ranked.position <= ?
