-- One row per valid sale, stored in the order of its source: a run appends
-- its rows file by file, line by line, and a file's rows are one range of
-- the key (replacing a file deletes a range; no other index is needed).
CREATE TABLE IF NOT EXISTS staging_sales (
    transaction_id TEXT NOT NULL,
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
    loaded_at TEXT NOT NULL,
    PRIMARY KEY (source_file, source_line)
) WITHOUT ROWID
