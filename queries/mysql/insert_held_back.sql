INSERT INTO held_back_sales (`date`, source_file, channel, held_rows, units, revenue)
VALUES (?, ?, ?, ?, ?, ?)
