package main

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"
)

// osUser is the operating-system account this process runs as, recorded in
// the audit trail beside the approver named with --as (which anyone can
// type). The name comes from the process's user id, never from $USER.
// When the account was reached from another login (sudo -u regdesk, su),
// the login follows: from the kernel's audit login uid where the system
// keeps one (the process cannot change it), else from sudo's SUDO_USER.
func osUser(getenv func(string) string) string {
	return osUserLabel(userName(strconv.Itoa(os.Getuid())), loginUser(), getenv("SUDO_USER"))
}

// osUserLabel is "regdesk", "regdesk (login: bob)" or "regdesk (sudo: bob)".
func osUserLabel(name, login, sudoUser string) string {
	switch {
	case login != "":
		if login != name {
			return name + " (login: " + login + ")"
		}
	case sudoUser != "" && sudoUser != name:
		return name + " (sudo: " + sudoUser + ")"
	}
	return name
}

// loginUser is the account of the login session (/proc/self/loginuid),
// or "" where the system does not track one.
func loginUser() string {
	b, err := os.ReadFile("/proc/self/loginuid")
	if err != nil {
		return ""
	}
	id := strings.TrimSpace(string(b))
	if n, err := strconv.ParseUint(id, 10, 32); err != nil || n == 1<<32-1 { // unset
		return ""
	}
	return userName(id)
}

func userName(uid string) string {
	if u, err := user.LookupId(uid); err == nil && u.Username != "" {
		return u.Username
	}
	return fmt.Sprintf("uid %s", uid)
}
