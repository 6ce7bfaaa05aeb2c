-- function scs_name_grams: its current definition (sanctions/db/__init__.py).
-- The 1- and 2-character grams of a name (lower-cased, no blanks): the index of short names
-- (pg_trgm cannot index patterns under 3 characters). Migration 0009.
CREATE OR REPLACE FUNCTION public.scs_name_grams(name text)
 RETURNS text[]
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE STRICT
AS $function$
    SELECT coalesce(array_agg(DISTINCT g), '{}')
    FROM (
        SELECT substr(lower(name), i, 1) AS g FROM generate_series(1, char_length(name)) AS i
        UNION ALL
        SELECT substr(lower(name), i, 2) FROM generate_series(1, char_length(name) - 1) AS i
    ) grams
    WHERE g <> '' AND g !~ '^\s+$'
$function$;
