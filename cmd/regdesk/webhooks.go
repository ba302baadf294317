package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
)

func webhooksCmd(e *env) *cobra.Command {
	return group("webhooks", "send signed events to other systems (Standard Webhooks)",
		webhooksAdd(e), webhooksList(e), webhooksRemove(e), webhooksTest(e), webhooksDeliveries(e))
}

func webhooksAdd(e *env) *cobra.Command {
	var events []string
	var secretFile string
	c := define("add URL", "register an endpoint; prints its secret once unless --secret-file gave it",
		func(ctx context.Context, args []string) error {
			if len(events) == 0 {
				return usageErrorf("webhooks add: --events is required (%s)", strings.Join(workflow.HookEvents, ","))
			}
			secret := ""
			if secretFile != "" {
				b, err := os.ReadFile(secretFile)
				if err != nil {
					return fmt.Errorf("webhooks add: --secret-file: %w", err)
				}
				if secret = strings.TrimSpace(string(b)); secret == "" {
					return usageErrorf("webhooks add: %s is empty; it should hold a whsec_ secret", secretFile)
				}
			}
			db, svc, err := e.openOrCreate(ctx, nil)
			if err != nil {
				return err
			}
			defer db.Close()
			ep, err := svc.AddWebhook(ctx, workflow.WebhookInput{URL: args[0], Events: events, Secret: secret, Actor: "operator"})
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "webhook %d: %s for %s\n", ep.ID, ep.URL, strings.Join(ep.Events, ","))
			if secretFile == "" {
				fmt.Fprintln(e.stderr, "its signing secret follows; it is shown only now:")
				fmt.Fprintln(e.stdout, ep.Secret)
			}
			return nil
		})
	c.Flags().StringSliceVar(&events, "events", nil, "events to send, comma-separated; any of "+strings.Join(workflow.HookEvents, ", "))
	c.Flags().StringVar(&secretFile, "secret-file", "", "file holding a Standard Webhooks secret (whsec_<base64>); default: a new one")
	return c
}

type webhookJSON struct {
	ID        int64     `json:"id"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

func webhooksList(e *env) *cobra.Command {
	var asJSON bool
	c := define("list", "list endpoints (secrets are never shown again)", func(ctx context.Context, _ []string) error {
		db, _, err := e.open(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		eps, err := db.Read().WebhookEndpoints(ctx)
		if err != nil {
			return err
		}
		if asJSON {
			out := make([]webhookJSON, 0, len(eps))
			for _, ep := range eps {
				out = append(out, webhookJSON{ID: ep.ID, URL: ep.URL, Events: ep.Events, CreatedAt: ep.CreatedAt, CreatedBy: ep.CreatedBy})
			}
			return printJSON(e.stdout, out)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tURL\tEVENTS\tCREATED")
		for _, ep := range eps {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", ep.ID, safe(ep.URL), strings.Join(ep.Events, ","), ep.CreatedAt.Format("2006-01-02 15:04"))
		}
		return tw.Flush()
	})
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func webhookID(cmd string, s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, usageErrorf("webhooks %s: ID %q is not a webhook number (see webhooks list)", cmd, s)
	}
	return id, nil
}

func webhooksRemove(e *env) *cobra.Command {
	return define("remove ID", "remove an endpoint and its deliveries", func(ctx context.Context, args []string) error {
		id, err := webhookID("remove", args[0])
		if err != nil {
			return err
		}
		db, svc, err := e.open(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		if err := svc.RemoveWebhook(ctx, id, "operator"); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "webhook %d removed\n", id)
		return nil
	})
}

func webhooksTest(e *env) *cobra.Command {
	return define("test ID", "queue a webhook.test event to an endpoint (a running serve sends it)", func(ctx context.Context, args []string) error {
		id, err := webhookID("test", args[0])
		if err != nil {
			return err
		}
		db, svc, err := e.open(ctx, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		d, err := svc.TestWebhook(ctx, id, "operator")
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "delivery %d (%s) queued to %s; see webhooks deliveries\n", d.ID, d.Event.EventID, safe(d.URL))
		return nil
	})
}

// deliveryJSON is the contract for scripts: webhooks deliveries --json.
type deliveryJSON struct {
	ID           int64      `json:"id"`
	Webhook      int64      `json:"webhook"`
	URL          string     `json:"url"`
	Event        string     `json:"event"`
	EventID      string     `json:"event_id"`
	Ref          string     `json:"ref"`
	Status       string     `json:"status"`
	Attempts     int        `json:"attempts"`
	ResponseCode int        `json:"response_code"`
	LastError    string     `json:"last_error"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	DeliveredAt  *time.Time `json:"delivered_at"`
}

func webhooksDeliveries(e *env) *cobra.Command {
	var status string
	var limit int
	var asJSON bool
	var retry int64
	c := define("deliveries", "list webhook deliveries, newest first; --retry ID queues a failed one again",
		func(ctx context.Context, _ []string) error {
			if err := validStatus(status, []string{store.DeliveryQueued, store.DeliveryDelivered, store.DeliveryFailed}); err != nil {
				return err
			}
			if limit < 0 {
				return usageErrorf("--limit must be 0 or more")
			}
			db, svc, err := e.open(ctx, nil)
			if err != nil {
				return err
			}
			defer db.Close()
			if retry != 0 {
				d, err := svc.RetryDelivery(ctx, retry, "operator")
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "delivery %d of %s queued again\n", d.ID, d.Event.Type)
				return nil
			}
			ds, err := db.Read().Deliveries(ctx, store.ListDeliveries{Status: status, Limit: limit})
			if err != nil {
				return err
			}
			if asJSON {
				out := make([]deliveryJSON, 0, len(ds))
				for _, d := range ds {
					out = append(out, deliveryJSON{ID: d.ID, Webhook: d.EndpointID, URL: d.URL, Event: d.Event.Type,
						EventID: d.Event.EventID, Ref: d.Event.Ref, Status: d.Status, Attempts: d.Attempts,
						ResponseCode: d.ResponseCode, LastError: d.LastError, CreatedAt: d.CreatedAt,
						UpdatedAt: d.UpdatedAt, DeliveredAt: d.DeliveredAt})
				}
				return printJSON(e.stdout, out)
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tCREATED\tEVENT\tREF\tWEBHOOK\tSTATUS\tTRIES\tCODE\tLAST ERROR")
			for _, d := range ds {
				code := ""
				if d.ResponseCode != 0 {
					code = strconv.Itoa(d.ResponseCode)
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%d\t%s\t%s\n", d.ID, d.CreatedAt.Format("2006-01-02 15:04"),
					d.Event.Type, safe(d.Event.Ref), d.EndpointID, d.Status, d.Attempts, code, cell(d.LastError, 60))
			}
			return tw.Flush()
		})
	c.Flags().StringVar(&status, "status", "", "only deliveries in this status (queued, delivered, failed)")
	c.Flags().IntVar(&limit, "limit", 100, "at most this many (0 = all)")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	c.Flags().Int64Var(&retry, "retry", 0, "queue this failed delivery again")
	return c
}
