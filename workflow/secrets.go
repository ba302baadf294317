package workflow

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// SecretsKeyFile is the name of the key file in the data folder. It seals the
// customers' authenticator secrets; it is not in the database, so a copy of
// the database (a backup) alone does not give the secrets away. Back it up
// separately: without it, customers must enrol their authenticator again.
const SecretsKeyFile = "secrets.key"

const secretsKeySize = 32 // AES-256

// Secrets seals and opens small secrets with AES-256-GCM. Each sealed value
// is bound to a context (the user it belongs to), so a sealed secret copied
// onto another row does not open.
type Secrets struct{ aead cipher.AEAD }

// NewSecrets returns Secrets for a 32-byte key.
func NewSecrets(key []byte) (*Secrets, error) {
	if len(key) != secretsKeySize {
		return nil, fmt.Errorf("secrets: key is %d bytes, want %d", len(key), secretsKeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	return &Secrets{aead: aead}, nil
}

// LoadSecrets reads the key file in dir, creating it (mode 0600) with a new
// random key on first use. A key file that others can read is refused.
func LoadSecrets(dir string) (*Secrets, error) {
	path := filepath.Join(dir, SecretsKeyFile)
	key, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key = make([]byte, secretsKeySize)
		_, _ = rand.Read(key) // crypto/rand.Read never fails (Go 1.24+)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) { // another process made it first
			return LoadSecrets(dir)
		}
		if err != nil {
			return nil, fmt.Errorf("secrets: create %s: %w", path, err)
		}
		if _, err := f.Write(key); err != nil {
			f.Close()
			os.Remove(path)
			return nil, fmt.Errorf("secrets: write %s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("secrets: write %s: %w", path, err)
		}
		return NewSecrets(key)
	}
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("secrets: %s is readable by others (mode %o); chmod 600 it", path, fi.Mode().Perm())
	}
	if len(key) != secretsKeySize {
		return nil, fmt.Errorf("secrets: %s holds %d bytes, want %d", path, len(key), secretsKeySize)
	}
	return NewSecrets(key)
}

// Seal encrypts plain for context ad; the result is nonce then ciphertext.
func (s *Secrets) Seal(plain, ad []byte) []byte {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	_, _ = rand.Read(nonce)
	return s.aead.Seal(nonce, nonce, plain, ad)
}

// Open decrypts what Seal made for the same context.
func (s *Secrets) Open(sealed, ad []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return nil, errors.New("secrets: sealed value too short")
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], ad)
	if err != nil {
		return nil, errors.New("secrets: cannot open: wrong key or altered value")
	}
	return plain, nil
}
