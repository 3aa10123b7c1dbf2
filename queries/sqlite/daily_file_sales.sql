-- Orders, units and revenue of staging_sales per date, source file, channel
-- and product, kept with every load: a run's reports merge its own sales
-- with these for the rows it did not touch, without reading those rows.
CREATE TABLE IF NOT EXISTS daily_file_sales (
    "date" TEXT NOT NULL,
    source_file TEXT NOT NULL,
    channel TEXT NOT NULL,
    product_id TEXT NOT NULL,
    orders INTEGER NOT NULL,
    units INTEGER NOT NULL,
    -- Exact, in millionths of the currency unit.
    revenue_micros INTEGER NOT NULL,
    PRIMARY KEY ("date", source_file, channel, product_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS daily_file_sales_source_file ON daily_file_sales (source_file, "date");
