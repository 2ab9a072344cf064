CREATE TABLE accounts (id int PRIMARY KEY, code varchar(20), label varchar(40));
