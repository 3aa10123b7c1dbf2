-- Revenue is a number with two decimals (REAL), so that it sorts, compares
-- and sums as money: exact to the cent up to 90 trillion (2^53 cents), far
-- beyond a day's sales; `report` reads it back with two decimals.
CREATE TABLE IF NOT EXISTS reporting_top_products (
    "date" TEXT NOT NULL,
    "rank" INTEGER NOT NULL,
    product_id TEXT NOT NULL,
    units INTEGER NOT NULL,
    revenue REAL NOT NULL,
    PRIMARY KEY ("date", "rank")
);
