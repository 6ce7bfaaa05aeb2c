CREATE TRIGGER citizens_creditreportverification_append_only
    BEFORE DELETE OR UPDATE
    ON citizens_creditreportverification
    FOR EACH ROW
    EXECUTE FUNCTION sanctions_refuse_change();
