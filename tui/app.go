// Package tui is the approvers' workplace: the Registration screen and the
// screens around it, a Bubble Tea program run locally (regdesk tui) or per
// SSH session. Nothing here is package-level state: every session builds its
// own styles and keys from what its terminal reports.
package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
)

// Config holds what a session needs.
type Config struct {
	// Context ends the session's queries and releases its change watcher when
	// done (over SSH: the session's context). Nil means Close does it.
	Context context.Context
	Service *workflow.Service
	DB      *store.DB
	// Actor is the approver's name, recorded in the audit trail.
	Actor  string
	Logger *slog.Logger
	Now    func() time.Time
	// PollInterval is how often the database's change counter is polled;
	// 0 means one second, a negative value switches live updates off.
	PollInterval time.Duration
	// Dark, when set, fixes the background instead of asking the terminal.
	Dark *bool
	// Profile is the terminal's colour profile when known (over SSH, from
	// the session); Unknown lets Bubble Tea detect it.
	Profile colorprofile.Profile
	// Location is the time zone dates are shown in; nil means time.Local.
	Location *time.Location
}

// App is the root model of one session.
type App struct {
	s       *session
	defs    []screenDef
	screens []screen
	active  int
	dialog  dialog // the open dialog, if any
	help    help.Model
	showAll bool
	width   int
	height  int
	watcher *store.Watcher
	version int64
	// askBackground: the background was not given, so ask the terminal.
	askBackground bool
	// bgKnown: the background was given or the terminal told it.
	bgKnown bool
}

// session is what the screens share: dependencies, styles, keys and the
// status line.
type session struct {
	ctx     context.Context
	cancel  context.CancelFunc
	svc     *workflow.Service
	db      *store.DB
	actor   string
	log     *slog.Logger
	now     func() time.Time
	poll    time.Duration
	styles  Styles
	keys    Keys
	profile colorprofile.Profile
	loc     *time.Location
	seq     uint64
	status  statusLine
}

type statusLine struct {
	text string
	kind string // "ok", "err", "info"
}

// next returns a fresh sequence number for tagging a request's reply.
func (s *session) next() uint64 { s.seq++; return s.seq }

func (s *session) ok(format string, a ...any) {
	s.status = statusLine{Sanitize(fmt.Sprintf(format, a...)), "ok"}
}

func (s *session) info(format string, a ...any) {
	s.status = statusLine{Sanitize(fmt.Sprintf(format, a...)), "info"}
}

// fail shows an error as a plain sentence and logs it once.
func (s *session) fail(what string, err error) {
	s.status = s.failLine(what, err)
}

// failLine logs an error once and returns the status line that says it.
func (s *session) failLine(what string, err error) statusLine {
	s.log.Error(what, "err", err)
	return statusLine{Sanitize(userMessage(err)), "err"}
}

// userMessage is what an approver reads for an error: no SQL, no stack.
func userMessage(err error) string {
	var ce *workflow.ChangedError
	var fe *workflow.FieldError
	var pe *workflow.ParamError
	switch {
	case errors.As(err, &ce):
		return ce.Error()
	case errors.As(err, &fe):
		return fe.Message
	case errors.As(err, &pe):
		return pe.Error()
	case errors.Is(err, store.ErrNotFound):
		return "not found: it may have been erased; press r to reread"
	case errors.Is(err, context.DeadlineExceeded):
		return "the database took too long to answer; try again"
	}
	msg := err.Error()
	if i := strings.Index(msg, ": store:"); i >= 0 {
		msg = msg[:i]
	}
	return msg + " failed (details in tui.log)"
}

