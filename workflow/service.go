package workflow

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/locale"
)

// Enqueuer hands work to the job queue inside the transaction that created
// it, so the work and its reason commit together. A nil Enqueuer leaves mail
// queued in the outbox for the next worker that starts.
type Enqueuer interface {
	MailQueued(ctx context.Context, tx *store.Tx, mailID int64) error
	UserRequestSubmitted(ctx context.Context, tx *store.Tx, userRequestID int64) error
	WebhookQueued(ctx context.Context, tx *store.Tx, deliveryID int64) error
	// LinkRequested queues the handling of a link request (SendRequestedLink).
	LinkRequested(ctx context.Context, tx *store.Tx, linkRequestID int64) error
}

// Config holds the Service's dependencies.
type Config struct {
	DB *store.DB
	// BaseURL is the public portal URL used in links when the portal.base_url
	// parameter is empty.
	BaseURL string
	Jobs    Enqueuer
	Logger  *slog.Logger
	// Secrets seals the customers' authenticator secrets (see LoadSecrets);
	// without it two-step login cannot be set up or checked.
	Secrets *Secrets
	// DisposableDomains are added to the built-in list of disposable-mail
	// domains (see ReadDomainList).
	DisposableDomains []string
}

// Service applies the process: every action runs in one transaction together
// with its audit row and any outbox row.
type Service struct {
	db      *store.DB
	baseURL string
	jobs    Enqueuer
	log     *slog.Logger
	sec     *Secrets
	risk    *RiskLists
	params  ParamCache
	// challengeKey seals sign-up challenges: the secrets key, so that
	// challenges survive a restart, or a key of this process's own.
	challengeKey *Secrets
	alerts       alertThrottle
}

// New returns a Service.
func New(cfg Config) *Service {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	challengeKey := cfg.Secrets
	if challengeKey == nil {
		key := make([]byte, secretsKeySize)
		_, _ = rand.Read(key) // crypto/rand.Read never fails (Go 1.24+)
		challengeKey, _ = NewSecrets(key)
	}
	return &Service{db: cfg.DB, baseURL: strings.TrimRight(cfg.BaseURL, "/"), jobs: cfg.Jobs,
		log: log.With("component", "workflow"), sec: cfg.Secrets, risk: NewRiskLists(cfg.DisposableDomains),
		challengeKey: challengeKey, alerts: alertThrottle{checked: map[string]time.Time{}}}
}

// DB is the service's store.
func (s *Service) DB() *store.DB { return s.db }

// Params returns the current parameters through the service's cache: q is
// a transaction's queries or the read pool.
func (s *Service) Params(ctx context.Context, q *store.Queries) (Params, error) {
	return s.params.Get(ctx, q)
}

// ParamsAt returns the parameters of version v, which the caller has just
// read (see [store.Queries.SignupState]).
func (s *Service) ParamsAt(ctx context.Context, q *store.Queries, v int64) (Params, error) {
	return s.params.At(ctx, q, v)
}

// SetJobs installs the job queue once it exists (it needs the store first).
func (s *Service) SetJobs(j Enqueuer) { s.jobs = j }

func (s *Service) now() time.Time { return s.db.Now() }

// portalURL is the base of every link in mail.
func (s *Service) portalURL(p Params) string {
	if u := p.String(ParamBaseURL); u != "" {
		return strings.TrimRight(u, "/")
	}
	if s.baseURL != "" {
		return s.baseURL
	}
	return "http://127.0.0.1:8080"
}

