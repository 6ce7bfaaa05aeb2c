-- table scs_public_name_char: its current definition (sanctions/db/__init__.py).
-- The search table of the 1- and 2-character grams of candidate public entries' names, keyed
-- (gram, publication_start, record_id), kept by triggers. Migrations 0015, 0018.
CREATE TABLE scs_public_name_char (
    gram text NOT NULL,
    publication_start date NOT NULL,
    record_id bigint NOT NULL,
    CONSTRAINT scs_public_name_char_pkey PRIMARY KEY (gram, publication_start, record_id)
);
ALTER TABLE scs_public_name_char ALTER COLUMN gram SET STATISTICS 1000;
ALTER TABLE scs_public_name_char SET (parallel_workers=0);
CREATE INDEX scs_public_name_char_record ON public.scs_public_name_char USING btree (record_id);
