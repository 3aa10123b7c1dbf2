-- 1 when daily_file_sales holds rows but daily_product_sales or
-- daily_file_rows holds none: a warehouse from before them (or one whose
-- first fill did not finish), filled once from daily_file_sales.
SELECT EXISTS (SELECT 1 FROM daily_file_sales)
   AND NOT (EXISTS (SELECT 1 FROM daily_product_sales) AND EXISTS (SELECT 1 FROM daily_file_rows))