// queueMail renders a template and writes it to the outbox in tx.
func (s *Service) queueMail(ctx context.Context, tx *store.Tx, p Params, kind, tmplKey, ref, to string, d MailData) error {
	if d.PortalURL == "" {
		d.PortalURL = s.portalURL(p)
	}
	// The reader's language picks the template (KEY.LANG) and the words
	// filled in: how long a link works, the reason for a rejection.
	lang := locale.Match(d.lang)
	d.lang = lang.String()
	pr := mailCatalog.Printer(lang)
	if d.expires > 0 {
		d.ExpiresIn = pr.Duration(d.expires)
	}
	if d.reason != "" {
		d.Reason = pr.Sprintf(ReasonLabel(d.reason))
	}
	tmplKey = TemplateKey(tmplKey, lang)
	// The working link stays out of the rendered row: the row says
	// LinkMarker until the worker sends the mail (see store.Mail.Link).
	link := d.Link
	if link != "" {
		d.Link = store.LinkMarker
	}
	m, err := RenderMail(p.String(tmplKey), d)
	if err != nil {
		// A template that passed validation cannot fail here; fall back to the
		// default rather than lose the mail.
		def, _ := ParamDefByKey(tmplKey)
		s.log.Error("mail template failed, using the default", "template", tmplKey, "err", err)
		if m, err = RenderMail(def.Default, d); err != nil {
			return fmt.Errorf("workflow: render %s mail: %w", kind, err)
		}
	}
	row := &store.Mail{MessageID: newMessageID(p.String(ParamMailFrom)), Kind: kind, Ref: ref,
		To: to, Subject: m.Subject, Text: m.Text, HTML: m.HTML, Link: link}
	if err := tx.InsertMail(ctx, row); err != nil {
		return err
	}
	if s.jobs != nil {
		return s.jobs.MailQueued(ctx, tx, row.ID)
	}
	return nil
}

func newMessageID(from string) string {
	domain := "regdesk.localhost"
	if a, err := mail.ParseAddress(from); err == nil {
		// Only a host name goes into the Message-ID; a domain literal
		// ("a@[127.0.0.1]") or odd characters would make it invalid.
		if _, d, ok := strings.Cut(a.Address, "@"); ok && hostnameRE.MatchString(d) {
			domain = d
		}
	}
	return "<" + randomToken(18) + "@" + domain + ">"
}

