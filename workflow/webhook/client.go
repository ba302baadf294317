package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
	"unicode"
)

// ValidateURL accepts an absolute http or https URL with a host and without
// credentials (they would show in listings and logs).
func ValidateURL(raw string) error {
	if len(raw) > 2000 {
		return errors.New("the URL is longer than 2000 characters")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("not a URL: %v", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errors.New("only http and https URLs can receive webhooks")
	}
	if u.Hostname() == "" {
		return errors.New("the URL has no host")
	}
	if u.User != nil {
		return errors.New("put no user name or password in the URL; verify the signature instead")
	}
	if u.Fragment != "" {
		return errors.New("the URL has a #fragment, which is never sent")
	}
	return nil
}

// BlockedError is a target address refused because it is loopback, private,
// link-local or otherwise not on the public internet.
type BlockedError struct{ Addr netip.Addr }

func (e *BlockedError) Error() string {
	return fmt.Sprintf("address %s is not public; serve --allow-private-webhooks allows it", e.Addr)
}

var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"), // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"), // NAT64 can reach IPv4 private space
}

// Public reports whether a webhook may be sent to ip without the operator's
// permission for private targets.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() ||
		ip.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// Config tunes a Client. Zero values pick the defaults.
type Config struct {
	// AllowPrivate lets webhooks reach loopback and private addresses
	// (serve --allow-private-webhooks: tests and labs).
	AllowPrivate bool
	// Timeout bounds one attempt, connection to last byte; 0 means 10 s.
	Timeout time.Duration
	// MaxResponseBytes is how much of a response is read; 0 means 4 KiB.
	MaxResponseBytes int64
}

// Client sends signed webhooks. It follows no redirects, uses no proxy from
// the environment, and checks every address it connects to at dial time, so
// a host name that resolves to a private address (DNS rebinding included)
// is refused unless AllowPrivate.
type Client struct {
	hc      *http.Client
	maxBody int64
}

// NewClient returns a Client.
func NewClient(cfg Config) *Client {
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	maxBody := cfg.MaxResponseBytes
	if maxBody <= 0 {
		maxBody = 4 << 10
	}
	dialer := &net.Dialer{Timeout: timeout, Control: func(_, address string, _ syscall.RawConn) error {
		if cfg.AllowPrivate {
			return nil
		}
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		ip, err := netip.ParseAddr(host)
		if err != nil {
			return err
		}
		if !Public(ip) {
			return &BlockedError{Addr: ip}
		}
		return nil
	}}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
	}
	return &Client{maxBody: maxBody, hc: &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// Message is one attempt at delivering an event.
type Message struct {
	URL    string
	Secret string
	ID     string // webhook-id: the event's, the same on every attempt
	Time   time.Time
	Body   []byte
}

// Result is what an attempt came to.
type Result struct {
	StatusCode int   // 0 when no response came
	Err        error // nil when the receiver answered 2xx
	// Permanent failures are not retried: a refused address, a bad URL
	// or secret.
	Permanent bool
}

// Send makes one signed attempt.
func (c *Client) Send(ctx context.Context, m Message) Result {
	if err := ValidateURL(m.URL); err != nil {
		return Result{Err: err, Permanent: true}
	}
	key, err := ParseSecret(m.Secret)
	if err != nil {
		return Result{Err: err, Permanent: true}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.URL, bytes.NewReader(m.Body))
	if err != nil {
		return Result{Err: err, Permanent: true}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "regdesk-webhooks/1")
	req.Header.Set(HeaderID, m.ID)
	req.Header.Set(HeaderTimestamp, fmt.Sprint(m.Time.Unix()))
	req.Header.Set(HeaderSignature, Sign(key, m.ID, m.Time, m.Body))
	resp, err := c.hc.Do(req)
	if err != nil {
		if be, ok := errors.AsType[*BlockedError](err); ok {
			return Result{Err: be, Permanent: true}
		}
		return Result{Err: errors.New(cleanError(err, m.URL))}
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, c.maxBody))
	res := Result{StatusCode: resp.StatusCode}
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		res.Err = fmt.Errorf("answered %d (redirects are not followed; register the final URL)", resp.StatusCode)
	default:
		res.Err = fmt.Errorf("answered %d%s", resp.StatusCode, describeBody(snippet))
	}
	return res
}

// cleanError drops Go's "Post \"URL\": " prefix: the URL is shown beside it.
func cleanError(err error, u string) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, `Post "`+u+`": `)
	return msg
}

// describeBody is the start of a response body fit for a terminal.
func describeBody(b []byte) string {
	s := strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return ' '
	}, strings.ToValidUTF8(string(b), ""))
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return ""
	}
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return ": " + s
}
