package sshserver

import "github.com/regdesk/regdesk/tui/termtest"

// sshScreen is what an SSH client's terminal shows: the tests' terminal
// emulator, shared with the end-to-end tests of serve.
type sshScreen = termtest.Screen

func newSSHScreen(w, h int, onBGQuery func()) *sshScreen { return termtest.New(w, h, onBGQuery) }
