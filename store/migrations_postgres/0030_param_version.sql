-- The twin of migrations/0030_param_version.sql: a counter that moves with
-- every change to the parameters, whichever process made it, so a process
-- keeps the parameters in memory and rereads them only when it has moved.
CREATE TABLE param_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  BIGINT NOT NULL
);

INSERT INTO param_version (id, n) VALUES (1, 1);

CREATE FUNCTION param_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE param_version SET n = n + 1 WHERE id = 1;
    RETURN NULL;
END $$;

CREATE TRIGGER parameters_version AFTER INSERT OR UPDATE OR DELETE ON parameters
    FOR EACH STATEMENT EXECUTE FUNCTION param_version_bump();
