package main

import (
	"github.com/spf13/cobra"

	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/regdesk/regdesk/store"
)

func mailCmd(e *env) *cobra.Command {
	return group("mail", "list the mail outbox", mailList(e))
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

func mailList(e *env) *cobra.Command {
	var status string
	var limit int
	var asJSON bool
	statuses := []string{store.MailQueued, store.MailSent, store.MailFailed}
	c := define("list", "list the mail outbox, oldest first", func(ctx context.Context, _ []string) error {
		if err := validStatus(status, statuses); err != nil {
			return err
		}
		if limit < 0 {
			return usageErrorf("--limit must be 0 or more")
		}
		db, _, err := e.open(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		ms, err := db.Read().Mails(ctx, store.ListMail{Status: status, Limit: limit, Oldest: true})
		if err != nil {
			return err
		}
		if asJSON {
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
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\n", m.ID, m.Status, m.Kind, cell(m.To, 32),
				cell(m.Subject, 40), m.Attempts, cell(m.LastError, 40))
		}
		return tw.Flush()
	})
	c.Flags().StringVar(&status, "status", "", "only mail in this status (queued, sent, failed)")
	c.Flags().IntVar(&limit, "limit", 100, "at most this many, oldest first (0 = all)")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	completeWith(c, "status", completeWords(statuses...))
	return c
}
