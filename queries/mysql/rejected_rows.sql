-- One row per rejected data row of the files loaded: its fields as the
-- export wrote them (any text, any length: a rejected value is kept as it
-- came), where it was and why it was rejected; what `errors/` holds, in the
-- warehouse. A load replaces the rows of its files.
CREATE TABLE IF NOT EXISTS rejected_rows (
    transaction_id LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    `timestamp` LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    channel LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    store_id LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    customer_id LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    product_id LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    quantity LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    unit_price LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    source_file VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    source_line BIGINT UNSIGNED NOT NULL,
    disposition VARCHAR(16) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    reason VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    reasons TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    run_id BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (source_file, source_line)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4
