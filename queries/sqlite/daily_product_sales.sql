-- Orders, units and revenue per date and product: daily_file_sales summed
-- over files and channels, rewritten with each date's reports, so that the
-- top products of a range of months add up a third as many rows.
CREATE TABLE IF NOT EXISTS daily_product_sales (
    "date" TEXT NOT NULL,
    product_id TEXT NOT NULL,
    orders INTEGER NOT NULL,
    units INTEGER NOT NULL,
    -- Exact, in millionths of the currency unit.
    revenue_micros INTEGER NOT NULL,
    PRIMARY KEY ("date", product_id)
) WITHOUT ROWID;
