-- Into an empty table inside a transaction, MariaDB 10.7+ then takes the
-- rows in bulk: one undo record for the table, indexes built by sort
-- (MDEV-515, MDEV-24621). Used only when the table is empty and the run's
-- ids are unique; a duplicate would still fail the load at commit.
SET SESSION unique_checks = 0, foreign_key_checks = 0
