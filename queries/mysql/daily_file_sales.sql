-- Orders, units and revenue of staging_sales per date, source file, channel
-- and product, kept with every load: a run's reports merge its own sales
-- with these for the rows it did not touch, without reading those rows.
CREATE TABLE IF NOT EXISTS daily_file_sales (
    `date` DATE NOT NULL,
    source_file VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    channel VARCHAR(16) NOT NULL,
    product_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    orders BIGINT UNSIGNED NOT NULL,
    units BIGINT NOT NULL,
    revenue DECIMAL(38, 6) NOT NULL,
    PRIMARY KEY (`date`, source_file, channel, product_id),
    KEY daily_file_sales_source_file (source_file)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4
