CREATE TABLE staging (id bigint PRIMARY KEY);
CLUSTER staging USING staging_pkey;
