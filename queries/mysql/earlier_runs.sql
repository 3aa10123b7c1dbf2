SELECT id, input_files FROM etl_runs WHERE status = 'loaded' ORDER BY id DESC
