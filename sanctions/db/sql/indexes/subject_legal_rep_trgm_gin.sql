-- index subject_legal_rep_trgm_gin: its current definition (sanctions/db/__init__.py).
-- Legal representatives' names of 3+ characters. Migration 0009.
CREATE INDEX subject_legal_rep_trgm_gin ON public.sanctions_subject USING gin (legal_rep_name gin_trgm_ops) WHERE ((kind)::text = 'enterprise'::text);
