-- Valid rows per date and source file: daily_file_sales summed over
-- channels and products, rewritten with each date's reports, so that the
-- partial-day rule reads a few rows per day.
CREATE TABLE IF NOT EXISTS daily_file_rows (
    `date` DATE NOT NULL,
    source_file VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    valid_rows BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (`date`, source_file)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4
