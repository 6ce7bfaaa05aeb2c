-- index subject_region_code: its current definition (sanctions/db/__init__.py).
-- The province and city filters. Migration 0009.
CREATE INDEX subject_region_code ON public.sanctions_subject USING btree (region_code);