// New builds a session's app. It does no I/O until Init.
func New(cfg Config) *App {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	poll := cfg.PollInterval
	switch {
	case poll != 0:
	case cfg.DB != nil && cfg.DB.Postgres():
		// The version is a count of notifications kept in memory: looking
		// at it costs no query, so look often and show another process's
		// change well within a second.
		poll = 200 * time.Millisecond
	default:
		poll = time.Second
	}
	styles := neutralStyles()
	if cfg.Dark != nil {
		styles = NewStyles(*cfg.Dark, cfg.Profile)
	}
	loc := cfg.Location
	if loc == nil {
		loc = time.Local
	}
	parent := cfg.Context
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithCancel(parent)
	defs := screenDefs()
	names := make([]string, len(defs))
	for i, d := range defs {
		names[i] = d.name
	}
	s := &session{ctx: ctx, cancel: cancel, svc: cfg.Service, db: cfg.DB, actor: cfg.Actor,
		log: log.With("component", "tui", "actor", cfg.Actor), now: now, poll: poll,
		styles: styles, keys: NewKeys(names), profile: cfg.Profile, loc: loc}
	a := &App{s: s, defs: defs, help: help.New(), width: 80, height: 24}
	a.help.Styles = s.styles.Help
	for _, d := range defs {
		a.screens = append(a.screens, d.build(s))
	}
	a.layout()
	a.askBackground = cfg.Dark == nil
	a.bgKnown = cfg.Dark != nil
	return a
}

// Messages of the app itself.
type (
	watcherMsg struct {
		w   *store.Watcher
		v   int64
		err error
	}
	versionMsg struct {
		v   int64
		err error
	}
	pollMsg struct{}
)

// Init asks for the background colour and starts loading every screen.
func (a *App) Init() tea.Cmd {
	cmds := []tea.Cmd{a.openWatcher()}
	if a.askBackground {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	for _, sc := range a.screens {
		cmds = append(cmds, sc.Init())
	}
	return tea.Batch(cmds...)
}

// Close ends the session's queries and releases the change watcher (as the
// end of Config.Context does).
func (a *App) Close() error {
	a.s.cancel()
	return nil
}

func (a *App) openWatcher() tea.Cmd {
	if a.s.poll < 0 {
		return nil
	}
	ctx := a.s.ctx
	db := a.s.db
	return func() tea.Msg {
		w, err := db.DataVersion(ctx)
		if err != nil {
			return watcherMsg{err: err}
		}
		// The watcher holds a pooled connection: give it back when the
		// session ends, however it ends.
		context.AfterFunc(ctx, func() { w.Close() })
		v, err := w.Version(ctx)
		return watcherMsg{w, v, err}
	}
}

func (a *App) pollVersion() tea.Cmd {
	w, ctx := a.watcher, a.s.ctx
	return tea.Tick(a.s.poll, func(time.Time) tea.Msg {
		v, err := w.Version(ctx)
		return versionMsg{v, err}
	})
}

// Update routes a message: app-wide keys first, then the open dialog, then
// the active screen; replies go to every screen (each takes its own). Then
// every component gets its size, as the status line and help may have
// changed height.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := a.update(msg)
	a.layout()
	return a, cmd
}

func (a *App) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case openDialogMsg:
		a.dialog = msg.d
		// The status line is about what came before (an earlier action, a
		// hint about the form), so it clears.
		a.s.status = statusLine{}
		return msg.d.Init()
	case closeDialogMsg:
		a.dialog = nil
		a.s.status = msg.status
		return msg.then
	case tea.WindowSizeMsg:
		a.width, a.height = msg.Width, msg.Height
		a.help.SetWidth(msg.Width)
		return a.broadcast(msg)
	case tea.BackgroundColorMsg:
		a.bgKnown = true
		a.setStyles(NewStyles(msg.IsDark(), a.s.profile))
		return nil
	case tea.ColorProfileMsg:
		a.s.profile = msg.Profile
		if a.bgKnown {
			a.setStyles(NewStyles(a.s.styles.Dark, msg.Profile))
		}
		return nil
	case watcherMsg:
		if msg.err != nil {
			a.s.fail("watch changes", msg.err)
			return nil
		}
		// Reread once from this baseline: a change made while the first
		// pages loaded is then on screen too.
		a.watcher, a.version = msg.w, msg.v
		return tea.Batch(a.pollVersion(), a.reloadAll())
	case versionMsg:
		if msg.err != nil {
			if a.s.ctx.Err() != nil {
				return nil
			}
			a.s.log.Warn("poll data version", "err", msg.err)
			return a.pollVersion()
		}
		changed := msg.v != a.version
		a.version = msg.v
		if changed {
			return tea.Batch(a.pollVersion(), a.reloadAll())
		}
		return a.pollVersion()
	case tea.KeyPressMsg:
		return a.key(msg)
	case tea.MouseWheelMsg:
		if a.dialog != nil {
			return nil
		}
		return a.screens[a.active].Update(msg, true)
	}
	if a.dialog != nil {
		if cmd, handled := a.dialog.Update(msg); handled {
			return cmd
		}
	}
	return a.broadcast(msg)
}

