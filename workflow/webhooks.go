package workflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/webhook"
)

// Webhook event types. Each is recorded in the transaction of its change.
const (
	HookRequestVerified = "request.verified"
	HookRequestApproved = "request.approved"
	HookRequestRejected = "request.rejected"
	HookCustomerCreated = "customer.created"
	HookUserProvisioned = "user.provisioned"
	HookUserInactivated = "user.inactivated"
	// HookTest is what `webhooks test` sends; endpoints need not subscribe.
	HookTest = "webhook.test"
)

// HookEvents lists the event types an endpoint can subscribe to.
var HookEvents = []string{HookRequestVerified, HookRequestApproved, HookRequestRejected,
	HookCustomerCreated, HookUserProvisioned, HookUserInactivated}

// Envelope is the body of every webhook.
type Envelope struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      any       `json:"data"`
}

// CustomerCreatedData is the data of customer.created: everything a
// receiver needs to create the customer in its own system.
type CustomerCreatedData struct {
	Account       string            `json:"account"`
	NewCustomer   bool              `json:"new_customer"` // false: the contact joined an existing account
	RequestNumber string            `json:"request_number"`
	Customer      CustomerRecord    `json:"customer"`
	Contact       ContactRecord     `json:"contact"`
	UserRequest   UserRequestRecord `json:"user_request"`
}

// UserData is the data of user.provisioned and user.inactivated.
type UserData struct {
	Username      string        `json:"username"`
	Email         string        `json:"email"`
	Role          string        `json:"role"`
	Active        bool          `json:"active"`
	Account       string        `json:"account"`
	UserRequest   string        `json:"user_request"`
	RequestNumber string        `json:"request_number"`
	Contact       ContactRecord `json:"contact"`
	InactivatedAt *time.Time    `json:"inactivated_at"`
	InactivatedBy string        `json:"inactivated_by"`
}

// TestData is the data of webhook.test.
type TestData struct {
	Endpoint int64  `json:"endpoint"`
	Message  string `json:"message"`
}

// emit records an event in tx and queues a delivery to every endpoint
// subscribed to its type; with no subscriber nothing is recorded. ref is
// the registration number (or user name) it is about, so a privacy erasure
// finds it.
func (s *Service) emit(ctx context.Context, tx *store.Tx, typ, ref string, data any) error {
	endpoints, err := tx.WebhookEndpoints(ctx)
	if err != nil {
		return err
	}
	endpoints = slices.DeleteFunc(endpoints, func(e store.WebhookEndpoint) bool { return !e.Subscribes(typ) })
	if len(endpoints) == 0 {
		return nil
	}
	return s.record(ctx, tx, typ, ref, data, endpoints)
}

