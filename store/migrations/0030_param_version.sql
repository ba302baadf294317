-- A counter that moves with every change to the parameters, whichever
-- process or tool made it, so a process can keep the parameters in memory
-- and reread them only when the counter has moved (one row read per use).
CREATE TABLE param_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
) STRICT;

INSERT INTO param_version (id, n) VALUES (1, 1);

CREATE TRIGGER parameters_version_insert AFTER INSERT ON parameters BEGIN
    UPDATE param_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER parameters_version_update AFTER UPDATE ON parameters BEGIN
    UPDATE param_version SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER parameters_version_delete AFTER DELETE ON parameters BEGIN
    UPDATE param_version SET n = n + 1 WHERE id = 1;
END;
