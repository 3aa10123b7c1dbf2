CREATE TABLE IF NOT EXISTS reporting_top_products (
    `date` DATE NOT NULL,
    `rank` INT UNSIGNED NOT NULL,
    product_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    units BIGINT NOT NULL,
    revenue DECIMAL(38, 2) NOT NULL,
    PRIMARY KEY (`date`, `rank`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4
