package localapi

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/lullapp/lull/internal/atomicfile"
)

// KeyringService is the service name under which Lull keeps secrets in the
// OS keyring.
const KeyringService = "lull"

// TokenKey is the keyring user name of the API token.
const TokenKey = "api-token"

// TokenFile is the fallback file (0600, in the data directory) for the API
// token when no OS keyring is available.
const TokenFile = "api-token"

// Keyring is the part of the OS keyring the token needs; go-keyring in
// production.
type Keyring interface {
	Get(service, user string) (string, error)
	Set(service, user, password string) error
}

// OSKeyring is the real OS keyring (Secret Service on Linux), with a time
// limit on each call so a locked or absent keyring never hangs start-up.
type OSKeyring struct{ Timeout time.Duration }

// Get reads a secret.
func (k OSKeyring) Get(service, user string) (string, error) {
	var v string
	err := k.withTimeout(func() error {
		var err error
		v, err = keyring.Get(service, user)
		return err
	})
	return v, err
}

// Set stores a secret.
func (k OSKeyring) Set(service, user, password string) error {
	return k.withTimeout(func() error { return keyring.Set(service, user, password) })
}

func (k OSKeyring) withTimeout(f func() error) error {
	d := k.Timeout
	if d == 0 {
		d = 5 * time.Second
	}
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		return fmt.Errorf("keyring did not answer within %v", d)
	}
}

// TokenStore says where the token was found or kept.
type TokenStore string

// Where the token lives.
const (
	TokenInKeyring TokenStore = "keyring"
	TokenInFile    TokenStore = "file"
)

// LoadOrCreateToken returns the API token, creating a random one on first
// start. It is kept in kr; when the keyring is unavailable it falls back to a
// 0600 file in dir and says so through the returned TokenStore and notice.
func LoadOrCreateToken(kr Keyring, dir string) (token string, where TokenStore, notice string, err error) {
	tok, kerr := kr.Get(KeyringService, TokenKey)
	if kerr == nil && tok != "" {
		return tok, TokenInKeyring, "", nil
	}
	if kerr == nil || errors.Is(kerr, keyring.ErrNotFound) {
		tok, err = newToken()
		if err != nil {
			return "", "", "", err
		}
		if serr := kr.Set(KeyringService, TokenKey, tok); serr == nil {
			return tok, TokenInKeyring, "", nil
		} else {
			kerr = serr
		}
	}
	// No usable keyring: a private file.
	path := filepath.Join(dir, TokenFile)
	notice = fmt.Sprintf("no OS keyring available (%v); the API token is kept in %s (mode 0600)", kerr, path)
	if data, rerr := os.ReadFile(path); rerr == nil && len(strings.TrimSpace(string(data))) >= 32 {
		return strings.TrimSpace(string(data)), TokenInFile, notice, nil
	}
	tok, err = newToken()
	if err != nil {
		return "", "", "", err
	}
	if err := atomicfile.Write(path, []byte(tok+"\n"), 0o600); err != nil {
		return "", "", "", fmt.Errorf("store API token in %s: %w", path, err)
	}
	return tok, TokenInFile, notice, nil
}

func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("create API token: %w", err)
	}
	return hex.EncodeToString(b), nil
}
