UPDATE etl_runs SET finished_at = strftime('%Y-%m-%d %H:%M:%f', 'now'), data_rows = ?1,
                    valid = ?2, invalid = ?3, duplicate = ?4, outlier = ?5, replaced = ?6,
                    status = 'loaded'
WHERE id = ?7