func (s *Service) record(ctx context.Context, tx *store.Tx, typ, ref string, data any, to []store.WebhookEndpoint) error {
	now := s.now().UTC().Truncate(time.Millisecond)
	body, err := json.Marshal(Envelope{Type: typ, Timestamp: now, Data: data})
	if err != nil {
		return fmt.Errorf("workflow: %s event: %w", typ, err)
	}
	ev := &store.WebhookEvent{EventID: "msg_" + randomToken(18), Type: typ, Ref: ref, Payload: body, CreatedAt: now}
	if err := tx.InsertWebhookEvent(ctx, ev); err != nil {
		return err
	}
	for _, e := range to {
		d := &store.Delivery{EventID: ev.ID, EndpointID: e.ID}
		if err := tx.InsertDelivery(ctx, d); err != nil {
			return err
		}
		if s.jobs != nil {
			if err := s.jobs.WebhookQueued(ctx, tx, d.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// emitRequest records a request event with the request as it is now.
func (s *Service) emitRequest(ctx context.Context, tx *store.Tx, typ string, r store.Request) error {
	return s.emit(ctx, tx, typ, r.Number, NewRequestRecord(r))
}

// emitUser records a user event.
func (s *Service) emitUser(ctx context.Context, tx *store.Tx, typ string, u store.User) error {
	d := UserData{Username: u.Username, Email: u.Email, Role: u.Role, Active: u.Active,
		InactivatedAt: u.InactivatedAt, InactivatedBy: u.InactivatedBy}
	c, err := tx.CustomerByID(ctx, u.CustomerID)
	if err != nil {
		return err
	}
	d.Account = c.Account
	contact, err := tx.ContactByID(ctx, u.ContactID)
	if err != nil {
		return err
	}
	d.Contact = NewContactRecord(contact)
	ref := u.Username
	if u.UserRequestID != nil {
		ur, err := tx.UserRequestByID(ctx, *u.UserRequestID)
		if err != nil {
			return err
		}
		d.UserRequest, d.RequestNumber = ur.Number, ur.RequestNumber
		if ur.RequestNumber != "" {
			ref = ur.RequestNumber
		}
	}
	return s.emit(ctx, tx, typ, ref, d)
}

// WebhookInput is a new endpoint. An empty Secret makes a new one.
type WebhookInput struct {
	URL    string
	Events []string
	Secret string
	Actor  string
}

// AddWebhook registers an endpoint. The returned endpoint carries the secret,
// to be shown once.
func (s *Service) AddWebhook(ctx context.Context, in WebhookInput) (store.WebhookEndpoint, error) {
	var out store.WebhookEndpoint
	if err := checkActor(in.Actor); err != nil {
		return out, err
	}
	if err := webhook.ValidateURL(in.URL); err != nil {
		return out, &FieldError{Field: "url", Message: err.Error()}
	}
	events, err := parseEvents(in.Events)
	if err != nil {
		return out, err
	}
	secret := strings.TrimSpace(in.Secret)
	if secret == "" {
		secret = webhook.NewSecret()
	} else if _, err := webhook.ParseSecret(secret); err != nil {
		return out, &FieldError{Field: "secret", Message: err.Error()}
	}
	out = store.WebhookEndpoint{URL: in.URL, Events: events, Secret: secret, CreatedBy: in.Actor}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		if err := tx.InsertWebhookEndpoint(ctx, &out); err != nil {
			return err
		}
		return audit(ctx, tx, in.Actor, store.EntityWebhook, strconv.FormatInt(out.ID, 10), "add",
			in.URL+" for "+strings.Join(events, ","))
	})
	if err != nil {
		return out, fmt.Errorf("add webhook: %w", err)
	}
	s.log.Info("webhook added", "webhook", out.ID, "url", out.URL, "events", events, "actor", in.Actor)
	return out, nil
}

// parseEvents checks event names (each may hold commas) and returns them
// once each, in the order of HookEvents.
func parseEvents(in []string) ([]string, error) {
	want := map[string]bool{}
	for _, item := range in {
		for e := range strings.SplitSeq(item, ",") {
			if e = strings.TrimSpace(e); e == "" {
				continue
			}
			if !slices.Contains(HookEvents, e) {
				return nil, &FieldError{Field: "events", Message: fmt.Sprintf("unknown event %q; use %s",
					e, strings.Join(HookEvents, ", "))}
			}
			want[e] = true
		}
	}
	if len(want) == 0 {
		return nil, &FieldError{Field: "events", Message: "name at least one event: " + strings.Join(HookEvents, ", ")}
	}
	var out []string
	for _, e := range HookEvents {
		if want[e] {
			out = append(out, e)
		}
	}
	return out, nil
}

// RemoveWebhook deletes an endpoint and its deliveries.
func (s *Service) RemoveWebhook(ctx context.Context, id int64, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		e, err := tx.WebhookEndpointByID(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteWebhookEndpoint(ctx, id); err != nil {
			return err
		}
		return audit(ctx, tx, actor, store.EntityWebhook, strconv.FormatInt(id, 10), "remove", e.URL)
	})
	if err != nil {
		return fmt.Errorf("remove webhook #%d: %w", id, err)
	}
	s.log.Info("webhook removed", "webhook", id, "actor", actor)
	return nil
}

// TestWebhook queues a webhook.test event to one endpoint and returns its
// delivery, which the job queue sends like any other.
func (s *Service) TestWebhook(ctx context.Context, id int64, actor string) (store.Delivery, error) {
	var out store.Delivery
	if err := checkActor(actor); err != nil {
		return out, err
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		e, err := tx.WebhookEndpointByID(ctx, id)
		if err != nil {
			return err
		}
		if err := s.record(ctx, tx, HookTest, "", TestData{Endpoint: id,
			Message: "a test from regdesk, sent by " + actor}, []store.WebhookEndpoint{e}); err != nil {
			return err
		}
		ds, err := tx.Deliveries(ctx, store.ListDeliveries{EndpointID: id, Limit: 1})
		if err != nil {
			return err
		}
		if len(ds) == 0 {
			return errors.New("the test delivery vanished")
		}
		out = ds[0]
		return audit(ctx, tx, actor, store.EntityWebhook, strconv.FormatInt(id, 10), "test", e.URL)
	})
	if err != nil {
		return out, fmt.Errorf("test webhook #%d: %w", id, err)
	}
	return out, nil
}

// RetryDelivery puts a failed delivery back in the queue, with its audit
// row and its job, in one transaction.
func (s *Service) RetryDelivery(ctx context.Context, id int64, actor string) (store.Delivery, error) {
	var out store.Delivery
	if err := checkActor(actor); err != nil {
		return out, err
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		d, err := tx.DeliveryByID(ctx, id)
		if err != nil {
			return err
		}
		if d.Status != store.DeliveryFailed {
			return &FieldError{Field: "id", Message: fmt.Sprintf("delivery #%d is %s; only a failed delivery can be retried", id, d.Status)}
		}
		if err := tx.RequeueDelivery(ctx, id); err != nil {
			return err
		}
		if err := audit(ctx, tx, actor, store.EntityWebhook, strconv.FormatInt(d.EndpointID, 10), "retry",
			d.Event.Type+" delivery #"+strconv.FormatInt(id, 10)); err != nil {
			return err
		}
		if s.jobs != nil {
			if err := s.jobs.WebhookQueued(ctx, tx, id); err != nil {
				return err
			}
		}
		out, err = tx.DeliveryByID(ctx, id)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("retry delivery #%d: %w", id, err)
	}
	s.log.Info("webhook delivery requeued", "delivery", id, "actor", actor)
	return out, nil
}
