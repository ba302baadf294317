package sshserver

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regdesk/regdesk/store/storetest"
)

func TestNew_HostKey(t *testing.T) {
	db := storetest.New(t)
	cfg := Config{DB: db, NewModel: sshTestModels,
		HostKeyPath: filepath.Join(t.TempDir(), "data", HostKeyFile)}
	first, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(cfg.HostKeyPath)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("host key mode %04o, want 0600", fi.Mode().Perm())
	}
	pub, err := os.ReadFile(cfg.HostKeyPath + ".pub")
	if err != nil || !strings.HasPrefix(string(pub), "ssh-ed25519 ") {
		t.Errorf("host public key %q, %v", pub, err)
	}
	second, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if first.HostKeyFingerprint() != second.HostKeyFingerprint() {
		t.Errorf("host key changed across restarts: %s, then %s",
			first.HostKeyFingerprint(), second.HostKeyFingerprint())
	}

	t.Run("readable by others", func(t *testing.T) {
		if err := os.Chmod(cfg.HostKeyPath, 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(cfg.HostKeyPath, 0o600)
		_, err := New(cfg)
		if err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("err = %v, want advice to chmod 600", err)
		}
	})
	t.Run("not a key", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "key")
		if err := os.WriteFile(bad, []byte("hello"), 0o600); err != nil {
			t.Fatal(err)
		}
		c := cfg
		c.HostKeyPath = bad
		_, err := New(c)
		if err == nil || !strings.Contains(err.Error(), "is not an unencrypted OpenSSH private key") {
			t.Errorf("err = %v", err)
		}
		if data, _ := os.ReadFile(bad); string(data) != "hello" {
			t.Error("a bad host key file was overwritten")
		}
	})
}

func TestNew_Config(t *testing.T) {
	db := storetest.New(t)
	key := filepath.Join(t.TempDir(), HostKeyFile)
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no database", Config{NewModel: sshTestModels, HostKeyPath: key}, "no database"},
		{"no factory", Config{DB: db, HostKeyPath: key}, "no model factory"},
		{"no host key", Config{DB: db, NewModel: sshTestModels}, "no host key path"},
		{"negative cap", Config{DB: db, NewModel: sshTestModels, HostKeyPath: key, MaxSessions: -1},
			"must not be negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
			if _, err := os.Stat(key); err == nil {
				t.Error("a refused configuration created the host key")
			}
		})
	}
}
