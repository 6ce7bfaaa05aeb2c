-- function scs_score_history_partition_drop: its current definition (sanctions/db/definitions.py).
-- Detaches and drops a month's partition of the score history (>= 12 months old), as the
-- tables' owner (the app role may not run DDL; sanctions.scoring.partitions). Migration 0033.
CREATE OR REPLACE FUNCTION public.scs_score_history_partition_drop(month date)
 RETURNS bigint
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
-- Detach and drop the partition of sanctions_scorehistory for the calendar month (UTC) of
-- `month`. Returns the number of rows it held, or NULL when there is no such partition.
-- Refuses a month that ended less than 12 months ago. Runs as the tables' owner.
DECLARE
    partition_name text := 'sanctions_scorehistory_p' || to_char(month, 'YYYYMM');
    partition regclass := to_regclass(partition_name);
    held bigint;
BEGIN
    IF date_trunc('month', month::timestamp) + interval '1 month'
       > date_trunc('month', now() AT TIME ZONE 'UTC') - interval '12 months' THEN
        RAISE EXCEPTION 'score history of % is less than 12 months old: not dropped',
            to_char(month, 'YYYY-MM');
    END IF;
    IF partition IS NULL OR NOT EXISTS (
        SELECT 1 FROM pg_inherits
        WHERE inhrelid = partition AND inhparent = 'sanctions_scorehistory'::regclass
    ) THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT count(*) FROM %s', partition) INTO held;
    EXECUTE format('ALTER TABLE sanctions_scorehistory DETACH PARTITION %s', partition);
    EXECUTE format('DROP TABLE %s', partition);
    RETURN held;
END
$function$;