// reloadAll rereads the screens after the database changed; a lazy screen
// only while it is shown.
func (a *App) reloadAll() tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(a.screens))
	for i, sc := range a.screens {
		if _, lazy := sc.(lazyScreen); lazy && i != a.active {
			continue
		}
		cmds = append(cmds, sc.Reload())
	}
	return tea.Batch(cmds...)
}

func (a *App) setStyles(st Styles) {
	a.s.styles = st
	a.help.Styles = st.Help
}

func (a *App) broadcast(msg tea.Msg) tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(a.screens))
	for i, sc := range a.screens {
		cmds = append(cmds, sc.Update(msg, i == a.active))
	}
	return tea.Batch(cmds...)
}

func (a *App) key(msg tea.KeyPressMsg) tea.Cmd {
	k := a.s.keys
	if msg.String() == "ctrl+c" {
		return tea.Quit
	}
	if a.dialog != nil {
		cmd, _ := a.dialog.Update(msg)
		return cmd
	}
	cur := a.screens[a.active]
	if cur.Capturing() {
		return cur.Update(msg, true)
	}
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		a.showAll = !a.showAll
		return nil
	}
	for i, b := range k.Screens {
		if key.Matches(msg, b) {
			if a.active != i {
				a.active = i
				a.s.status = statusLine{}
				return a.screens[i].Reload()
			}
			return nil
		}
	}
	return cur.Update(msg, true)
}

