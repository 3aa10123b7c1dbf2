CREATE TEMPORARY TABLE incoming_ids (
    transaction_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    PRIMARY KEY (transaction_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4
