-- lint does not know i's table: the lock is named through the index.
DROP INDEX i;
