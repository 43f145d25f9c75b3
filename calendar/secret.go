package calendar

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
)

// KeyringService is the service name under which Lull keeps its secrets
// (subscription URLs, CalDAV passwords) in the OS keyring.
const KeyringService = "lull"

// Secrets keeps the values Lull must never write to bbolt, config files or
// logs: secret subscription URLs and CalDAV passwords. Keyring is the
// production implementation; unit tests use it over keyring.MockInit.
type Secrets interface {
	// Get returns the secret stored under key, or an error wrapping
	// ErrSecretNotFound.
	Get(key string) (string, error)
	// Set stores value under key, replacing any previous value.
	Set(key, value string) error
	// Delete removes key; deleting a missing key is not an error.
	Delete(key string) error
}

// Keyring is Secrets over the OS keyring (Secret Service on Linux, Keychain
// on macOS, Credential Manager on Windows) through go-keyring, under
// KeyringService. Each call is bounded by Timeout (default 5 s) so a locked
// or absent keyring never hangs Lull.
type Keyring struct {
	// Timeout bounds each keyring call; zero means 5 s.
	Timeout time.Duration
}

// Get implements Secrets.
func (k Keyring) Get(key string) (string, error) {
	var v string
	err := k.call(func() error {
		var err error
		v, err = keyring.Get(KeyringService, key)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("keyring: secret %q: %w", key, err)
	}
	return v, nil
}

// Set implements Secrets.
func (k Keyring) Set(key, value string) error {
	if err := k.call(func() error { return keyring.Set(KeyringService, key, value) }); err != nil {
		return fmt.Errorf("keyring: store secret %q: %w", key, err)
	}
	return nil
}

// Delete implements Secrets.
func (k Keyring) Delete(key string) error {
	err := k.call(func() error { return keyring.Delete(KeyringService, key) })
	if err != nil && !errors.Is(err, ErrSecretNotFound) {
		return fmt.Errorf("keyring: delete secret %q: %w", key, err)
	}
	return nil
}

// call runs f with the time limit and maps go-keyring's not-found error to
// ErrSecretNotFound. The goroutine ends when f returns; on a timeout it is
// left to finish on its own, because a keyring call cannot be cancelled.
func (k Keyring) call(f func() error) error {
	d := k.Timeout
	if d == 0 {
		d = 5 * time.Second
	}
	done := make(chan error, 1)
	go func() { done <- f() }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case err := <-done:
		if errors.Is(err, keyring.ErrNotFound) {
			return ErrSecretNotFound
		}
		return err
	case <-t.C:
		return fmt.Errorf("%w within %v", ErrKeyringTimeout, d)
	}
}

// secretURLKey is the keyring key of a URL source's subscription URL.
func secretURLKey(sourceID string) string { return "source/" + sourceID + "/url" }

// secretPasswordKey is the keyring key of a CalDAV source's password.
func secretPasswordKey(sourceID string) string { return "source/" + sourceID + "/password" }

// RedactURL returns only the scheme and host of raw ("https://example.com/…"),
// for messages and logs: the path and query of a subscription URL are the
// secret, and user info may hold a password. A string that does not parse
// as a URL is replaced entirely.
func RedactURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return "<redacted URL>"
	}
	s := u.Scheme + "://" + u.Host
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		s += "/…"
	}
	return s
}

// redactErr rewrites err's message so that secret never appears in it (net/http
// errors quote the full request URL). The result still unwraps to err, so
// errors.Is keeps working.
func redactErr(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	changed := false
	for _, s := range secrets {
		if s == "" {
			continue
		}
		repl := "<redacted>"
		if strings.Contains(s, "://") {
			repl = RedactURL(s)
		}
		if strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, repl)
			changed = true
		}
		// url.Error quotes the URL, possibly escaped differently; also cut the
		// path and query of any URL on the same host.
		if u, perr := url.Parse(s); perr == nil && u.Host != "" {
			if strings.Contains(msg, u.Host) {
				msg = redactAfterHost(msg, u.Host)
				changed = true
			}
		}
	}
	if !changed {
		return err
	}
	var kept []error
	for _, k := range redactKeep {
		if errors.Is(err, k) {
			kept = append(kept, k)
		}
	}
	return &redactedError{msg: msg, kept: kept}
}

// redactAfterHost drops whatever follows host up to the next quote or space
// in msg, every time host appears.
func redactAfterHost(msg, host string) string {
	var b strings.Builder
	for {
		i := strings.Index(msg, host)
		if i < 0 {
			b.WriteString(msg)
			return b.String()
		}
		b.WriteString(msg[:i+len(host)])
		rest := msg[i+len(host):]
		j := strings.IndexAny(rest, "\"' \n")
		if j < 0 {
			j = len(rest)
		}
		if j > 0 && rest[0] != ':' {
			b.WriteString("/…")
		} else if j > 0 {
			// keep a port, drop the path after it
			k := strings.IndexByte(rest[:j], '/')
			if k < 0 {
				b.WriteString(rest[:j])
			} else {
				b.WriteString(rest[:k] + "/…")
			}
		}
		msg = rest[j:]
	}
}

// redactedError carries a message with secrets removed. It unwraps only to
// the sentinels the original matched, never to the original itself, whose
// message still holds the secret.
type redactedError struct {
	msg  string
	kept []error
}

func (e *redactedError) Error() string   { return e.msg }
func (e *redactedError) Unwrap() []error { return e.kept }

// redactKeep lists the sentinels a redacted error still answers to.
var redactKeep = []error{
	context.DeadlineExceeded, context.Canceled, ErrSecretNotFound, ErrKeyringTimeout,
	ErrSourceTimeout, ErrSourceUnreachable, ErrSourceTooLarge, ErrSourceHTTP, ErrSourceAuth,
	ErrSourceNotFound, ErrSourceTLS, ErrSourceStale,
}
