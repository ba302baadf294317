package sshserver

import (
	"runtime/debug"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
)

// sshModel wraps a session's model: it ends the program on a panic in Init,
// Update or View (so the server can log it and apologise), and after
// IdleTimeout without keyboard, mouse or paste input.
type sshModel struct {
	inner tea.Model
	idle  time.Duration
	now   func() time.Time
	quit  func() // asks the program to quit, from any goroutine

	lastInput time.Time

	mu  sync.Mutex // guards end: read by the session handler after Run
	end sshEnding
}

// sshEnding is why the wrapper ended the program, if it did.
type sshEnding struct {
	crash *sshCrash
	idle  bool
}

type sshCrash struct {
	value any
	stack []byte
}

type sshIdleTickMsg struct{}

func newSSHModel(inner tea.Model, idle time.Duration, now func() time.Time) *sshModel {
	return &sshModel{inner: inner, idle: idle, now: now, lastInput: now(), quit: func() {}}
}

func (m *sshModel) ending() sshEnding {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.end
}

func (m *sshModel) crashed() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.end.crash != nil
}

// crash records the first panic of the inner model.
func (m *sshModel) crash(r any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.end.crash == nil {
		m.end.crash = &sshCrash{value: r, stack: debug.Stack()}
	}
}

// tick checks for idleness often enough to end a session soon after
// IdleTimeout, without waking an idle server more than twice a minute.
func (m *sshModel) tick() tea.Cmd {
	every := min(max(m.idle/8, 10*time.Millisecond), 30*time.Second)
	return tea.Tick(every, func(time.Time) tea.Msg { return sshIdleTickMsg{} })
}

func (m *sshModel) Init() (cmd tea.Cmd) {
	defer func() {
		if r := recover(); r != nil {
			m.crash(r)
			cmd = tea.Quit
		}
	}()
	return tea.Batch(m.inner.Init(), m.tick())
}

func (m *sshModel) Update(msg tea.Msg) (next tea.Model, cmd tea.Cmd) {
	if m.crashed() {
		return m, tea.Quit
	}
	defer func() {
		if r := recover(); r != nil {
			m.crash(r)
			next, cmd = m, tea.Quit
		}
	}()
	switch msg.(type) {
	case sshIdleTickMsg:
		if m.now().Sub(m.lastInput) >= m.idle {
			m.mu.Lock()
			m.end.idle = true
			m.mu.Unlock()
			return m, tea.Quit
		}
		return m, m.tick()
	case tea.KeyPressMsg, tea.KeyReleaseMsg, tea.MouseMsg, tea.PasteMsg:
		m.lastInput = m.now()
	}
	inner, cmd := m.inner.Update(msg)
	m.inner = inner
	return m, cmd
}

func (m *sshModel) View() (v tea.View) {
	if m.crashed() {
		return tea.NewView("")
	}
	defer func() {
		if r := recover(); r != nil {
			m.crash(r)
			v = tea.NewView("")
			m.quit()
		}
	}()
	return m.inner.View()
}
