package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
)

// The customer account templates, a section of the Parameters screen: one
// row per template (e edits it on one line, d removes it) and a last row
// that adds one.

// templateSep separates a template's fields on its one-line form.
const templateSep = " · "

const templateFields = "description · group · currency · language · payment terms"

type templateRemovedMsg struct {
	code string
	err  error
}

// templateIndex is the position of the cursor within the template rows:
// 0…len-1 a template, len the "add" row, -1 elsewhere.
func (p *params) templateIndex() int {
	i := p.cur.sel - len(p.rows) - len(p.seqs)
	if i < 0 || i > len(p.tmpls) {
		return -1
	}
	return i
}

func (p *params) selectedTemplate() *store.Template {
	if i := p.templateIndex(); i >= 0 && i < len(p.tmpls) {
		return &p.tmpls[i]
	}
	return nil
}

func templateLine(t store.Template) string {
	return strings.Join([]string{t.Name, t.CustomerGroup, t.Currency, t.Language, t.PaymentTerms}, templateSep)
}

// templateEditLine is what e puts in the field on a template row (its
// values) or on the add row (nothing); ok is false elsewhere.
func (p *params) templateEditLine() (string, bool) {
	i := p.templateIndex()
	switch {
	case i < 0:
		return "", false
	case i == len(p.tmpls):
		return "", true
	}
	return templateLine(p.tmpls[i]), true
}

func (p *params) templateRow(i int) []string {
	if i == len(p.tmpls) {
		return []string{"", "+ add a template", "e: CODE · " + templateFields, ""}
	}
	t := p.tmpls[i]
	return []string{"", "template " + Sanitize(t.Code), Sanitize(templateLine(t)), "tmpl"}
}

func (p *params) templateInfo() ([]string, bool) {
	st := p.s.styles
	i := p.templateIndex()
	switch {
	case i < 0:
		return nil, false
	case i == len(p.tmpls):
		return []string{st.Section.Render("add a customer account template") + "  " +
			st.Muted.Render("e, then CODE · "+templateFields),
			st.Muted.Render("e.g. NORDIC · Nordic customer · NOR · SEK · sv-SE · Net 45")}, true
	}
	t := p.tmpls[i]
	return []string{st.Section.Render("template "+Sanitize(t.Code)) + "  " +
		st.Muted.Render("e edits "+templateFields+"; d removes it"),
		st.Muted.Render("Customers created from it keep their values; a template a parameter names cannot be removed.")}, true
}

// splitTemplateLine cuts a one-line template into n trimmed parts.
func splitTemplateLine(v string, n int) ([]string, bool) {
	parts := strings.Split(v, "·")
	if len(parts) != n {
		return nil, false
	}
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts, true
}

func (p *params) saveTemplate() tea.Cmd {
	svc, ctx, actor := p.s.svc, p.s.ctx, p.s.actor
	value := p.input.Value()
	if sel := p.selectedTemplate(); sel != nil {
		f, ok := splitTemplateLine(value, 5)
		if !ok {
			p.editErr = "Write five parts separated by ·: " + templateFields + "."
			return nil
		}
		code := sel.Code
		c := workflow.TemplateChange{Description: &f[0], CustomerGroup: &f[1], Currency: &f[2], Language: &f[3], PaymentTerms: &f[4]}
		return func() tea.Msg {
			ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			_, err := svc.SetTemplate(ctx, code, c, actor)
			return paramSavedMsg{"template " + code, err}
		}
	}
	f, ok := splitTemplateLine(value, 6)
	if !ok {
		p.editErr = "Write six parts separated by ·: CODE · " + templateFields + "."
		return nil
	}
	t := store.Template{Code: f[0], Name: f[1], CustomerGroup: f[2], Currency: f[3], Language: f[4], PaymentTerms: f[5]}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return paramSavedMsg{"template " + t.Code, svc.AddTemplate(ctx, t, actor)}
	}
}

func (p *params) removeTemplate() tea.Cmd {
	sel := p.selectedTemplate()
	if sel == nil {
		return nil
	}
	svc, ctx, actor, code := p.s.svc, p.s.ctx, p.s.actor, sel.Code
	return p.s.confirm(fmt.Sprintf("Remove template %s?", Sanitize(code)), "Remove", []string{
		Sanitize(templateLine(*sel)),
		"",
		"Create stops offering it; customers created from it keep their values.",
	}, func() tea.Cmd {
		return func() tea.Msg {
			ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			return templateRemovedMsg{code, svc.RemoveTemplate(ctx, code, actor)}
		}
	})
}
