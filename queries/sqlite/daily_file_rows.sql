-- Valid rows per date and source file: daily_file_sales summed over
-- channels and products, rewritten with each date's reports, so that the
-- partial-day rule reads a few rows per day.
CREATE TABLE IF NOT EXISTS daily_file_rows (
    "date" TEXT NOT NULL,
    source_file TEXT NOT NULL,
    valid_rows INTEGER NOT NULL,
    PRIMARY KEY ("date", source_file)
) WITHOUT ROWID;
