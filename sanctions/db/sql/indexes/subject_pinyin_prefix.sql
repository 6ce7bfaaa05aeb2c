-- index subject_pinyin_prefix: its current definition (sanctions/db/__init__.py).
-- Pinyin prefixes, with or without spaces. Migration 0009 (statistics: 0017).
CREATE INDEX subject_pinyin_prefix ON public.sanctions_subject USING btree (replace((name_pinyin)::text, ' '::text, ''::text) text_pattern_ops);
ALTER INDEX subject_pinyin_prefix ALTER COLUMN 1 SET STATISTICS 5000;
