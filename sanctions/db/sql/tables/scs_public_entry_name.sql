-- table scs_public_entry_name: its current definition (sanctions/db/__init__.py).
-- The search table of candidate public entries: name, compact pinyin, the search form's
-- filters and the publication dates, kept by triggers (docs/performance.md).
-- Migrations 0015, 0016, 0020, 0021 (0022 vacuums it).
CREATE TABLE scs_public_entry_name (
    record_id bigint NOT NULL,
    publication_start date NOT NULL,
    display_name text NOT NULL,
    publication_end date,
    name_pinyin text NOT NULL,
    kind text NOT NULL,
    province text NOT NULL,
    city text NOT NULL,
    domain text NOT NULL,
    authority_id bigint NOT NULL,
    judicial_ground smallint,
    CONSTRAINT scs_public_entry_name_pkey PRIMARY KEY (record_id)
);
ALTER TABLE scs_public_entry_name ALTER COLUMN display_name SET STATISTICS 1000;
ALTER TABLE scs_public_entry_name ALTER COLUMN name_pinyin SET STATISTICS 5000;
ALTER TABLE scs_public_entry_name SET (parallel_workers=0);
CREATE INDEX scs_public_entry_name_authority_id ON public.scs_public_entry_name USING btree (authority_id, publication_start, record_id) INCLUDE (kind, province, city, domain, judicial_ground, publication_end);
CREATE INDEX scs_public_entry_name_city ON public.scs_public_entry_name USING btree (city, publication_start, record_id) INCLUDE (kind, province, domain, authority_id, judicial_ground, publication_end);
CREATE INDEX scs_public_entry_name_domain ON public.scs_public_entry_name USING btree (domain, publication_start, record_id) INCLUDE (kind, province, city, authority_id, judicial_ground, publication_end);
CREATE INDEX scs_public_entry_name_judicial_ground ON public.scs_public_entry_name USING btree (judicial_ground, publication_start, record_id) INCLUDE (kind, province, city, domain, authority_id, publication_end);
CREATE INDEX scs_public_entry_name_kind ON public.scs_public_entry_name USING btree (kind, publication_start, record_id) INCLUDE (province, city, domain, authority_id, judicial_ground, publication_end);
CREATE INDEX scs_public_entry_name_newest ON public.scs_public_entry_name USING btree (publication_start, record_id);
CREATE INDEX scs_public_entry_name_pinyin ON public.scs_public_entry_name USING btree (name_pinyin text_pattern_ops, kind);
CREATE INDEX scs_public_entry_name_province ON public.scs_public_entry_name USING btree (province, publication_start, record_id) INCLUDE (kind, city, domain, authority_id, judicial_ground, publication_end);
CREATE INDEX scs_public_entry_name_trgm ON public.scs_public_entry_name USING gin (display_name gin_trgm_ops);
CREATE STATISTICS public.scs_public_entry_name_facets (mcv) ON kind, province, domain, authority_id, judicial_ground FROM scs_public_entry_name;
ALTER STATISTICS scs_public_entry_name_facets SET STATISTICS 10000;
