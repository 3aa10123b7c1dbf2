CREATE TABLE IF NOT EXISTS etl_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    tool_version TEXT NOT NULL,
    input_files TEXT NOT NULL,
    data_rows INTEGER NOT NULL,
    valid INTEGER NOT NULL,
    invalid INTEGER NOT NULL,
    duplicate INTEGER NOT NULL,
    outlier INTEGER NOT NULL,
    replaced INTEGER NOT NULL,
    load_method TEXT NOT NULL,
    status TEXT NOT NULL
);
