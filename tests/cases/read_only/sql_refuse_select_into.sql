SELECT * INTO backup FROM logs
