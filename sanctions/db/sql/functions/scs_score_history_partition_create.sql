-- function scs_score_history_partition_create: its current definition (sanctions/db/definitions.py).
-- Creates a month's partition of the score history, moving its rows out of DEFAULT, as the
-- tables' owner (the app role may not run DDL; sanctions.scoring.partitions). Migration 0033.
CREATE OR REPLACE FUNCTION public.scs_score_history_partition_create(month date)
 RETURNS bigint
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
-- Create the partition of sanctions_scorehistory for the calendar month (UTC) of `month`
-- and move that month's rows out of the DEFAULT partition into it. Returns the number of
-- rows moved, or NULL when the partition exists. Runs as the tables' owner: the app role
-- may not run DDL. Callers serialise on an advisory lock (sanctions.scoring.partitions).
DECLARE
    lower_bound timestamptz := date_trunc('month', month::timestamp) AT TIME ZONE 'UTC';
    upper_bound timestamptz :=
        (date_trunc('month', month::timestamp) + interval '1 month') AT TIME ZONE 'UTC';
    partition_name text := 'sanctions_scorehistory_p' || to_char(month, 'YYYYMM');
    moved bigint;
BEGIN
    IF to_regclass(partition_name) IS NOT NULL THEN
        RETURN NULL;
    END IF;
    -- no new row may reach DEFAULT until the month has its partition
    LOCK TABLE sanctions_scorehistory_default IN SHARE ROW EXCLUSIVE MODE;
    EXECUTE format('CREATE TABLE public.%I (LIKE sanctions_scorehistory'
                   ' INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)',
                   partition_name);
    -- the CHECK lets ATTACH skip scanning the new table; dropped once attached
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I'
                   ' CHECK (computed_at >= %L AND computed_at < %L)',
                   partition_name, partition_name || '_range', lower_bound, upper_bound);
    EXECUTE format('WITH moved AS (DELETE FROM sanctions_scorehistory_default'
                   '  WHERE computed_at >= $1 AND computed_at < $2 RETURNING *)'
                   ' INSERT INTO %I SELECT * FROM moved', partition_name)
        USING lower_bound, upper_bound;
    GET DIAGNOSTICS moved = ROW_COUNT;
    EXECUTE format('ALTER TABLE sanctions_scorehistory ATTACH PARTITION %I'
                   ' FOR VALUES FROM (%L) TO (%L)', partition_name, lower_bound, upper_bound);
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I',
                   partition_name, partition_name || '_range');
    RETURN moved;
END
$function$;