// View draws the nav bar, the active screen, the status line and the help.
func (a *App) View() tea.View {
	v := tea.NewView(a.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "regdesk · " + a.defs[a.active].name
	return v
}

// bodySize is the area between the nav bar and the status line and help.
func (a *App) bodySize() (w, h int) {
	w, h = max(a.width, 20), max(a.height, 5)
	return w, max(h-1-lipgloss.Height(a.statusView(w))-lipgloss.Height(a.helpView(w)), 1)
}

// layout gives every screen and the dialog their size.
func (a *App) layout() {
	w, h := a.bodySize()
	for _, sc := range a.screens {
		sc.SetSize(w, h)
	}
	if a.dialog != nil {
		a.dialog.SetWidth(min(w-4, 76))
	}
}

func (a *App) render() string {
	st := a.s.styles
	w, bodyH := a.bodySize()
	nav := a.nav(w)
	status := a.statusView(w)
	helpText := a.helpView(w)
	body := a.screens[a.active].View()
	if a.dialog != nil {
		body = overlay(body, st.Dialog.Render(a.dialog.View()), w, bodyH)
	}
	body = fit(body, w, bodyH)
	return lipgloss.JoinVertical(lipgloss.Left, nav, body, status, helpText)
}

func (a *App) nav(w int) string {
	st := a.s.styles
	build := func(short bool) string {
		parts := make([]string, len(a.defs))
		for i, d := range a.defs {
			name := d.name
			if short {
				name = d.short
			}
			label := fmt.Sprintf("%d %s", i+1, name)
			if i == a.active {
				parts[i] = st.NavActive.Render(label)
			} else {
				parts[i] = st.NavItem.Render(label)
			}
		}
		return strings.Join(parts, "  ")
	}
	right := st.Muted.Render("as " + Sanitize(a.s.actor))
	left := st.Brand.Render("regdesk") + "  " + build(false)
	if lipgloss.Width(left)+lipgloss.Width(right)+2 > w {
		left = st.Brand.Render("regdesk") + "  " + build(true)
	}
	if lipgloss.Width(left)+lipgloss.Width(right)+2 > w {
		right = ""
	}
	gap := w - lipgloss.Width(left) - lipgloss.Width(right)
	return truncate(left+strings.Repeat(" ", max(gap, 1))+right, w)
}

// badger is a screen with something to show beside the status line for as
// long as it lasts (the Registration screen's marked count).
type badger interface{ badge() string }

func (a *App) statusView(w int) string {
	st := a.s.styles
	sl := a.s.status
	badge := ""
	if b, ok := a.screens[a.active].(badger); ok && b.badge() != "" {
		badge = st.Key.Render(b.badge())
	}
	var style lipgloss.Style
	var mark string
	switch sl.kind {
	case "ok":
		style, mark = st.OK, "✓ "
	case "err":
		style, mark = st.Err, "✗ "
	case "info":
		style, mark = st.Info, "· "
	default:
		if badge != "" {
			return strings.Repeat(" ", max(w-lipgloss.Width(badge), 0)) + badge
		}
		return ""
	}
	if badge != "" {
		w -= lipgloss.Width(badge) + 2
	}
	// A long message wraps (up to three lines) instead of losing its end,
	// which is often the part that says what happened or what to do.
	lines := strings.Split(wrap(sl.text, w-2), "\n")
	if len(lines) > 3 {
		lines = lines[:3]
		lines[2] += "…"
	}
	for i, l := range lines {
		lead := "  "
		if i == 0 {
			lead = mark
		}
		lines[i] = truncate(style.Render(lead+l), w)
	}
	if badge != "" {
		lines[0] = cell(lines[0], w) + "  " + badge
	}
	return strings.Join(lines, "\n")
}

func (a *App) helpView(w int) string {
	k := a.s.keys
	cur := a.screens[a.active]
	// A dialog or a search being typed takes every key: there ? and q are
	// text or cancel, so the help offers neither.
	if a.dialog != nil {
		return a.shortHelp(a.dialog.Help().short, nil, w)
	}
	hm := cur.Help()
	if cur.Capturing() {
		return a.shortHelp(hm.short, nil, w)
	}
	if a.showAll {
		less := k.Help
		less.SetHelp("?", "less")
		global := append(append([]key.Binding{}, k.Screens...), less, k.Quit)
		return a.help.FullHelpView(append(hm.full, global))
	}
	return a.shortHelp(hm.short, []key.Binding{k.Help, k.Quit}, w)
}

// shortHelp draws keys then tail on one line of w cells, leaving out keys
// from the end of keys (never the tail: "? more" and "q quit") until it fits.
func (a *App) shortHelp(keys, tail []key.Binding, w int) string {
	h := a.help
	h.SetWidth(0) // measure whole lines; this loop does the fitting
	for n := len(keys); ; n-- {
		all := append(append([]key.Binding{}, keys[:n]...), tail...)
		line := h.ShortHelpView(all)
		if n == 0 || lipgloss.Width(line) <= w {
			return truncate(line, w)
		}
	}
}

// Run runs the TUI on a local terminal until the user quits or ctx ends.
func Run(ctx context.Context, cfg Config, in io.Reader, out io.Writer) error {
	app := New(cfg)
	defer app.Close()
	opts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out)}
	if cfg.Profile != colorprofile.Unknown {
		opts = append(opts, tea.WithColorProfile(cfg.Profile))
	}
	_, err := tea.NewProgram(app, opts...).Run()
	if err != nil && ctx.Err() != nil && errors.Is(err, tea.ErrProgramKilled) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("tui: %w", err)
	}
	return nil
}
