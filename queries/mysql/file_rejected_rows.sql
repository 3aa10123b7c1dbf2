SELECT COUNT(*) FROM rejected_rows WHERE source_file = ?
