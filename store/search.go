package store

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// What an approver types into the search box is mostly one of two things: a
// key copied from somewhere (a registration number from a prospect's mail, a
// customer account, a user-request number, an email address) or words of a
// name. Keys go straight to their own indexes, exact match first, then
// prefix; words, and keys that match nothing, go to the full-text index.
// Each part of the query narrows the result, so a mixed query ("REG-0001
// contoso") is the intersection of its parts.

// searchFilter splits text into SQL conditions on r (the customer_requests
// row) with their arguments, for the keys, and an FTS5 query for the words.
// none reports that nothing can match.
func (q *Queries) searchFilter(ctx context.Context, text string) (conds []string, args []any, match string, none bool, err error) {
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
			return nil, nil, "", false, fmt.Errorf("store: search: %w", err)
		}
		if cond == "" {
			words = append(words, field)
			continue
		}
		conds = append(conds, cond)
		args = append(args, cargs...)
	}
	match, none, err = q.matchQuery(ctx, strings.Join(words, " "))
	if err != nil {
		return nil, nil, "", false, fmt.Errorf("store: search: %w", err)
	}
	// Text with nothing searchable in it (only punctuation) matches nothing.
	none = none || (len(conds) == 0 && match == "" && strings.TrimSpace(text) != "")
	return conds, args, match, none, nil
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
				// A range on the unique index; byte order, which PostgreSQL
				// gives only under the C collation.
				c := ""
				if q.d.postgres {
					c = ` COLLATE "C"`
				}
				cond = func(col string) string { return col + c + " >= ? AND " + col + c + " < ?" }
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
// ASCII, so the next byte value of its last byte.
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
		{`email ` + q.d.likeOp + ` ? ESCAPE '\'`, escapeLike(email) + "%"},
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

// maxWordTerms is how many whole words a typed word may stand for before
// the plain prefix query is used instead.
const maxWordTerms = 64

// prefixIndexed is the longest word prefix, in characters, that the search
// index keeps a prefix index for (migration 0031).
const prefixIndexed = 10

// matchQuery turns words into an FTS5 query: every word must appear as a
// word prefix. Words are quoted, so no input is FTS syntax. A word of up to
// prefixIndexed characters is a prefix query answered from the prefix index,
// lazily in rowid order. A longer one would make FTS5 gather every match
// before the first row comes out, so an ASCII word is replaced by the whole
// words in the index that begin with it, which the index also answers lazily;
// the result is the same. none: a word begins no word in the index, so
// nothing matches.
func (q *Queries) matchQuery(ctx context.Context, text string) (match string, none bool, err error) {
	if q.d.postgres {
		// A GIN index on a tsvector: prefix queries are answered from it.
		return q.d.searchArg(text), false, nil
	}
	var terms []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if !isASCII(w) || utf8.RuneCountInString(w) <= prefixIndexed {
			// The index folds case and diacritics its own way; let it.
			terms = append(terms, `"`+w+`"*`)
			continue
		}
		w = strings.ToLower(w)
		whole, err := queryAll(ctx, q.q, func(s scanner) (string, error) {
			var t string
			return t, s.Scan(&t)
		}, `SELECT term FROM request_search_vocab WHERE term >= ? AND term < ? LIMIT ?`,
			w, prefixEnd(w), maxWordTerms+1)
		if err != nil {
			return "", false, err
		}
		switch {
		case len(whole) == 0:
			return "", true, nil
		case len(whole) > maxWordTerms:
			terms = append(terms, `"`+w+`"*`)
		default:
			for i, t := range whole {
				whole[i] = `"` + t + `"`
			}
			terms = append(terms, "("+strings.Join(whole, " OR ")+")")
		}
	}
	return strings.Join(terms, " AND "), false, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
