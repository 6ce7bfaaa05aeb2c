CREATE TRIGGER citizens_creditreportverification_no_truncate
    BEFORE TRUNCATE
    ON citizens_creditreportverification
    FOR EACH STATEMENT
    EXECUTE FUNCTION sanctions_refuse_truncate();
