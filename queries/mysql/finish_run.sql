UPDATE etl_runs SET finished_at = NOW(6), data_rows = ?, valid = ?, invalid = ?, duplicate = ?,
                    outlier = ?, replaced = ?, status = 'loaded'
WHERE id = ?
