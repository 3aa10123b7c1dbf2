CREATE TEMP TABLE incoming_ids (
    transaction_id TEXT NOT NULL PRIMARY KEY,
    "date" TEXT NOT NULL
);
