-- What the database holds under a name: 'BASE TABLE', 'VIEW', or nothing.
SELECT TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?
