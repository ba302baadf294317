package sshserver

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/wish/v2"
	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/regdesk/regdesk/store"
)

type (
	sshApproverKey    struct{}
	sshFingerprintKey struct{}
	sshRefusedKeys    struct{}
	sshToldKey        struct{}
)

// Approver returns the approver an SSH session authenticated as (by the
// key the client proved it holds, never by its user name) and that key's
// fingerprint.
func Approver(ctx context.Context) (approver, fingerprint string, ok bool) {
	approver, ok = ctx.Value(sshApproverKey{}).(string)
	fingerprint, _ = ctx.Value(sshFingerprintKey{}).(string)
	return approver, fingerprint, ok && approver != ""
}

func fingerprint(k gossh.PublicKey) string { return gossh.FingerprintSHA256(k) }

// publicKeyAuth accepts keys registered to an approver. The client may offer
// keys it cannot sign with, so nothing decided here names the session:
// identifyMW looks the proven key up again.
func (s *Server) publicKeyAuth(ctx ssh.Context, key ssh.PublicKey) bool {
	fp := fingerprint(key)
	_, err := s.cfg.DB.Read().ApproverByFingerprint(ctx, fp)
	switch {
	case err == nil:
		return true
	case errors.Is(err, store.ErrNotFound):
		s.log.Info("ssh key not registered", "key", fp, "user", ctx.User(),
			"remote", ctx.RemoteAddr().String())
		refused, _ := ctx.Value(sshRefusedKeys{}).([]string)
		if len(refused) < 8 {
			ctx.SetValue(sshRefusedKeys{}, append(refused, fp))
		}
	default:
		s.log.Error("ssh key lookup", "key", fp, "err", err)
	}
	return false
}

// refuseInteractive never lets anyone in; it tells a client whose keys are
// unknown which keys were tried and who can register one.
func (s *Server) refuseInteractive(ctx ssh.Context, challenge gossh.KeyboardInteractiveChallenge) bool {
	if told, _ := ctx.Value(sshToldKey{}).(bool); told {
		return false // once per connection, however often the client retries
	}
	ctx.SetValue(sshToldKey{}, true)
	refused, _ := ctx.Value(sshRefusedKeys{}).([]string)
	msg := "regdesk accepts only approvers' registered SSH keys, and your client offered none."
	if len(refused) > 0 {
		msg = fmt.Sprintf("regdesk does not know your SSH key (%s).", strings.Join(refused, ", "))
	}
	msg += "\nAsk an operator to run: regdesk approvers add NAME --key YOUR_KEY.pub\n"
	_, _ = challenge("regdesk", msg, nil, nil)
	return false
}

// identifyMW names the session after the approver who owns the key the
// client proved, logs its connect and disconnect, and keeps the connection
// alive while it lasts.
func (s *Server) identifyMW(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		key := sess.PublicKey()
		if key == nil {
			sshSay(sess, "regdesk accepts only SSH public keys.")
			return
		}
		fp := fingerprint(key)
		a, err := s.cfg.DB.Read().ApproverByFingerprint(sess.Context(), fp)
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				s.log.Info("ssh key removed during login", "key", fp)
				sshSay(sess, "regdesk no longer knows your SSH key "+fp+".")
				return
			}
			s.log.Error("ssh key lookup", "key", fp, "err", err)
			sshSay(sess, "regdesk cannot check your key right now; please try again shortly.")
			return
		}
		markLoggedIn(sess.Context())
		sess.Context().SetValue(sshApproverKey{}, a.Name)
		sess.Context().SetValue(sshFingerprintKey{}, fp)

		pty, _, hasPTY := sess.Pty()
		log := s.log.With("approver", a.Name, "key", fp, "remote", sess.RemoteAddr().String())
		log.Info("ssh connect", "user", sess.User(), "pty", hasPTY, "term", pty.Term,
			"width", pty.Window.Width, "height", pty.Window.Height,
			"client", sess.Context().ClientVersion())
		start := s.cfg.Now()
		stop := s.keepAlive(sess)
		defer func() {
			stop()
			log.Info("ssh disconnect", "duration", s.cfg.Now().Sub(start).Round(time.Millisecond).String())
		}()
		next(sess)
	}
}

// keepAlive pings the client so that a session nobody types in outlives the
// connection's login grace time, and a vanished client is noticed.
func (s *Server) keepAlive(sess ssh.Session) (stop func()) {
	conn, ok := sess.Context().Value(ssh.ContextKeyConn).(gossh.Conn)
	if !ok {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(sshKeepAlive)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-sess.Context().Done():
				return
			case <-t.C:
				if _, _, err := conn.SendRequest("keepalive@openssh.com", true, nil); err != nil {
					return
				}
			}
		}
	}()
	return func() { close(done) }
}

// sshSay writes a one-line message for the person at the other end: on a
// terminal to stdout, in order after the program's last frame (the client
// copies stdout and stderr separately); without one to stderr.
func sshSay(sess ssh.Session, msg string) {
	if _, _, ok := sess.Pty(); ok {
		wish.Println(sess, msg)
		return
	}
	wish.Errorln(sess, msg)
}
