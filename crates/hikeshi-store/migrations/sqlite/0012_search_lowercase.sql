-- PostgreSQL only: its search documents are stored lower-cased from now on. SQLite's FTS5
-- trigram tables fold case themselves. This file keeps the two migration sets equal.
SELECT 1;
