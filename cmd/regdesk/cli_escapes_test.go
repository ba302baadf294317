package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/domain"
)

// hostile holds what a terminal acts on: clear screen, an OSC 52 clipboard
// write, 8-bit CSI and OSC, NEL and other C1 controls, NUL, DEL, a carriage
// return and a line break that would forge a line of output.
const hostile = "Evil\x1b[2J\x1b]52;c;ZXZpbA==\x07Co\u009b31m\u0085\u009d0;title\u009c\x00\x7f\r\nForged\tline"

// TestCLI_PrintsDatabaseTextSafely: the CLI printed database text as stored,
// so a company name could clear an operator's screen or write to their
// clipboard. Text output now goes through the TUI's sanitiser; --json stays
// exact.
func TestCLI_PrintsDatabaseTextSafely(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	data := t.TempDir()
	db, err := store.Open(ctx, filepath.Join(data, store.DBFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// As a database restored from before the workflow refused control
	// characters could hold them.
	r := store.Request{Number: "REG-900001", Status: domain.Approved, CompanyName: hostile,
		Street: hostile, City: "Springfield", PostalCode: "62701", Country: "US", FirstName: hostile,
		LastName: "Tester", Email: "evil@example.test", Phone: "+1 217 555 0100", Username: "evil" + hostile,
		PasswordHash: "$argon2id$test", JobTitle: hostile, RejectReason: hostile, RejectComment: hostile}
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		if err := tx.InsertRequest(ctx, &r); err != nil {
			return err
		}
		if err := tx.InsertAudit(ctx, store.AuditEntry{Actor: hostile, Entity: store.EntityRequest,
			Ref: r.Number, Action: "note", Detail: hostile}); err != nil {
			return err
		}
		return tx.InsertMail(ctx, &store.Mail{MessageID: "<evil@regdesk.test>", Kind: "activation",
			Ref: r.Number, To: "evil@example.test", Subject: hostile, Text: hostile})
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if out, err := inproc(t, "requests", "create", r.Number, "--as", "alice", "--data", data); err != nil {
		t.Fatalf("requests create: %v", err)
	} else {
		assertTerminalSafe(t, "requests create", out)
	}

	for _, args := range [][]string{
		{"requests", "list"},
		{"requests", "show", r.Number},
		{"user-requests", "list"},
		{"customers", "list"},
		{"mail", "list"},
	} {
		name := strings.Join(args, " ")
		out, err := inproc(t, append(args, "--data", data)...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		assertTerminalSafe(t, name, out)
		if !strings.Contains(out, "Evil") {
			t.Errorf("%s: the printable text is gone:\n%s", name, out)
		}
		// The JSON is exact: it escapes what it must and changes nothing.
		js, err := inproc(t, append(args, "--json", "--data", data)...)
		if err != nil {
			t.Fatalf("%s --json: %v", name, err)
		}
		if strings.ContainsAny(js, "\x1b\x00\r") {
			t.Errorf("%s --json holds raw control bytes", name)
		}
		var v any
		if err := json.Unmarshal([]byte(js), &v); err != nil {
			t.Fatalf("%s --json: %v", name, err)
		}
		if !holds(v, hostile) {
			t.Errorf("%s --json does not hold the stored text exactly:\n%s", name, js)
		}
	}
}

// assertTerminalSafe fails on ESC, 8-bit CSI, any C0 control but line feed
// and tab, DEL and any C1 control, and on a line that the stored text forged.
func assertTerminalSafe(t *testing.T, name, out string) {
	t.Helper()
	for i := 0; i < len(out); {
		c, size := utf8.DecodeRuneInString(out[i:])
		switch {
		case out[i] == 0x1b || out[i] == 0x9b:
			t.Errorf("%s: byte %#x at %d in %q", name, out[i], i, out)
			return
		case c == '\n' || c == '\t':
		case c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0):
			t.Errorf("%s: control %U at %d in %q", name, c, i, out)
			return
		}
		i += size
	}
	for line := range strings.SplitSeq(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "Forged") {
			t.Errorf("%s: stored text forged a line: %q", name, line)
		}
	}
}

// holds reports whether one of a decoded JSON value's strings holds s as stored.
func holds(v any, s string) bool {
	switch v := v.(type) {
	case string:
		return strings.Contains(v, s)
	case []any:
		for _, e := range v {
			if holds(e, s) {
				return true
			}
		}
	case map[string]any:
		for _, e := range v {
			if holds(e, s) {
				return true
			}
		}
	}
	return false
}
