package tui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
)

// params shows the customer self-service parameters and edits one at a
// time through the service, which validates and audits.
type params struct {
	s    *session
	rows []workflow.Param
	// seqs, listed after the parameters, are the number sequences: e moves
	// one forward.
	seqs []workflow.Sequence
	// tmpls, after the sequences, are the customer account templates, and
	// the last row adds one.
	tmpls   []store.Template
	cur     cursor
	seq     uint64
	loaded  bool
	editing bool
	multi   bool // a mail template: edited in a text area
	input   textinput.Model
	area    textarea.Model
	editErr string

	width, height int
}

type (
	paramsMsg struct {
		seq   uint64
		rows  []workflow.Param
		seqs  []workflow.Sequence
		tmpls []store.Template
		err   error
	}
	paramSavedMsg struct {
		key string
		err error
	}
)

func newParams(s *session) *params {
	return &params{s: s, cur: cursor{h: 18}, input: newInput(s.styles, "", 4000)}
}

func (p *params) Init() tea.Cmd   { return p.load() }
func (p *params) Reload() tea.Cmd { return p.load() }
func (p *params) Capturing() bool { return p.editing }

func (p *params) load() tea.Cmd {
	p.seq = p.s.next()
	seq, db, svc, ctx := p.seq, p.s.db, p.s.svc, p.s.ctx
	return func() tea.Msg {
		rows, err := workflow.ListParams(ctx, db.Read())
		if err != nil {
			return paramsMsg{seq: seq, err: err}
		}
		for i := range rows {
			rows[i].UpdatedBy = Sanitize(rows[i].UpdatedBy)
		}
		seqs, err := svc.Sequences(ctx)
		if err != nil {
			return paramsMsg{seq: seq, err: err}
		}
		tmpls, err := svc.Templates(ctx)
		return paramsMsg{seq, rows, seqs, tmpls, err}
	}
}

func (p *params) selected() *workflow.Param {
	if p.cur.sel < len(p.rows) {
		return &p.rows[p.cur.sel]
	}
	return nil
}

// selectedSeq is the number sequence under the cursor, if it is on one.
func (p *params) selectedSeq() *workflow.Sequence {
	if i := p.cur.sel - len(p.rows); i >= 0 && i < len(p.seqs) {
		return &p.seqs[i]
	}
	return nil
}

func (p *params) Update(msg tea.Msg, active bool) tea.Cmd {
	switch msg := msg.(type) {
	case paramsMsg:
		if msg.seq != p.seq {
			return nil
		}
		if msg.err != nil {
			p.s.fail("load parameters", msg.err)
			return nil
		}
		p.rows, p.seqs, p.tmpls, p.loaded = msg.rows, msg.seqs, msg.tmpls, true
		p.cur.n = len(p.rows) + len(p.seqs) + len(p.tmpls) + 1
		p.cur.clamp()
	case templateRemovedMsg:
		if msg.err != nil {
			p.s.fail("remove template", msg.err)
			return nil
		}
		p.s.ok("Removed template %s.", msg.code)
		return p.load()
	case paramSavedMsg:
		if msg.err != nil {
			p.editErr = Sanitize(userMessage(msg.err))
			return nil
		}
		p.editing, p.editErr = false, ""
		p.s.ok("Saved %s.", msg.key)
		return p.load()
	case tea.KeyPressMsg, tea.MouseWheelMsg:
		if active {
			return p.key(msg)
		}
	default:
		if p.editing && active {
			return p.forward(msg)
		}
	}
	return nil
}

func (p *params) forward(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	if p.multi {
		p.area, cmd = p.area.Update(msg)
	} else {
		p.input, cmd = p.input.Update(msg)
	}
	return cmd
}

func (p *params) key(msg tea.Msg) tea.Cmd {
	k := p.s.keys
	kp, _ := msg.(tea.KeyPressMsg)
	if p.editing {
		switch {
		case kp.String() == "esc":
			p.editing, p.editErr = false, ""
			p.s.info("Edit cancelled; nothing changed.")
			return nil
		case kp.String() == "ctrl+s" || (!p.multi && kp.String() == "enter"):
			return p.save()
		}
		return p.forward(msg)
	}
	if _, ok := p.cur.navKey(k, msg); ok {
		return nil
	}
	switch {
	case key.Matches(kp, k.Remove):
		return p.removeTemplate()
	case key.Matches(kp, k.Edit):
		if line, ok := p.templateEditLine(); ok {
			p.editing, p.editErr, p.multi = true, "", false
			p.input.SetValue(line)
			p.input.CursorEnd()
			return p.input.Focus()
		}
		if sq := p.selectedSeq(); sq != nil {
			p.editing, p.editErr, p.multi = true, "", false
			p.input.SetValue(fmt.Sprint(sq.Next))
			p.input.CursorEnd()
			return p.input.Focus()
		}
		sel := p.selected()
		if sel == nil {
			return nil
		}
		if d, ok := workflow.ParamDefByKey(sel.Key); ok && d.OperatorOnly() {
			p.s.info("%s is set by the operator on the server (regdesk params set).", sel.Key)
			return nil
		}
		p.editing, p.editErr = true, ""
		p.multi = strings.HasPrefix(sel.Key, "template.")
		if p.multi {
			p.area = textarea.New()
			p.area.ShowLineNumbers = false
			p.area.CharLimit = 20000
			sty := textarea.DefaultStyles(p.s.styles.Dark)
			sty.Cursor.Blink = false
			p.area.SetStyles(sty)
			p.area.SetValue(sel.Value)
			return p.area.Focus()
		}
		p.input.SetValue(sel.Value)
		p.input.CursorEnd()
		return p.input.Focus()
	case key.Matches(kp, k.Reread):
		p.s.info("Reread.")
		return p.load()
	}
	return nil
}

