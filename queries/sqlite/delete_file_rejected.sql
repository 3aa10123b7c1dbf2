DELETE FROM rejected_rows WHERE source_file = ?1
