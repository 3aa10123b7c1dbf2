DELETE FROM reporting_top_products WHERE "date" IN (SELECT "date" FROM touched_dates)
