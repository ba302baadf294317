package sshserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"runtime/debug"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/wish/v2/bubbletea"
	"github.com/charmbracelet/ssh"

	"github.com/regdesk/regdesk/store"
)

// Messages an approver may see as the last line of a session.
const (
	sshMsgShutdown = "regdesk is shutting down; please reconnect in a minute."
	sshMsgBusy     = "regdesk has all %d sessions in use; please try again later."
	sshMsgNoPTY    = "regdesk needs an interactive terminal: ssh -t -p %s HOST (plain ssh without a command works too)."
	sshMsgCommand  = "regdesk takes no commands: connect with plain ssh -p %s HOST."
	sshMsgCrash    = "Sorry, regdesk hit an internal error and closed this session (ref %s); please reconnect."
	sshMsgIdle     = "regdesk closed this session after %s without input."
	sshMsgRevoked  = "regdesk closed this session: your SSH key is no longer registered."
	sshMsgNoModel  = "regdesk could not open your session (ref %s); please try again."
)

// recoverMW keeps a panic in one session from taking the server down and
// tells that session's approver, with a reference that is in the log.
func (s *Server) recoverMW(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		defer func() {
			if r := recover(); r != nil {
				s.apologise(sess, r, debug.Stack())
			}
		}()
		next(sess)
	}
}

func (s *Server) apologise(sess ssh.Session, r any, stack []byte) {
	ref := s.logPanic(sess, r, stack)
	sshSay(sess, fmt.Sprintf(sshMsgCrash, ref))
	_ = sess.Exit(1)
}

func (s *Server) logPanic(sess ssh.Session, r any, stack []byte) string {
	ref := sshRef()
	approver, fp, _ := Approver(sess.Context())
	s.log.Error("ssh session panic", "ref", ref, "approver", approver, "key", fp,
		"panic", fmt.Sprint(r), "stack", string(stack))
	return ref
}

// capMW refuses sessions beyond MaxSessions and after Shutdown began, and
// registers the others so that Shutdown can reach them.
func (s *Server) capMW(next func(ssh.Session, *sshSession)) ssh.Handler {
	return func(sess ssh.Session) {
		entry := &sshSession{}
		s.mu.Lock()
		switch {
		case s.closing:
			s.mu.Unlock()
			sshSay(sess, sshMsgShutdown)
			_ = sess.Exit(1)
			return
		case len(s.sessions) >= s.cfg.MaxSessions:
			s.mu.Unlock()
			approver, fp, _ := Approver(sess.Context())
			s.log.Warn("ssh session cap reached", "approver", approver, "key", fp, "max", s.cfg.MaxSessions)
			sshSay(sess, fmt.Sprintf(sshMsgBusy, s.cfg.MaxSessions))
			_ = sess.Exit(1)
			return
		}
		s.sessions[entry] = struct{}{}
		s.running.Add(1)
		s.mu.Unlock()
		defer func() {
			if r := recover(); r != nil {
				s.apologise(sess, r, debug.Stack())
			}
			// Exit before Shutdown may close the connection, so the client
			// gets a status; a second Exit is a harmless error.
			_ = sess.Exit(0)
			s.mu.Lock()
			delete(s.sessions, entry)
			s.mu.Unlock()
			s.running.Done()
		}()
		next(sess, entry)
	}
}

// terminalMW turns away sessions that would get escape-code garbage: no pty,
// or a command instead of a shell.
func (s *Server) terminalMW(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		port := "PORT"
		if _, p, err := net.SplitHostPort(sess.LocalAddr().String()); err == nil {
			port = p
		}
		// A command first: "ssh HOST cmd" has no pty either, and the advice
		// to add -t would only lead to this refusal.
		if len(sess.Command()) > 0 || sess.Subsystem() != "" {
			sshSay(sess, fmt.Sprintf(sshMsgCommand, port))
			_ = sess.Exit(1)
			return
		}
		if _, _, ok := sess.Pty(); !ok {
			sshSay(sess, fmt.Sprintf(sshMsgNoPTY, port))
			_ = sess.Exit(1)
			return
		}
		next(sess)
	}
}

// runProgram runs one Bubble Tea program on the session: the client's
// terminal type, colour profile, size and background (queried through the
// session) are its own, never the server's.
func (s *Server) runProgram(sess ssh.Session, entry *sshSession) {
	approver, fp, _ := Approver(sess.Context())
	inner, err := s.cfg.NewModel(sess, approver)
	if err != nil {
		ref := sshRef()
		s.log.Error("ssh model", "ref", ref, "approver", approver, "key", fp, "err", err)
		sshSay(sess, fmt.Sprintf(sshMsgNoModel, ref))
		_ = sess.Exit(1)
		return
	}
	ctx, cancel := context.WithCancel(sess.Context())
	defer cancel()
	m := newSSHModel(inner, s.cfg.IdleTimeout, s.cfg.Now)
	opts := append(bubbletea.MakeOptions(sess), tea.WithContext(ctx),
		// Signals are the server's (serve shuts down through Shutdown), not a session's.
		tea.WithoutSignalHandler())
	p := tea.NewProgram(m, opts...)
	m.quit = func() { go p.Quit() }

	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		sshSay(sess, sshMsgShutdown)
		_ = sess.Exit(1)
		return
	}
	entry.program = p
	s.mu.Unlock()

	var revoked atomic.Bool
	_, winch, _ := sess.Pty()
	go func() {
		check := time.NewTicker(s.cfg.KeyCheck)
		defer check.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case w, ok := <-winch:
				if !ok {
					return
				}
				p.Send(tea.WindowSizeMsg{Width: w.Width, Height: w.Height})
			case <-check.C:
				a, err := s.cfg.DB.Read().ApproverByFingerprint(ctx, fp)
				if errors.Is(err, store.ErrNotFound) || (err == nil && a.Name != approver) {
					revoked.Store(true)
					p.Quit()
					return
				}
			}
		}
	}()

	_, runErr := p.Run()
	end := m.ending()
	switch {
	case end.crash != nil:
		s.apologise(sess, end.crash.value, end.crash.stack)
	case errors.Is(runErr, tea.ErrProgramPanic):
		// Bubble Tea caught it (in a command) and printed the stack itself.
		s.apologise(sess, runErr, nil)
	case s.isClosing():
		sshSay(sess, sshMsgShutdown)
	case revoked.Load():
		s.log.Info("ssh key removed, session closed", "approver", approver, "key", fp)
		sshSay(sess, sshMsgRevoked)
	case end.idle:
		s.log.Info("ssh idle timeout", "approver", approver, "key", fp, "idle", s.cfg.IdleTimeout.String())
		sshSay(sess, fmt.Sprintf(sshMsgIdle, s.cfg.IdleTimeout))
	case runErr != nil && !errors.Is(runErr, tea.ErrProgramKilled):
		s.log.Error("ssh program", "approver", approver, "key", fp, "err", runErr)
	}
}

func sshRef() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
