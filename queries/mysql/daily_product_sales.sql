-- Orders, units and revenue per date and product: daily_file_sales summed
-- over files and channels, rewritten with each date's reports, so that the
-- top products of a range of months add up a third as many rows.
CREATE TABLE IF NOT EXISTS daily_product_sales (
    `date` DATE NOT NULL,
    product_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    orders BIGINT UNSIGNED NOT NULL,
    units BIGINT NOT NULL,
    revenue DECIMAL(38, 6) NOT NULL,
    PRIMARY KEY (`date`, product_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4
