SET SESSION max_execution_time = ?
