package store

import (
	"context"
	"fmt"
	"strings"
	"unicode"
)

// What an approver types into the search box is mostly one of two things: a
// key copied from somewhere (a registration number from a prospect's mail, a
// customer account, a user-request number, an email address) or words of a
// name. Keys go straight to their own indexes, exact match first, then
// prefix; words, and keys that match nothing, go to the full-text index.
// Each part of the query narrows the result, so a mixed query ("REG-0001
// contoso") is the intersection of its parts.

// searchFilter is the SQL condition (on r, the customer_requests row) for
// text, with its arguments. none reports that nothing can match.
func (q *Queries) searchFilter(ctx context.Context, text string) (conds []string, args []any, none bool, err error) {
	var words []string
	for _, field := range strings.Fields(text) {
		var cond string
		var cargs []any
		switch {
		case looksLikeEmail(field):
			cond, cargs, err = q.emailFilter(ctx, field)
		case looksLikeKey(field):
			cond, cargs, err = q.keyFilter(ctx, field)
		}
		if err != nil {
			return nil, nil, false, fmt.Errorf("store: search: %w", err)
		}
		if cond == "" {
			words = append(words, field)
			continue
		}
		conds = append(conds, cond)
		args = append(args, cargs...)
	}
	if m := matchQuery(strings.Join(words, " ")); m != "" {
		conds = append(conds, "r.id IN (SELECT rowid FROM request_search WHERE request_search MATCH ?)")
		args = append(args, m)
	}
	// Text with nothing searchable in it (only punctuation) matches nothing.
	return conds, args, len(conds) == 0 && strings.TrimSpace(text) != "", nil
}

// looksLikeEmail: something on both sides of one @, or an address being typed
// ("ann@", "ann@contoso").
func looksLikeEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && strings.Count(s, "@") == 1
}

// looksLikeKey: a number or account as the sequences format them — ASCII
// letters, digits and separators, with at least one digit and one letter
// ("REG-000042", "C000123", "ur-17").
func looksLikeKey(s string) bool {
	var letter, digit bool
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			letter = true
		case strings.ContainsRune("-_/.#", c):
		default:
			return false
		}
	}
	return letter && digit
}

// keyIndexes are the unique keys a pasted key may be: the table and column
// to probe, and how the customer requests it names are selected given the
// key condition on that column.
var keyIndexes = []struct {
	table, column string
	requests      func(cond func(col string) string) string
}{
	{"customer_requests", "number", func(cond func(string) string) string {
		return cond("r.number")
	}},
	{"customers", "account", func(cond func(string) string) string {
		return "r.customer_id IN (SELECT id FROM customers WHERE " + cond("account") + ")"
	}},
	{"user_requests", "number", func(cond func(string) string) string {
		return "r.id IN (SELECT request_id FROM user_requests WHERE " + cond("number") + ")"
	}},
}

// keyFilter looks the key up in every key index, exactly and then as a
// prefix, as typed and then in capitals (the sequences' formats are usually
// upper case). It returns "" when no index holds it.
func (q *Queries) keyFilter(ctx context.Context, key string) (string, []any, error) {
	variants := []string{key}
	if up := strings.ToUpper(key); up != key {
		variants = append(variants, up)
	}
	for _, exact := range []bool{true, false} {
		for _, v := range variants {
			cond, args := func(col string) string { return col + " = ?" }, []any{v}
			if !exact {
				cond = func(col string) string { return col + " >= ? AND " + col + " < ?" }
				args = []any{v, prefixEnd(v)}
			}
			var parts []string
			var all []any
			for _, ix := range keyIndexes {
				var hit bool
				err := q.q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+ix.table+
					` WHERE `+cond(ix.column)+`)`, args...).Scan(&hit)
				if err != nil {
					return "", nil, mapErr(err)
				}
				if hit {
					parts = append(parts, ix.requests(cond))
					all = append(all, args...)
				}
			}
			if len(parts) > 0 {
				return "(" + strings.Join(parts, " OR ") + ")", all, nil
			}
		}
	}
	return "", nil, nil
}

// prefixEnd is the least string above every string starting with p; p is
// ASCII (looksLikeKey), so the next byte value of its last byte.
func prefixEnd(p string) string {
	return p[:len(p)-1] + string(rune(p[len(p)-1]+1))
}

// emailFilter matches the address exactly, else as a prefix, through the
// case-insensitive email index. It returns "" when no request has it.
func (q *Queries) emailFilter(ctx context.Context, email string) (string, []any, error) {
	for _, cmp := range []struct {
		cond string
		arg  string
	}{
		{"email = ? COLLATE NOCASE", email},
		{`email LIKE ? ESCAPE '\'`, escapeLike(email) + "%"},
	} {
		var hit bool
		err := q.q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM customer_requests WHERE `+
			cmp.cond+`)`, cmp.arg).Scan(&hit)
		if err != nil {
			return "", nil, mapErr(err)
		}
		if hit {
			return "r." + cmp.cond, []any{cmp.arg}, nil
		}
	}
	return "", nil, nil
}

// matchQuery turns words into an FTS5 query: every word must appear as a
// word prefix. Words are quoted, so no input is FTS syntax.
func matchQuery(text string) string {
	var terms []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		terms = append(terms, `"`+w+`"*`)
	}
	return strings.Join(terms, " AND ")
}
