UPDATE etl_runs SET finished_at = strftime('%Y-%m-%d %H:%M:%f', 'now'), replaced = ?1,
                    status = 'loaded'
WHERE id = ?2
