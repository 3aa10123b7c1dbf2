-- Rows, units and revenue the outlier rule held back per date, source file
-- and channel: what `report` shows beside the loaded sales. A load replaces
-- the rows of its files.
CREATE TABLE IF NOT EXISTS held_back_sales (
    `date` DATE NOT NULL,
    source_file VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    channel VARCHAR(16) NOT NULL,
    held_rows BIGINT UNSIGNED NOT NULL,
    units BIGINT NOT NULL,
    revenue DECIMAL(38, 6) NOT NULL,
    PRIMARY KEY (`date`, source_file, channel),
    KEY held_back_sales_source_file (source_file)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4
