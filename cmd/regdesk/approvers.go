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

	"github.com/spf13/cobra"
	"golang.org/x/crypto/ssh"

	"github.com/regdesk/regdesk/store"
)

func approversCmd(e *env) *cobra.Command {
	return group("approvers", "add, list and remove approvers and their SSH keys",
		approversAdd(e), approversList(e), approversRemove(e))
}

var approverNameRE = regexp.MustCompile(`^[a-z][a-z0-9._-]{0,31}$`)

func approversAdd(e *env) *cobra.Command {
	var keyFile, email string
	c := define("add NAME", "register an approver and their SSH keys (creates the database)", func(ctx context.Context, args []string) error {
		name := args[0]
		if !approverNameRE.MatchString(name) {
			return usageErrorf("approvers add: name %q: use 1-32 lowercase letters, digits, . _ - starting with a letter", name)
		}
		if keyFile == "" {
			return usageErrorf("approvers add: --key FILE (or - for stdin) is required")
		}
		keys, err := readKeys(e, keyFile)
		if err != nil {
			return err
		}
		db, _, err := e.openOrCreate(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		err = db.WithTx(ctx, func(tx *store.Tx) error {
			a, err := tx.InsertApprover(ctx, name, email)
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
	})
	c.Flags().StringVar(&keyFile, "key", "", "SSH public key file in authorized_keys form, or - for stdin")
	c.Flags().StringVar(&email, "email", "", "address for the digest of new requests")
	c.ValidArgsFunction = cobra.NoFileCompletions
	return c
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

func approversList(e *env) *cobra.Command {
	var asJSON bool
	c := define("list", "list approvers and their key fingerprints", func(ctx context.Context, _ []string) error {
		db, _, err := e.open(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		as, err := db.Read().Approvers(ctx)
		if err != nil {
			return err
		}
		if asJSON {
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
		return printApprovers(e.stdout, as)
	})
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func printApprovers(w io.Writer, as []store.Approver) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tEMAIL\tKEY\tCOMMENT")
	for _, a := range as {
		if len(a.Keys) == 0 {
			fmt.Fprintf(tw, "%s\t%s\t-\t\n", safe(a.Name), safe(a.Email))
		}
		for _, k := range a.Keys {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", safe(a.Name), safe(a.Email), k.Fingerprint, safe(k.Comment))
		}
	}
	return tw.Flush()
}

func approversRemove(e *env) *cobra.Command {
	c := define("remove NAME", "remove an approver; their keys no longer open the Registration screen", func(ctx context.Context, args []string) error {
		db, _, err := e.open(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		err = db.WithTx(ctx, func(tx *store.Tx) error {
			if err := tx.DeleteApprover(ctx, args[0]); err != nil {
				return err
			}
			return tx.InsertAudit(ctx, store.AuditEntry{Actor: "operator", Entity: store.EntityApprover,
				Ref: args[0], Action: "remove"})
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "approver %s removed; their keys no longer open the Registration screen\n", args[0])
		return nil
	})
	c.ValidArgsFunction = func(c *cobra.Command, args []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return completeApprovers(e)(c, args, prefix)
	}
	return c
}
