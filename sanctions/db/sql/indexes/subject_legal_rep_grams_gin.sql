-- index subject_legal_rep_grams_gin: its current definition (sanctions/db/__init__.py).
-- Legal representatives' names of 1-2 characters. Migration 0009.
CREATE INDEX subject_legal_rep_grams_gin ON public.sanctions_subject USING gin (scs_name_grams((legal_rep_name)::text)) WHERE ((kind)::text = 'enterprise'::text);
