no underscore: ignored as sqlx does
