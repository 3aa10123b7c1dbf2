-- One row per rejected data row of the files loaded: its fields as the
-- export wrote them, where it was and why it was rejected; what `errors/`
-- holds, in the warehouse. A load replaces the rows of its files.
CREATE TABLE IF NOT EXISTS rejected_rows (
    transaction_id TEXT,
    "timestamp" TEXT,
    channel TEXT,
    store_id TEXT,
    customer_id TEXT,
    product_id TEXT,
    quantity TEXT,
    unit_price TEXT,
    source_file TEXT NOT NULL,
    source_line INTEGER NOT NULL,
    disposition TEXT NOT NULL,
    reason TEXT NOT NULL,
    reasons TEXT NOT NULL,
    run_id INTEGER NOT NULL,
    PRIMARY KEY (source_file, source_line)
) WITHOUT ROWID
