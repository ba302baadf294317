package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/regdesk/regdesk/store"
)

func runMail(ctx context.Context, e *env, args []string) error {
	return dispatch(ctx, e, "mail", map[string]func(context.Context, *env, []string) error{
		"list": mailList,
	}, args)
}

type mailJSON struct {
	ID        int64      `json:"id"`
	MessageID string     `json:"message_id"`
	Kind      string     `json:"kind"`
	Ref       string     `json:"ref"`
	To        string     `json:"to"`
	Subject   string     `json:"subject"`
	Status    string     `json:"status"`
	Attempts  int        `json:"attempts"`
	LastError string     `json:"last_error"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at"`
}

func mailList(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "mail list")
	status := f.String("status", "", "only mail in this status (queued, sent, failed)")
	limit := f.Int("limit", 100, "at most this many, oldest first (0 = all)")
	asJSON := f.Bool("json", false, "print JSON")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if err := validStatus(*status, []string{store.MailQueued, store.MailSent, store.MailFailed}); err != nil {
		return err
	}
	if *limit < 0 {
		return usageErrorf("--limit must be 0 or more")
	}
	db, _, err := f.open(ctx, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	ms, err := db.Read().Mails(ctx, store.ListMail{Status: *status, Limit: *limit, Oldest: true})
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]mailJSON, 0, len(ms))
		for _, m := range ms {
			out = append(out, mailJSON{ID: m.ID, MessageID: m.MessageID, Kind: m.Kind, Ref: m.Ref,
				To: m.To, Subject: m.Subject, Status: m.Status, Attempts: m.Attempts,
				LastError: m.LastError, CreatedAt: m.CreatedAt, SentAt: m.SentAt})
		}
		return printJSON(e.stdout, out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tKIND\tTO\tSUBJECT\tATTEMPTS\tLAST ERROR")
	for _, m := range ms {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\n", m.ID, m.Status, m.Kind, clip(m.To, 32),
			clip(m.Subject, 40), m.Attempts, clip(m.LastError, 40))
	}
	return tw.Flush()
}
