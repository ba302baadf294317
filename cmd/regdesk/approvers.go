package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"text/tabwriter"

	"golang.org/x/crypto/ssh"

	"github.com/regdesk/regdesk/store"
)

func runApprovers(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "approvers", map[string]func(context.Context, *env, []string) error{
		"add": approversAdd, "list": approversList, "remove": approversRemove,
	}, args)
}

var approverNameRE = regexp.MustCompile(`^[a-z][a-z0-9._-]{0,31}$`)

func approversAdd(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "approvers add")
	keyFile := f.String("key", "", "SSH public key file in authorized_keys form, or - for stdin")
	email := f.String("email", "", "address for the digest of new requests")
	pos, err := f.parse(args, "NAME")
	if err != nil {
		return err
	}
	name := pos[0]
	if !approverNameRE.MatchString(name) {
		return usageErrorf("approvers add: name %q: use 1-32 lowercase letters, digits, . _ - starting with a letter", name)
	}
	if *keyFile == "" {
		return usageErrorf("approvers add: --key FILE (or - for stdin) is required")
	}
	keys, err := readKeys(e, *keyFile)
	if err != nil {
		return err
	}
	db, _, err := f.openOrCreate(ctx, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		a, err := tx.InsertApprover(ctx, name, *email)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := tx.AddApproverKey(ctx, a.ID, k); err != nil {
				return fmt.Errorf("key %s is registered already", k.Fingerprint)
			}
		}
		return tx.InsertAudit(ctx, store.AuditEntry{Actor: "operator", Entity: store.EntityApprover,
			Ref: name, Action: "add_key", Detail: fmt.Sprintf("%d key(s)", len(keys))})
	})
	if err != nil {
		return fmt.Errorf("approvers add %s: %w", name, err)
	}
	for _, k := range keys {
		fmt.Fprintf(e.stdout, "approver %s: key %s added\n", name, k.Fingerprint)
	}
	return nil
}

// readKeys parses every public key in an authorized_keys-style input.
func readKeys(e *env, file string) ([]store.ApproverKey, error) {
	var r io.Reader = e.stdin
	if file != "-" {
		fh, err := os.Open(file)
		if err != nil {
			return nil, fmt.Errorf("approvers add: %w", err)
		}
		defer fh.Close()
		r = fh
	}
	var keys []store.ApproverKey
	sc := bufio.NewScanner(io.LimitReader(r, 1<<20))
	sc.Buffer(make([]byte, 64*1024), 64*1024)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		pk, comment, _, _, err := ssh.ParseAuthorizedKey([]byte(text))
		if err != nil {
			return nil, fmt.Errorf("approvers add: line %d is not an SSH public key: %v", line, err)
		}
		keys = append(keys, store.ApproverKey{
			PublicKey:   strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pk))),
			Fingerprint: ssh.FingerprintSHA256(pk), Comment: comment})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("approvers add: read key: %w", err)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("approvers add: no SSH public key found in %s", file)
	}
	return keys, nil
}

type approverJSON struct {
	Name  string   `json:"name"`
	Email string   `json:"email"`
	Keys  []string `json:"keys"`
}

func approversList(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "approvers list")
	asJSON := f.Bool("json", false, "print JSON")
	if _, err := f.parse(args); err != nil {
		return err
	}
	db, _, err := f.open(ctx, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	as, err := db.Read().Approvers(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]approverJSON, 0, len(as))
		for _, a := range as {
			j := approverJSON{Name: a.Name, Email: a.Email, Keys: []string{}}
			for _, k := range a.Keys {
				j.Keys = append(j.Keys, k.Fingerprint)
			}
			out = append(out, j)
		}
		return printJSON(e.stdout, out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tEMAIL\tKEY\tCOMMENT")
	for _, a := range as {
		if len(a.Keys) == 0 {
			fmt.Fprintf(tw, "%s\t%s\t-\t\n", a.Name, a.Email)
		}
		for _, k := range a.Keys {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Name, a.Email, k.Fingerprint, k.Comment)
		}
	}
	return tw.Flush()
}

func approversRemove(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "approvers remove")
	pos, err := f.parse(args, "NAME")
	if err != nil {
		return err
	}
	db, _, err := f.open(ctx, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteApprover(ctx, pos[0]); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, store.AuditEntry{Actor: "operator", Entity: store.EntityApprover,
			Ref: pos[0], Action: "remove"})
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "approver %s removed; their keys no longer open the Registration screen\n", pos[0])
	return nil
}