func (p *params) save() tea.Cmd {
	if _, ok := p.templateEditLine(); ok {
		return p.saveTemplate()
	}
	if sq := p.selectedSeq(); sq != nil {
		next, err := strconv.ParseInt(strings.TrimSpace(p.input.Value()), 10, 64)
		if err != nil {
			p.editErr = "Type the value the next record gets, a whole number above " + fmt.Sprint(sq.Next) + "."
			return nil
		}
		svc, ctx, actor, name := p.s.svc, p.s.ctx, p.s.actor, sq.Name
		return func() tea.Msg {
			ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			_, err := svc.SetSequenceNext(ctx, name, next, actor)
			return paramSavedMsg{"the " + name + " sequence", err}
		}
	}
	sel := p.selected()
	if sel == nil {
		return nil
	}
	value := p.input.Value()
	if p.multi {
		value = p.area.Value()
	} else {
		value = strings.TrimSpace(value)
	}
	svc, ctx, actor, k := p.s.svc, p.s.ctx, p.s.actor, sel.Key
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return paramSavedMsg{k, svc.SetApproverParam(ctx, k, value, actor)}
	}
}

func (p *params) Help() helpMap {
	k := p.s.keys
	if p.editing {
		save := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save"))
		if p.multi {
			save = k.Save
		}
		esc := key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
		return helpMap{short: []key.Binding{save, esc}, full: [][]key.Binding{{save, esc}}}
	}
	short := []key.Binding{k.Down, k.Edit, k.Reread}
	if p.selectedTemplate() != nil {
		short = []key.Binding{k.Down, k.Edit, k.Remove, k.Reread}
	}
	return helpMap{short: short, full: [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Edit, k.Remove, k.Reread}}}
}

var paramColumns = []column{{width: 1}, {title: "PARAMETER", width: 28}, {title: "VALUE", share: 1}, {title: "", width: 7}}

// SetSize lays the screen out: the list, a rule, two lines about the
// selected parameter and, while editing, the field.
func (p *params) SetSize(w, h int) {
	p.width, p.height = w, h
	editH, listH := p.heights()
	p.cur.setHeight(listH)
	if p.editing && p.multi { // the text area exists only while editing a template
		p.area.SetWidth(w - 2)
		p.area.SetHeight(max(editH-2, 1))
	}
	p.input.SetWidth(w - 4)
}

func (p *params) heights() (editH, listH int) {
	if p.editing {
		editH = 5
		if p.multi {
			editH = min(p.height/2, 16)
		}
	}
	return editH, p.height - 3 - editH
}

func (p *params) View() string {
	st := p.s.styles
	w := p.width
	if !p.loaded {
		return st.Muted.Render(" loading…")
	}
	_, listH := p.heights()
	list := p.cur.table(st, paramColumns, w, listH, "No parameters.", func(i int) []string {
		if i >= len(p.rows)+len(p.seqs) {
			return p.templateRow(i - len(p.rows) - len(p.seqs))
		}
		if i >= len(p.rows) {
			x := p.seqs[i-len(p.rows)]
			return []string{"", "next " + x.Name + " number", Sanitize(x.NextNumber), "next"}
		}
		x := p.rows[i]
		v, _, _ := strings.Cut(x.Value, "\n")
		state := "set"
		if x.IsDefault {
			state = "default"
		}
		return []string{"", x.Key, Sanitize(v), state}
	})
	lines := []string{fit(list, w, listH), st.Rule.Render(strings.Repeat("─", w))}
	if info, ok := p.templateInfo(); ok {
		for _, l := range info {
			lines = append(lines, truncate(l, w))
		}
		return strings.Join(append(lines, p.editView()...), "\n")
	}
	if sq := p.selectedSeq(); sq != nil {
		info := st.Section.Render("next "+sq.Name+" number") + "  " +
			st.Muted.Render(fmt.Sprintf("format %s; e moves it forward, never back", Sanitize(sq.Format)))
		lines = append(lines, truncate(info, w), truncate(st.Muted.Render(fmt.Sprintf("the next record gets %d: %s", sq.Next, Sanitize(sq.NextNumber))), w))
		return strings.Join(append(lines, p.editView()...), "\n")
	}
	sel := p.selected()
	if sel == nil {
		return strings.Join(lines, "\n")
	}
	info := st.Section.Render(sel.Key) + "  " + st.Muted.Render(sel.Help)
	by := "default " + firstLine(sel.Default)
	if !sel.IsDefault {
		by = fmt.Sprintf("set by %s %s · default %s", sel.UpdatedBy, when(sel.UpdatedAt, true, p.s.loc), firstLine(sel.Default))
	}
	lines = append(lines, truncate(info, w), truncate(st.Muted.Render(Sanitize(by)), w))
	return strings.Join(append(lines, p.editView()...), "\n")
}

// editView is the field being edited and what became of the last save.
func (p *params) editView() []string {
	st := p.s.styles
	if !p.editing {
		return nil
	}
	var lines []string
	if p.multi {
		lines = append(lines, p.area.View())
	} else {
		lines = append(lines, st.Key.Render("› ")+p.input.View())
	}
	if p.editErr != "" {
		return append(lines, st.Err.Render("✗ "+p.editErr))
	}
	return append(lines, st.Muted.Render("The value is checked before it is saved."))
}

func firstLine(s string) string {
	l, _, more := strings.Cut(s, "\n")
	if more {
		l += " …"
	}
	if l == "" {
		return `""`
	}
	return Sanitize(l)
}
