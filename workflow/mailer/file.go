package mailer

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/regdesk/regdesk/store"
)

// FileSender writes each message as an RFC 5322 .eml file into Dir: the
// default when no SMTP server is configured, so a fresh install works.
type FileSender struct {
	Dir string
}

// NewFileSender creates dir if needed.
func NewFileSender(dir string) (*FileSender, error) {
	// Delivered mail holds personal data: the folder is the service user's
	// only, even when it was made wider by hand.
	if _, err := store.EnsurePrivateDir(dir); err != nil {
		return nil, fmt.Errorf("mailer: mail directory: %w", err)
	}
	return &FileSender{Dir: dir}, nil
}

// FileName is the file a message is written to: the same for every retry,
// so a message is never delivered twice.
func FileName(m store.Mail) string {
	kind := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' {
			return r
		}
		return '_'
	}, strings.ToLower(m.Kind))
	return fmt.Sprintf("%06d-%s.eml", m.ID, kind)
}

// Send writes the message atomically (a temporary file renamed into place),
// so a reader never sees half a message.
func (s *FileSender) Send(_ context.Context, from string, m store.Mail) error {
	msg, err := build(from, m)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		return fmt.Errorf("mailer: write mail #%d: %w", m.ID, err)
	}
	f, err := os.CreateTemp(s.Dir, ".tmp-*.eml")
	if err != nil {
		return fmt.Errorf("mailer: write mail #%d: %w", m.ID, err)
	}
	tmp := f.Name()
	_, err = f.Write(buf.Bytes())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(s.Dir, FileName(m)))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("mailer: write mail #%d: %w", m.ID, err)
	}
	return nil
}
