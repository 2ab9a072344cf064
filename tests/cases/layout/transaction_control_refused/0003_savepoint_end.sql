CREATE TABLE z1 (x int);
SAVEPOINT a;
  end;
