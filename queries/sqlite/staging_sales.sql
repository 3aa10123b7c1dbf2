-- One row per valid sale, stored in the order of its source: a run appends
-- its rows file by file, line by line, and a file's rows are one range of
-- the key (replacing a file deletes a range; no other index is needed).
CREATE TABLE IF NOT EXISTS staging_sales (
    transaction_id TEXT NOT NULL,
    -- UTC, 'YYYY-MM-DD HH:MM:SS.ffffff': fixed width (years 1000 to 9999),
    -- so it sorts and compares as the time it is.
    "timestamp" TEXT NOT NULL,
    "date" TEXT NOT NULL,
    channel TEXT NOT NULL,
    -- NULL when the export has none.
    store_id TEXT,
    customer_id TEXT,
    product_id TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    -- Money, exact, in integer millionths of the currency unit: SQLite has
    -- no exact decimal type, text sorts as text and REAL rounds. The view
    -- `sales` shows them as decimals.
    unit_price_micros INTEGER NOT NULL,
    line_revenue_micros INTEGER NOT NULL,
    source_file TEXT NOT NULL,
    source_line INTEGER NOT NULL,
    run_id INTEGER NOT NULL,
    loaded_at TEXT NOT NULL,
    PRIMARY KEY (source_file, source_line)
) WITHOUT ROWID
