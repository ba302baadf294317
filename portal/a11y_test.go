package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/regdesk/regdesk/workflow/locale"
)

// a11yDir holds the pinned checking tools (package.json and its lock);
// .ci/run installs them with npm ci.
const a11yDir = "../testdata/a11y"

// a11yTools returns the tools' directory with its node_modules installed,
// or skips (fails under CI) when node or the modules are missing.
func a11yTools(t *testing.T) string {
	t.Helper()
	missing := func(msg string) {
		t.Helper()
		if os.Getenv("CI") != "" {
			t.Fatal(msg + "; CI must run the accessibility checks")
		}
		t.Skip(msg)
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing("node is not installed (apt-get install -y nodejs npm, then npm ci in testdata/a11y)")
	}
	dir, err := filepath.Abs(a11yDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"node_modules/html-validate/package.json", "node_modules/axe-core/axe.min.js"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			missing("the checking tools are not installed: run npm ci in testdata/a11y")
		}
	}
	return dir
}

// renderedPage is one page state rendered in one language.
type renderedPage struct {
	file   string // "de__login__notice-logout.html"
	label  string // "de login/notice-logout"
	status int
	body   []byte
}

// renderAll renders every page state in every language, strict: a missing
// message fails the test here rather than showing English.
func renderAll(t *testing.T) (*Renderer, []renderedPage) {
	t.Helper()
	rd, err := newRenderer(true)
	if err != nil {
		t.Fatal(err)
	}
	var out []renderedPage
	seen := map[string]bool{}
	for _, tag := range locale.Supported() {
		for _, s := range pageStates() {
			if seen[tag.String()+s.label] {
				t.Fatalf("page state %q is listed twice", s.label)
			}
			seen[tag.String()+s.label] = true
			rec := httptest.NewRecorder()
			if err := rd.Render(rec, requestIn(tag), s.status, s.name, s.page); err != nil {
				t.Fatalf("%s %s: %v", tag, s.label, err)
			}
			out = append(out, renderedPage{
				file:  tag.String() + "__" + strings.ReplaceAll(s.label, "/", "__") + ".html",
				label: tag.String() + " " + s.label, status: s.status, body: rec.Body.Bytes()})
		}
	}
	return rd, out
}

// TestPages_htmlValidate checks the markup of every page state in every
// language with html-validate (its recommended and a11y presets).
func TestPages_htmlValidate(t *testing.T) {
	tools := a11yTools(t)
	_, pages := renderAll(t)
	dir := t.TempDir()
	// The report goes to a file: node cuts a large report on a pipe short
	// when the program exits.
	report := filepath.Join(t.TempDir(), "report.json")
	args := []string{filepath.Join(tools, "node_modules/html-validate/bin/html-validate.mjs"),
		"--config", filepath.Join(tools, "htmlvalidate.config.cjs"), "--formatter", "json=" + report}
	byFile := map[string]string{}
	// A page the validator must fault shows that it ran and was heard.
	canary := filepath.Join(dir, "canary.html")
	if err := os.WriteFile(canary, []byte(canaryPage), 0o644); err != nil {
		t.Fatal(err)
	}
	args = append(args, canary)
	for _, p := range pages {
		path := filepath.Join(dir, p.file)
		if err := os.WriteFile(path, p.body, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, path)
		byFile[path] = p.label
	}
	cmd := exec.Command("node", args...)
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	runErr := cmd.Run()
	out, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("html-validate wrote no report: %v, %v\n%s", err, runErr, output.String())
	}
	var results []struct {
		FilePath string `json:"filePath"`
		Messages []struct {
			RuleID   string `json:"ruleId"`
			Severity int    `json:"severity"`
			Message  string `json:"message"`
			Line     int    `json:"line"`
			Column   int    `json:"column"`
			Selector string `json:"selector"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("html-validate report: %v\n%.2000s", err, out)
	}
	problems, heard := 0, false
	for _, r := range results {
		for _, m := range r.Messages {
			if r.FilePath == canary {
				heard = heard || m.RuleID == "no-dup-id"
				continue
			}
			problems++
			t.Errorf("%s:%d:%d: %s (%s) at %s", byFile[r.FilePath], m.Line, m.Column, m.Message, m.RuleID, m.Selector)
		}
	}
	if !heard {
		t.Errorf("html-validate did not report the duplicate id of a page made to have one:\n%.2000s", out)
	}
	if runErr != nil && problems == 0 && !heard {
		t.Fatalf("html-validate failed without naming a problem: %v\n%s", runErr, output.String())
	}
	t.Logf("html-validate: %d page states in %d languages", len(pages)/len(locale.Supported()), len(locale.Supported()))
}

// canaryPage breaks rules both checkers know: two elements share an id,
// an image has no text alternative, an input has no label.
const canaryPage = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Canary</title></head>
<body><main><h1 id="x">Canary</h1><p id="x"><img src="/static/favicon.svg"></p><input type="text" name="q"></main></body>
</html>
`

// a11yView is a way a visitor sees the pages: a screen size and a colour
// scheme.
type a11yView struct {
	name          string
	width, height int64
	mobile        bool
	scheme        string // prefers-color-scheme
	english       bool   // English only: what the view changes does not depend on the words
	// colourOnly: the view changes nothing but colours, so only axe's
	// colour rules can find anything the view before it did not.
	colourOnly bool
}

// Every page shape (shapeOf) is checked at the desktop size: all of
// English, and the states whose shape another language changes. The phone
// layout and the dark colours come from the same style sheet whatever the
// language, so those views are checked in English. The dark scheme only
// sets colours (app.css: the custom properties and one color), on the
// phone layout just checked in light.
var a11yViews = []a11yView{
	{name: "desktop", width: 1280, height: 900, scheme: "light"},
	{name: "phone", width: 390, height: 844, mobile: true, scheme: "light", english: true},
	{name: "phone dark", width: 390, height: 844, mobile: true, scheme: "dark", english: true, colourOnly: true},
}

// axeRun is the script that runs axe-core's WCAG 2.1 A and AA rules on the
// loaded page, or, for a colour-only view, those of them about colour.
func axeRun(v a11yView) string {
	only := `{type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}`
	if v.colourOnly {
		only = `{type: "rule", values: ["color-contrast", "link-in-text-block"]}`
	}
	return `axe.run(document, {
  runOnly: ` + only + `,
  resultTypes: ["violations"]
}).then(r => r.violations.map(v => ({
  id: v.id, impact: v.impact || "", help: v.help,
  nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary || ""}))
})))`
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  string `json:"target"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

// reText matches the text between two tags, reAttr an attribute.
var (
	reText = regexp.MustCompile(`>[^<]*<`)
	reAttr = regexp.MustCompile(`\s([a-z-]+)="([^"]*)"`)
)

