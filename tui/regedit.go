package tui

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
)

// editDialog corrects a request's fields before Create, with the request
// field rules the portal's sign-up form uses. The email address is shown
// but not editable.
type editDialog struct {
	s      *session
	r      *registration
	req    store.Request
	fields []domain.Field // the editable ones, in form order
	inputs []textinput.Model
	errs   map[string]string
	focus  int
	width  int
}

func (r *registration) edit() tea.Cmd {
	cur, ok := r.selected(domain.EditRequest.Verb, domain.Verified, domain.Approved)
	if !ok {
		return nil
	}
	d := &editDialog{s: r.s, r: r, req: cur, width: 70, errs: map[string]string{}}
	for _, f := range domain.RequestFields() {
		if !f.Editable() {
			continue
		}
		in := newInput(r.s.styles, "", f.MaxLen)
		in.SetValue(*cur.Field(f.Name))
		d.fields = append(d.fields, f)
		d.inputs = append(d.inputs, in)
	}
	d.inputs[0].Focus()
	d.setInputWidth()
	return openDialog(d)
}

func (d *editDialog) Init() tea.Cmd { return nil }

func (d *editDialog) SetWidth(w int) {
	d.width = w
	d.setInputWidth()
}

func (d *editDialog) setInputWidth() {
	for i := range d.inputs {
		d.inputs[i].SetWidth(max(10, d.width-labelWidth-6))
	}
}

const labelWidth = 20

func (d *editDialog) Update(msg tea.Msg) (tea.Cmd, bool) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, false
	}
	switch k.String() {
	case "esc":
		return closeDialog(cancelled, nil), true
	case "tab", "down":
		return d.move(1), true
	case "shift+tab", "up":
		return d.move(-1), true
	case "enter":
		if d.focus < len(d.inputs)-1 {
			return d.move(1), true
		}
		return d.review(), true
	}
	if key.Matches(k, d.s.keys.Save) {
		return d.review(), true
	}
	var cmd tea.Cmd
	d.inputs[d.focus], cmd = d.inputs[d.focus].Update(msg)
	delete(d.errs, d.fields[d.focus].Name)
	return cmd, true
}

func (d *editDialog) move(step int) tea.Cmd {
	d.inputs[d.focus].Blur()
	d.focus = (d.focus + step + len(d.inputs)) % len(d.inputs)
	return d.inputs[d.focus].Focus()
}

// review checks the changed fields and, when they pass, asks to confirm the
// changes, old → new.
func (d *editDialog) review() tea.Cmd {
	changes := map[string]string{}
	var lines []string
	d.errs = map[string]string{}
	first := -1
	for i, f := range d.fields {
		old, typed := *d.req.Field(f.Name), d.inputs[i].Value()
		if typed == old {
			continue
		}
		clean, msg := f.Check(typed)
		if msg != "" {
			d.errs[f.Name] = msg
			if first < 0 {
				first = i
			}
			continue
		}
		if clean == old {
			continue
		}
		changes[f.Name] = clean
		lines = append(lines, fmt.Sprintf("%s: %s → %s", f.Label, strconv.Quote(old), strconv.Quote(clean)))
	}
	if first >= 0 {
		d.inputs[d.focus].Blur()
		d.focus = first
		return d.inputs[first].Focus()
	}
	if len(changes) == 0 {
		return closeDialog(statusLine{"Nothing changed: the values are as stored.", "info"}, nil)
	}
	w := domain.EditRequest
	q := d.req
	a := workflow.EditInput{Action: workflow.Action{Number: q.Number, Actor: d.s.actor, Version: q.Version}, Fields: changes}
	svc := d.s.svc
	body := append([]string{fmt.Sprintf("%s · %s", q.Number, q.CompanyName), ""}, lines...)
	body = append(body, "", w.Effect)
	return d.s.confirm(w.Question(q.Number), w.Button, body, d.r.act(w.Verb, func(ctx context.Context) (*store.Request, string, error) {
		res, err := svc.Edit(ctx, a)
		if err != nil {
			return nil, "", err
		}
		msg := fmt.Sprintf("%s (%d field%s).", w.Outcome(q.Number), len(res.Changes), plural(len(res.Changes)))
		if n := len(res.Warnings); n > 0 {
			msg += fmt.Sprintf(" %d warning%s now; see its details.", n, plural(n))
		}
		return &res.Request, msg, nil
	}))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func (d *editDialog) View() string {
	st := d.s.styles
	var b strings.Builder
	b.WriteString(st.DialogTitle.Render("Edit "+d.req.Number) + "  " + st.Muted.Render(d.req.CompanyName) + "\n\n")
	email, _ := domain.FieldNamed(domain.FieldEmail)
	for i, f := range d.fields {
		mark := "  "
		label := st.Label
		if i == d.focus {
			mark, label = "› ", st.Key
		}
		if d.errs[f.Name] != "" {
			mark = st.Err.Render("! ")
		}
		b.WriteString(mark + label.Render(cell(f.Label, labelWidth)) + d.inputs[i].View() + "\n")
		if f.Name == domain.FieldPhone {
			b.WriteString("  " + st.Muted.Render(cell(email.Label, labelWidth)+Sanitize(d.req.Email)+" (not editable)") + "\n")
		}
	}
	b.WriteString("\n")
	if msg := d.errs[d.fields[d.focus].Name]; msg != "" {
		b.WriteString(st.Err.Render(wrap(msg, d.width-4)) + "\n")
	} else if n := len(d.errs); n > 0 {
		b.WriteString(st.Err.Render(fmt.Sprintf("%d field%s need%s attention (marked !).", n, plural(n), map[bool]string{true: "s"}[n == 1])) + "\n")
	} else if h := d.fields[d.focus].Hint; h != "" {
		b.WriteString(st.Muted.Render(wrap(h, d.width-4)) + "\n")
	} else {
		b.WriteString("\n")
	}
	b.WriteString(st.Key.Render("ctrl+s") + st.Muted.Render(" save   ") + st.Key.Render("tab") +
		st.Muted.Render(" next field   ") + st.Key.Render("esc") + st.Muted.Render(" cancel"))
	return b.String()
}

func (d *editDialog) Help() helpMap {
	k := d.s.keys
	esc := key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	return helpMap{short: []key.Binding{k.Save, k.Field, esc}, full: [][]key.Binding{{k.Save, k.Field, esc}}}
}
