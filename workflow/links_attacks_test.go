package workflow

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regdesk/regdesk/store"
)

// Attack 2: the tokens table held only hashes, but every delivered mail kept
// its full link in the outbox, in every backup and in the pre-restore copy:
// a reset link taken from a backup reset a password, an unused activation
// link activated. Maintenance did not clear them.
func TestWorkingLinksAtRest(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, filepath.Join(dir, store.DBFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := New(Config{DB: db, BaseURL: "https://portal.test"})
	f := &fixture{t: t, db: db, svc: svc}
	queued, err := svc.SignUp(ctx, f.input())
	if err != nil {
		t.Fatal(err)
	}
	sent, err := svc.SignUp(ctx, f.input())
	if err != nil {
		t.Fatal(err)
	}
	// Delivered, as the mail worker records it.
	ms, _ := db.Read().Mails(ctx, store.ListMail{Ref: sent.Number})
	if err := db.WithTx(ctx, func(tx *store.Tx) error { return tx.MarkMailSent(ctx, ms[0].ID) }); err != nil {
		t.Fatal(err)
	}
	// What approvers see (Mail screen, mail list) holds no link.
	all, _ := db.Read().Mails(ctx, store.ListMail{})
	for _, m := range all {
		if strings.Contains(m.Text+m.HTML, "token=") {
			t.Fatalf("mail #%d holds a link:\n%s", m.ID, m.Text)
		}
	}
	if l, _ := db.Read().MailLink(ctx, ms[0].ID); l != "" {
		t.Fatal("a sent mail kept its link")
	}
	// The queued one goes out with its link.
	qm, _ := db.Read().Mails(ctx, store.ListMail{Ref: queued.Number})
	out, err := db.Read().MailToSend(ctx, qm[0].ID)
	if err != nil || !strings.Contains(out.Text, "/activate?token="+queued.Token) ||
		!strings.Contains(out.HTML, `<a href="https://portal.test/activate?token=`+queued.Token+`"`) {
		t.Fatalf("mail to send: %v\n%s\n%s", err, out.Text, out.HTML)
	}

	// No file on a shelf holds either link: not a backup, not the copy a
	// restore keeps.
	backup := filepath.Join(t.TempDir(), "b.db")
	if err := db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	noToken := func(path string) {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range []string{queued.Token, sent.Token} {
			if bytes.Contains(b, []byte(tok)) {
				t.Errorf("%s holds a working link", filepath.Base(path))
			}
		}
	}
	noToken(backup)
	db.Close()
	res, err := store.Restore(ctx, dir, backup)
	if err != nil {
		t.Fatal(err)
	}
	noToken(res.Previous)
	if _, err := os.Stat(res.Previous + "-wal"); err == nil {
		noToken(res.Previous + "-wal")
	}
	// The restored queued mail goes out saying its link was withdrawn.
	db2, err := store.Open(ctx, filepath.Join(dir, store.DBFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	out, err = db2.Read().MailToSend(ctx, qm[0].ID)
	if err != nil || !strings.Contains(out.Text, store.Withdrawn) {
		t.Fatalf("restored mail: %v\n%s", err, out.Text)
	}
}

// Maintenance removes links that older versions wrote into delivered mail.
func TestWorkingLinksAtRest_maintenanceScrubsOldMail(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	old := &store.Mail{MessageID: "<old@x>", Kind: "password_reset", Ref: "user:x", To: "x@example.com",
		Subject: "Reset", Text: "open https://portal.test/password/reset?token=abcdefghijklmnopqrstuvwxyz0123456789ABCDEF.\n",
		HTML: `<p>open <a href="https://portal.test/password/reset?token=abcdefghijklmnopqrstuvwxyz0123456789ABCDEF" style="x">https://portal.test/password/reset?token=abcdefghijklmnopqrstuvwxyz0123456789ABCDEF</a>.</p>`}
	if err := f.db.WithTx(ctx, func(tx *store.Tx) error {
		if err := tx.InsertMail(ctx, old); err != nil {
			return err
		}
		return tx.MarkMailSent(ctx, old.ID)
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Maintain(ctx); err != nil {
		t.Fatal(err)
	}
	m, _ := f.db.Read().MailByID(ctx, old.ID)
	if strings.Contains(m.Text+m.HTML, "token=") || !strings.Contains(m.Text, store.LinkMarker+".") {
		t.Fatalf("after maintenance:\n%s\n%s", m.Text, m.HTML)
	}
}