// structuralAttrs are the attributes whose values shapeOf keeps: what ties
// elements together (ids and references to them), what they are (types,
// roles, autocomplete tokens) and where they lead. The values of the
// others (labels, titles, placeholders, the words a language puts in
// attributes) are text, reduced like the text between tags.
var structuralAttrs = map[string]bool{"id": true, "for": true, "class": true, "type": true, "name": true,
	"role": true, "autocomplete": true, "aria-describedby": true, "aria-labelledby": true,
	"aria-controls": true, "aria-invalid": true, "aria-hidden": true, "aria-live": true, "href": true,
	"src": true, "method": true, "action": true, "inputmode": true, "rel": true, "tabindex": true,
	"http-equiv": true, "charset": true, "lang": true}

// shapeOf is a page with each text, between tags or in an attribute,
// reduced to whether there is any: the elements, their structural
// attributes and where text is. A lang attribute naming a supported
// language is reduced the same way (each is a valid tag), and
// aria-current, which marks the page's own language in the language
// switcher, is left out. Two states of a page with the same shape differ
// only in words, which no axe rule reads beyond "is there text" (the WCAG
// A and AA rules; the experimental ones do not run), so axe checks one of
// them: the English one where there is one.
func shapeOf(body []byte) string {
	s := reText.ReplaceAllStringFunc(string(body), func(m string) string {
		if strings.TrimSpace(m[1:len(m)-1]) == "" {
			return "><"
		}
		return ">T<"
	})
	return reAttr.ReplaceAllStringFunc(s, func(m string) string {
		sub := reAttr.FindStringSubmatch(m)
		name, value := sub[1], sub[2]
		switch {
		case name == "aria-current":
			return ""
		case name == "lang" && supportedLang(value):
			return ` lang="L"`
		case structuralAttrs[name]:
			return m
		case value == "":
			return " " + name + `=""`
		}
		return " " + name + `="T"`
	})
}

func supportedLang(tag string) bool {
	for _, l := range locale.Supported() {
		if l.String() == tag {
			return true
		}
	}
	return false
}

