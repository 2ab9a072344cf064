CREATE TABLE accounts (id int PRIMARY KEY, code varchar(20), label varchar(40), amount numeric(10,2));
