-- Loads into one database take turns: two at once would deadlock on the
-- same rows and index pages (InnoDB picks one as the victim). Waits up to
-- the given seconds; released when the connection closes.
SELECT GET_LOCK(CONCAT('sales-etl load: ', DATABASE()), ?)
