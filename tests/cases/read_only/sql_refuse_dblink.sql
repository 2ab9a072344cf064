SELECT * FROM dblink('host=x', 'DELETE FROM t') AS r(x int)
