-- PostgreSQL keeps its search documents (search_docs, pg_trgm) up to date in the writing
-- transaction; the deferred index of 0005 is SQLite's alone. Nothing to change here.
SELECT 1;
