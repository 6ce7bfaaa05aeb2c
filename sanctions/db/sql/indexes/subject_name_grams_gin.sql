-- index subject_name_grams_gin: its current definition (sanctions/db/__init__.py).
-- Names of 1-2 characters. Migration 0009.
CREATE INDEX subject_name_grams_gin ON public.sanctions_subject USING gin (scs_name_grams((display_name)::text));
