-- The run's rows on their way in when the table holds rows of other files:
-- those whose transaction id comes again are replaced before these move in.
CREATE TEMPORARY TABLE incoming_sales (
    transaction_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    `timestamp` DATETIME(6) NOT NULL,
    `date` DATE NOT NULL,
    channel VARCHAR(16) NOT NULL,
    store_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    customer_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    product_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    quantity INT NOT NULL,
    unit_price DECIMAL(18, 6) NOT NULL,
    line_revenue DECIMAL(38, 6) NOT NULL,
    source_file VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    source_line BIGINT UNSIGNED NOT NULL,
    run_id BIGINT UNSIGNED NOT NULL,
    loaded_at DATETIME(6) NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4
