CREATE TABLE IF NOT EXISTS reporting_daily_sales (
    "date" TEXT NOT NULL,
    channel TEXT NOT NULL,
    orders INTEGER NOT NULL,
    units INTEGER NOT NULL,
    -- Exact decimal text with two decimals.
    revenue TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY ("date", channel)
);
