-- SQLite organisation: self-reference, composite-key join table, REAL and TEXT dates.
CREATE TABLE employees (
  id INTEGER PRIMARY KEY,
  full_name TEXT NOT NULL,
  manager_id INTEGER REFERENCES employees(id),
  salary REAL CHECK (salary >= 20000 AND salary <= 400000),
  hired_on DATE NOT NULL
);
CREATE TABLE projects (
  id INTEGER PRIMARY KEY,
  code CHAR(6) NOT NULL UNIQUE,
  budget NUMERIC(12, 2)
);
CREATE TABLE assignments (
  employee_id INTEGER NOT NULL REFERENCES employees(id),
  project_id INTEGER NOT NULL REFERENCES projects(id),
  role TEXT NOT NULL CHECK (role IN ('lead', 'dev', 'qa')),
  PRIMARY KEY (employee_id, project_id)
);
