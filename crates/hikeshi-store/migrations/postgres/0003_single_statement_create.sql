-- PostgreSQL needs nothing here: its create path runs the steps as statements in one
-- transaction (the SQLite migration of the same name explains why SQLite differs).
SELECT 1;
