INSERT INTO etl_runs (started_at, tool_version, input_files, data_rows, valid, invalid,
                      duplicate, outlier, replaced, load_method, status)
VALUES (?1, ?2, ?3, 0, 0, 0, 0, 0, 0, ?4, 'loading')
