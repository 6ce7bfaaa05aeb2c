-- index record_public_newest: its current definition (sanctions/db/__init__.py).
-- Newest-first browsing of public entries. Migration 0009.
CREATE INDEX record_public_newest ON public.sanctions_integrityrecord USING btree (publication_start DESC, id DESC) WHERE (((status)::text = ANY ((ARRAY['active'::character varying, 'under_objection'::character varying])::text[])) AND (published_at IS NOT NULL));
