CREATE TABLE IF NOT EXISTS reporting_top_products (
    "date" TEXT NOT NULL,
    "rank" INTEGER NOT NULL,
    product_id TEXT NOT NULL,
    units INTEGER NOT NULL,
    revenue TEXT NOT NULL,
    PRIMARY KEY ("date", "rank")
);
