-- Totals of the rows already in staging_sales for the dates this run
-- touches, taken before the run's own rows go in; the run adds its own
-- totals beside them, and the reports are computed from both.
INSERT INTO sales_partials (`date`, channel, product_id, orders, units, revenue)
SELECT s.`date`, s.channel, s.product_id, COUNT(*), SUM(s.quantity), SUM(s.line_revenue)
FROM staging_sales s JOIN touched_dates t ON t.`date` = s.`date`
GROUP BY s.`date`, s.channel, s.product_id
