LOAD DATA LOCAL INFILE 'sales-etl:incoming_sales'
INTO TABLE incoming_sales
CHARACTER SET utf8mb4
FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' ESCAPED BY ''
LINES TERMINATED BY '\n'
(transaction_id, `timestamp`, `date`, channel, store_id, customer_id, product_id,
 quantity, unit_price, line_revenue, source_file, source_line, run_id, loaded_at)
