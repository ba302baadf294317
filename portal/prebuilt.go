package portal

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// A prebuilt page reads the same for every visitor — the empty sign-up form
// is 20 KB, mostly country and language lists — so it is rendered once and
// served from memory, with a gzip copy for the clients that take one.
// Pages that differ by language are kept apart by their key.
type prebuilt struct {
	body, gzipped []byte
}

// prebuiltPages holds the pages by key. They depend only on the embedded
// templates and on what is in the key, so they never go stale in a process.
type prebuiltPages struct {
	mu    sync.Mutex
	pages map[string]*prebuilt
}

// prebuilt returns the page rendered once for key (which must name every
// input the page depends on: page name, language...).
func (rd *Renderer) prebuilt(key, name string, page any) (*prebuilt, error) {
	c := &rd.built
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.pages[key]; ok {
		return p, nil
	}
	t, ok := rd.pages[name]
	if !ok {
		return nil, fmt.Errorf("render: no page %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", page); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(buf.Bytes()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	p := &prebuilt{body: buf.Bytes(), gzipped: gz.Bytes()}
	if c.pages == nil {
		c.pages = map[string]*prebuilt{}
	}
	c.pages[key] = p
	return p, nil
}

// serve writes the page with the same headers as [Renderer.Render] (pages
// stay out of caches: no-store), gzipped when the client accepts it.
func (p *prebuilt) serve(w http.ResponseWriter, r *http.Request, status int) error {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Accept-Encoding")
	body := p.body
	if acceptsGzip(r) {
		body = p.gzipped
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return nil
	}
	_, err := w.Write(body)
	return err
}

// acceptsGzip reports whether Accept-Encoding lists gzip (or *) without q=0.
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding != "gzip" && coding != "x-gzip" && coding != "*" {
				continue
			}
			q := strings.ReplaceAll(strings.ToLower(params), " ", "")
			if strings.HasPrefix(q, "q=0") && strings.Trim(strings.TrimPrefix(q, "q="), "0.") == "" {
				return false
			}
			return true
		}
	}
	return false
}
