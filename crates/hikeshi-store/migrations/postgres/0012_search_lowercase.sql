-- Search documents are stored lower-cased and matched with LIKE on lower-cased terms
-- (ILIKE folded the case of every candidate body on every search: ~4x the cost per row).
UPDATE search_docs SET body = lower(body);
