-- The operating-system account a local command or TUI ran as, beside the
-- approver it named with --as; empty where the server authenticated the actor
-- (SSH key, portal login) or the action was the system's own.
ALTER TABLE audit ADD COLUMN os_user TEXT NOT NULL DEFAULT '';