var hostnameRE = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.?)*$`)

// randomToken returns n random bytes, base64url-encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken is the stored form of a link token.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func audit(ctx context.Context, tx *store.Tx, actor, entity, ref, action, detail string) error {
	return tx.InsertAudit(ctx, store.AuditEntry{Actor: actor, Entity: entity, Ref: ref,
		Action: action, Detail: detail})
}

// changed explains why a request could not take an event: who moved it on.
func changed(ctx context.Context, q *store.Queries, r store.Request, err error) error {
	ce := &ChangedError{Number: r.Number, Status: string(r.Status), Err: err}
	if cur, rerr := q.RequestByID(ctx, r.ID); rerr == nil {
		ce.Status = string(cur.Status)
	}
	if last, lerr := q.LastAudit(ctx, store.EntityRequest, r.Number); lerr == nil {
		ce.By, ce.At, ce.Action = last.Actor, last.At, last.Action
	}
	return ce
}

// transition moves a request on event in tx, conditionally on its version,
// and writes the audit row.
func (s *Service) transition(ctx context.Context, tx *store.Tx, r store.Request, version int64,
	event string, c store.RequestChange, detail string) (store.Request, error) {
	to, err := NextRequest(r.Status, event)
	if err != nil {
		return r, changed(ctx, &tx.Queries, r, err)
	}
	if version != 0 && version != r.Version {
		return r, changed(ctx, &tx.Queries, r, ErrConflict)
	}
	c.ID, c.From, c.To, c.Version = r.ID, r.Status, to, r.Version
	if err := tx.UpdateRequestStatus(ctx, c); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return r, changed(ctx, &tx.Queries, r, err)
		}
		return r, err
	}
	if err := audit(ctx, tx, c.Actor, store.EntityRequest, r.Number, event, detail); err != nil {
		return r, err
	}
	return tx.RequestByID(ctx, r.ID)
}

// checkActor refuses a missing or unprintable actor: the name goes into the
// audit trail and is shown in terminals.
func checkActor(actor string) error {
	if strings.TrimSpace(actor) == "" {
		return &FieldError{Field: "as", Message: "say who is acting (--as APPROVER)"}
	}
	if len(actor) > 64 || !utf8.ValidString(actor) || strings.IndexFunc(actor, func(r rune) bool {
		return !unicode.IsPrint(r)
	}) >= 0 {
		return &FieldError{Field: "as", Message: "the actor's name must be printable text of at most 64 bytes"}
	}
	if strings.ContainsAny(actor, "()") {
		// The audit trail shows a local actor as "alice (os: root)"; a name
		// must not forge that part.
		return &FieldError{Field: "as", Message: "the actor's name must not hold parentheses"}
	}
	return nil
}

// Action identifies a request and who acts on it. Version, when not zero, is
// the version the actor saw: if the request changed since, the action is
// refused with who changed it.
type Action struct {
	Number  string
	Actor   string
	Version int64
}

// Approve approves a verified request.
func (s *Service) Approve(ctx context.Context, a Action) (store.Request, error) {
	if err := checkActor(a.Actor); err != nil {
		return store.Request{}, err
	}
	var out store.Request
	// Decisions made at once (a bulk decision's) share a commit, each in its
	// own savepoint; once its turn comes a decision runs to its end.
	err := s.db.WithBatchedTx(ctx, func(tx *store.Tx) error {
		ctx := context.WithoutCancel(ctx)
		r, err := tx.RequestByNumber(ctx, a.Number)
		if err != nil {
			return err
		}
		out, err = s.transition(ctx, tx, r, a.Version, EventApprove,
			store.RequestChange{Actor: a.Actor, Decided: true}, "")
		if err != nil {
			return err
		}
		return s.emitRequest(ctx, tx, HookRequestApproved, out)
	})
	if err != nil {
		return out, fmt.Errorf("approve %s: %w", a.Number, err)
	}
	s.log.Info("request approved", "number", a.Number, "actor", a.Actor)
	return out, nil
}

// Reject rejects a verified or approved request with a reason code from the
// parameters and an optional comment for the prospect, who is emailed.
func (s *Service) Reject(ctx context.Context, a Action, reason, comment string) (store.Request, error) {
	if err := checkActor(a.Actor); err != nil {
		return store.Request{}, err
	}
	comment = strings.TrimSpace(comment)
	if len([]rune(comment)) > 1000 {
		return store.Request{}, &FieldError{Field: "comment", Message: "at most 1000 characters"}
	}
	var out store.Request
	err := s.db.WithBatchedTx(ctx, func(tx *store.Tx) error { // as Approve
		ctx := context.WithoutCancel(ctx)
		p, err := s.Params(ctx, &tx.Queries)
		if err != nil {
			return err
		}
		reasons := p.RejectReasons()
		if !slices.Contains(reasons, reason) {
			return &FieldError{Field: "reason", Message: fmt.Sprintf("unknown reason %q; use one of %s",
				reason, strings.Join(reasons, ", "))}
		}
		if reason == "other" && comment == "" {
			return &FieldError{Field: "comment", Message: `with reason "other", say why in a comment: the prospect reads it`}
		}
		r, err := tx.RequestByNumber(ctx, a.Number)
		if err != nil {
			return err
		}
		out, err = s.transition(ctx, tx, r, a.Version, EventReject, store.RequestChange{
			Actor: a.Actor, Decided: true, Reason: reason, Comment: comment}, reason)
		if err != nil {
			return err
		}
		if err := s.emitRequest(ctx, tx, HookRequestRejected, out); err != nil {
			return err
		}
		return s.queueMail(ctx, tx, p, "rejection", ParamTmplRejection, r.Number, r.Email, MailData{
			Company: r.CompanyName, FirstName: r.FirstName, LastName: r.LastName, Number: r.Number,
			Username: r.Username, reason: reason, Comment: comment, lang: r.Language})
	})
	if err != nil {
		return out, fmt.Errorf("reject %s: %w", a.Number, err)
	}
	s.log.Info("request rejected", "number", a.Number, "actor", a.Actor, "reason", reason)
	return out, nil
}

// ReasonLabel is the words shown to a prospect for a reason code.
func ReasonLabel(code string) string {
	switch code {
	case "duplicate":
		return "Your company is already registered with us"
	case "incomplete":
		return "The information given is incomplete"
	case "unverifiable":
		return "We could not verify the information given"
	case "not_eligible":
		return "Your company is not eligible for a customer account"
	case "other":
		return "Other"
	}
	s := strings.ReplaceAll(code, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
