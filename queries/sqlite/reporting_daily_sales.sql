-- Revenue is a number with two decimals (REAL), so that it sorts, compares
-- and sums as money: exact to the cent below 10 trillion (a double keeps
-- 15 significant digits), far beyond a day's sales; `report` reads it back
-- with two decimals.
CREATE TABLE IF NOT EXISTS reporting_daily_sales (
    "date" TEXT NOT NULL,
    channel TEXT NOT NULL,
    orders INTEGER NOT NULL,
    units INTEGER NOT NULL,
    revenue REAL NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY ("date", channel)
);
