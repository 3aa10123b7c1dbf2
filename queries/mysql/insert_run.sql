INSERT INTO etl_runs (started_at, tool_version, input_files, data_rows, valid, invalid,
                      duplicate, outlier, replaced, load_method, status)
VALUES (?, ?, ?, 0, 0, 0, 0, 0, 0, ?, 'loading')
