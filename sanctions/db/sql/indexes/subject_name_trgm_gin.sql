-- index subject_name_trgm_gin: its current definition (sanctions/db/__init__.py).
-- Names of 3+ characters (pg_trgm). Migration 0009.
CREATE INDEX subject_name_trgm_gin ON public.sanctions_subject USING gin (display_name gin_trgm_ops);
