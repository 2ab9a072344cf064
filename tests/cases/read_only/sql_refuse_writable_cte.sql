WITH gone AS (DELETE FROM logs RETURNING *) SELECT count(*) FROM gone
