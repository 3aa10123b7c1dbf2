INSERT INTO held_back_sales ("date", source_file, channel, held_rows, units, revenue_micros)
VALUES (?1, ?2, ?3, ?4, ?5, ?6)
