CREATE TABLE IF NOT EXISTS reporting_daily_sales (
    `date` DATE NOT NULL,
    channel VARCHAR(16) NOT NULL,
    orders BIGINT UNSIGNED NOT NULL,
    units BIGINT NOT NULL,
    revenue DECIMAL(38, 2) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    PRIMARY KEY (`date`, channel)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4
