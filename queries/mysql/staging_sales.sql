CREATE TABLE IF NOT EXISTS staging_sales (
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
    loaded_at DATETIME(6) NOT NULL,
    -- Rows are stored by date: a run's report queries read its dates' rows
    -- as one range, its own uncommitted rows included, which InnoDB cannot
    -- do cheaply through a secondary index.
    PRIMARY KEY (`date`, transaction_id),
    UNIQUE KEY staging_sales_transaction_id (transaction_id),
    KEY staging_sales_source_file (source_file)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4
