CREATE TABLE IF NOT EXISTS staging_sales (
    transaction_id TEXT NOT NULL PRIMARY KEY,
    -- UTC, 'YYYY-MM-DD HH:MM:SS.ffffff'
    "timestamp" TEXT NOT NULL,
    "date" TEXT NOT NULL,
    channel TEXT NOT NULL,
    store_id TEXT,
    customer_id TEXT,
    product_id TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    -- Money as exact decimal text with six decimals: SQLite has no exact
    -- decimal type, and REAL would round.
    unit_price TEXT NOT NULL,
    line_revenue TEXT NOT NULL,
    source_file TEXT NOT NULL,
    source_line INTEGER NOT NULL,
    run_id INTEGER NOT NULL,
    loaded_at TEXT NOT NULL
);
-- Covering indexes: the report queries of a date read no table rows.
CREATE INDEX IF NOT EXISTS staging_sales_date_channel ON staging_sales ("date", channel, quantity, line_revenue);
CREATE INDEX IF NOT EXISTS staging_sales_date_product ON staging_sales ("date", product_id, quantity, line_revenue);
CREATE INDEX IF NOT EXISTS staging_sales_source_file ON staging_sales (source_file);
