CREATE SCHEMA tenant;
CREATE TABLE ${tenant}.users (id int);
