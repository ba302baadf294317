package domain

// ActorLabel names who did something in the audit trail: the approver (or
// user, or "system") and, for a local command or TUI, the operating-system
// account it ran as, which --as cannot change: "alice (os: root)".
func ActorLabel(actor, osUser string) string {
	if osUser == "" {
		return actor
	}
	return actor + " (os: " + osUser + ")"
}
