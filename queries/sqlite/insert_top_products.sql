INSERT INTO reporting_top_products ("date", "rank", product_id, units, revenue)
SELECT "date", position, product_id, units,
       printf('%d.%02d', (micros + 5000) / 10000 / 100, (micros + 5000) / 10000 % 100)
FROM (
    SELECT per_product.*,
           ROW_NUMBER() OVER (
               PARTITION BY "date" ORDER BY units DESC, micros DESC, product_id
           ) AS position
    FROM (
        SELECT s."date", s.product_id, SUM(s.quantity) AS units,
               SUM(CAST(REPLACE(s.line_revenue, '.', '') AS INTEGER)) AS micros
        FROM staging_sales s JOIN touched_dates t ON t."date" = s."date"
        GROUP BY s."date", s.product_id
    ) AS per_product
)
WHERE position <= ?1
