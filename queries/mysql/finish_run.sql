UPDATE etl_runs SET finished_at = NOW(6), replaced = ?, status = 'loaded' WHERE id = ?