// TestBrowser_axe loads every page state in every language into one
// chromium and runs axe-core at the desktop size, and on the English pages
// at a phone's size too, light and dark (a11yViews): no WCAG 2.1 A or AA
// violation may be found.
func TestBrowser_axe(t *testing.T) {
	tools := a11yTools(t)
	ctx := chromiumFor(t, 20*time.Minute)
	axeSrc, err := os.ReadFile(filepath.Join(tools, "node_modules/axe-core/axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	rd, pages := renderAll(t)

	// The states to load, one per shape, each with the labels it stands for.
	type group struct {
		page   renderedPage
		labels []string
	}
	var groups []*group
	byShape := map[string]*group{}
	english := func(p renderedPage) bool { return strings.HasPrefix(p.file, locale.English.String()+"__") }
	for _, p := range pages {
		k := shapeOf(p.body)
		if g, ok := byShape[k]; ok {
			g.labels = append(g.labels, p.label)
			if english(p) && !english(g.page) {
				g.page = p
			}
			continue
		}
		g := &group{page: p, labels: []string{p.label}}
		byShape[k] = g
		groups = append(groups, g)
	}

	byPath := map[string]renderedPage{"/canary.html": {label: "canary", status: 200, body: []byte(canaryPage)}}
	for _, p := range pages {
		byPath["/"+p.file] = p
	}
	mux := http.NewServeMux()
	mux.Handle(StaticPrefix, rd.StaticHandler())
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		p, ok := byPath[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(p.status)
		_, _ = w.Write(p.body)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// axe is there in every page the tab loads from now on.
	if err := chromedp.Do(ctx, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument,
			page.AddScriptToEvaluateOnNewDocumentParams{Source: string(axeSrc)})
		return chromedp.Void{}, err
	}); err != nil {
		t.Fatal(err)
	}
	view := func(v a11yView) {
		t.Helper()
		opts := []chromedp.EmulateViewportOption{}
		if v.mobile {
			opts = append(opts, chromedp.EmulateMobile)
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(v.width, v.height, opts...),
			func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
				_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
					// Reduced motion: the colours switch at once, not through a
					// transition axe would catch half-way.
					Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: v.scheme},
						{Name: "prefers-reduced-motion", Value: "reduce"}}})
				return chromedp.Void{}, err
			}); err != nil {
			t.Fatal(err)
		}
	}
	axe := func(v a11yView, label string) []axeViolation {
		t.Helper()
		actx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		vs, err := chromedp.Run(actx, chromedp.Evaluate[[]axeViolation](axeRun(v), chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s %s: axe: %v", v.name, label, err)
		}
		return vs
	}
	load := func(path string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+path)); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}

	// The canary first: axe must fault its image without a text.
	load("/canary.html")
	view(a11yViews[0])
	if vs := axe(a11yViews[0], "canary"); !slices.ContainsFunc(vs, func(x axeViolation) bool { return x.ID == "image-alt" }) {
		t.Fatalf("axe did not report the image without a text on a page made to have one: %+v", vs)
	}

	// Each page is loaded once and seen in every view: the views change
	// the size and the colour scheme, which the page follows without a
	// reload.
	type finding struct{ view, rule, target string }
	found := map[finding][]string{}
	about := map[finding]string{}
	runs := 0
	for _, g := range groups {
		load("/" + g.page.file)
		for _, v := range a11yViews {
			if v.english && !english(g.page) {
				continue
			}
			view(v)
			runs++
			for _, x := range axe(v, g.page.label) {
				for _, n := range x.Nodes {
					f := finding{v.name, x.ID, n.Target}
					found[f] = append(found[f], g.labels...)
					about[f] = fmt.Sprintf("%s (%s): %s", x.Help, x.Impact, strings.ReplaceAll(n.Summary, "\n", " "))
				}
			}
		}
	}
	keys := make([]finding, 0, len(found))
	for f := range found {
		keys = append(keys, f)
	}
	slices.SortFunc(keys, func(a, b finding) int {
		return strings.Compare(a.view+a.rule+a.target, b.view+b.rule+b.target)
	})
	for _, f := range keys {
		on := found[f]
		more := ""
		if len(on) > 4 {
			more = fmt.Sprintf(" and %d more", len(on)-4)
			on = on[:4]
		}
		t.Errorf("%s: %s at %q: %s\n\ton %s%s", f.view, f.rule, f.target, about[f], strings.Join(on, ", "), more)
	}
	t.Logf("axe-core: %d page states in %d languages (%d shapes), %d views: %d runs", len(pages)/len(locale.Supported()),
		len(locale.Supported()), len(groups), len(a11yViews), runs)
}

// TestShapeOf: pages that differ only in words share a shape; an empty
// text, a lang that is not a supported language, another id or another
// element each make a shape of their own.
func TestShapeOf(t *testing.T) {
	en := `<html lang="en"><button aria-label="Send" aria-current="true" id="a">Send</button><p title="Hello">Hi</p></html>`
	same := `<html lang="de"><button aria-label="Senden" id="a">Senden</button><p title="Hallo">Hallo Welt</p></html>`
	if shapeOf([]byte(en)) != shapeOf([]byte(same)) {
		t.Errorf("the same page in other words has another shape:\n%s\n%s", shapeOf([]byte(en)), shapeOf([]byte(same)))
	}
	for _, other := range []string{
		`<html lang="de"><button aria-label="" id="a">Senden</button><p title="Hallo">Hallo</p></html>`,
		`<html lang="de"><button aria-label="Senden" id="a"></button><p title="Hallo">Hallo</p></html>`,
		`<html lang="xx-nope"><button aria-label="Senden" id="a">Senden</button><p title="Hallo">Hallo</p></html>`,
		`<html lang="de"><button aria-label="Senden" id="b">Senden</button><p title="Hallo">Hallo</p></html>`,
		`<html lang="de"><button aria-label="Senden" id="a">Senden</button><p title="Hallo">Hallo</p><p>x</p></html>`,
	} {
		if shapeOf([]byte(other)) == shapeOf([]byte(en)) {
			t.Errorf("shares the shape of %s:\n%s", en, other)
		}
	}
}
