package sshserver

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"
)

// sshHostSigner loads the host key at path, creating an ed25519 key (0600,
// with a .pub beside it) on first start so that clients see the same host
// key across restarts.
func sshHostSigner(path string) (gossh.Signer, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := sshCreateHostKey(path); err != nil {
			return nil, err
		}
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("ssh: host key: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("ssh: host key: %w", err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("ssh: host key %s is readable by others (mode %04o): run chmod 600 %s",
			path, perm, path)
	}
	signer, err := gossh.ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("ssh: host key %s is not an unencrypted OpenSSH private key: %w", path, err)
	}
	return signer, nil
}

// sshCreateHostKey writes a new key beside path and links it into place, so a
// crash never leaves a half-written key and a concurrent start keeps the first.
func sshCreateHostKey(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("ssh: host key: %w", err)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("ssh: host key: %w", err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "regdesk host key")
	if err != nil {
		return fmt.Errorf("ssh: host key: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".ssh_host_key-*") // mode 0600
	if err != nil {
		return fmt.Errorf("ssh: host key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(pem.EncodeToMemory(block)); err != nil {
		tmp.Close()
		return fmt.Errorf("ssh: host key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("ssh: host key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("ssh: host key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil
		}
		return fmt.Errorf("ssh: host key: %w", err)
	}
	sshPub, err := gossh.NewPublicKey(pub)
	if err != nil {
		return fmt.Errorf("ssh: host key: %w", err)
	}
	if err := os.WriteFile(path+".pub", gossh.MarshalAuthorizedKey(sshPub), 0o644); err != nil {
		return fmt.Errorf("ssh: host key: %w", err)
	}
	return nil
}
