-- Rows, units and revenue the outlier rule held back per date, source file
-- and channel: what `report` shows beside the loaded sales. A load replaces
-- the rows of its files.
CREATE TABLE IF NOT EXISTS held_back_sales (
    "date" TEXT NOT NULL,
    source_file TEXT NOT NULL,
    channel TEXT NOT NULL,
    held_rows INTEGER NOT NULL,
    units INTEGER NOT NULL,
    -- Exact, in millionths of the currency unit.
    revenue_micros INTEGER NOT NULL,
    PRIMARY KEY ("date", source_file, channel)
) WITHOUT ROWID;
