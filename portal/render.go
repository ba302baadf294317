package portal

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
)

//go:embed templates static
var assets embed.FS

// Template names, one per page. Each is rendered with the page struct named
// in its comment.
const (
	PageHome            = "home"             // HomePage
	PageSignup          = "signup"           // SignupPage
	PageSignupPaused    = "signup_paused"    // SignupPausedPage
	PageSignupSent      = "signup_sent"      // SignupSentPage
	PageActivate        = "activate"         // ActivatePage
	PageActivated       = "activated"        // ActivatedPage
	PageActivateInvalid = "activate_invalid" // ActivateInvalidPage
	PageResend          = "resend"           // ResendPage
	PageResendSent      = "resend_sent"      // ResendSentPage
	PageError           = "error"            // ErrorPage
	PageNotFound        = "not_found"        // NotFoundPage
	PageTooMany         = "too_many"         // TooManyPage
)

// StaticPrefix is the URL path the static files are served under.
const StaticPrefix = "/static/"

// Renderer renders the portal's pages. Templates are parsed once by
// [NewRenderer]; a Renderer is read-only afterwards and safe for concurrent use.
type Renderer struct {
	pages   map[string]*template.Template
	static  fs.FS
	version map[string]string // static file name → short content hash
	built   prebuiltPages
}

// NewRenderer parses the embedded templates: the layout and partials in
// templates/base, then each templates/*.html page on a clone of them.
func NewRenderer() (*Renderer, error) {
	static, err := fs.Sub(assets, "static")
	if err != nil {
		return nil, fmt.Errorf("render: static files: %w", err)
	}
	rd := &Renderer{pages: map[string]*template.Template{}, static: static, version: map[string]string{}}
	if err := rd.hashStatic(); err != nil {
		return nil, err
	}
	base, err := template.New("base").Funcs(template.FuncMap{"asset": rd.assetURL}).
		ParseFS(assets, "templates/base/*.html")
	if err != nil {
		return nil, fmt.Errorf("render: parse layout: %w", err)
	}
	files, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("render: list pages: %w", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		t, err := base.Clone()
		if err != nil {
			return nil, fmt.Errorf("render: clone layout for %s: %w", name, err)
		}
		if _, err := t.ParseFS(assets, f); err != nil {
			return nil, fmt.Errorf("render: parse %s: %w", name, err)
		}
		rd.pages[name] = t
	}
	return rd, nil
}

// hashStatic records a content hash per static file for cache-busting URLs.
func (rd *Renderer) hashStatic() error {
	return fs.WalkDir(rd.static, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(rd.static, p)
		if err != nil {
			return fmt.Errorf("render: hash %s: %w", p, err)
		}
		sum := sha256.Sum256(b)
		rd.version[p] = hex.EncodeToString(sum[:6])
		return nil
	})
}

// assetURL is the template function "asset": the URL of a static file with
// its content hash, so it can be cached for long.
func (rd *Renderer) assetURL(name string) (string, error) {
	v, ok := rd.version[name]
	if !ok {
		return "", fmt.Errorf("no static file %q", name)
	}
	return StaticPrefix + name + "?v=" + v, nil
}

// Render executes page name with data into a buffer and, only if that
// succeeded, writes it with status. On error nothing is written, so the
// caller can still send an error page.
func (rd *Renderer) Render(w http.ResponseWriter, status int, name string, page any) error {
	t, ok := rd.pages[name]
	if !ok {
		return fmt.Errorf("render: no page %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", page); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	// Pages carry form values and one-time tokens; keep them out of caches.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// Pages returns the names of all parsed pages.
func (rd *Renderer) Pages() []string {
	names := make([]string, 0, len(rd.pages))
	for n := range rd.pages {
		names = append(names, n)
	}
	return names
}

// StaticHandler serves the embedded static files; mount it at
// [StaticPrefix] ("/static/"). Versioned URLs from templates are cached
// for a year.
func (rd *Renderer) StaticHandler() http.Handler {
	files := http.StripPrefix(StaticPrefix, http.FileServerFS(rd.static))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, StaticPrefix)
		if _, ok := rd.version[name]; !ok {
			rd.NotFound(w, r) // also refuses directory listings
			return
		}
		if r.URL.Query().Has("v") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=300")
		}
		files.ServeHTTP(w, r)
	})
}
