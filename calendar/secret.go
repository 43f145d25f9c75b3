package calendar

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"sort"
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

// redactErr is the boundary every error of a source passes before it
// leaves the source (returned, stored in its status, logged): the message
// keeps what went wrong and the hosts involved, but
//   - every URL in it, whichever URL it is (the subscription address, a
//     redirect target, a signed download address), is cut to its scheme
//     and host by RedactURL — net/http quotes the URL it was fetching,
//     which after a redirect is not the one Lull asked for;
//   - anything left that looks like a query ("?sig=…") is cut;
//   - every part of secrets (the whole value, a URL's path, query, each
//     query value, its password, also %-escaped) is replaced wherever it
//     still appears.
//
// The result unwraps to the sentinels err matched (never to err, whose
// message still holds the secret), so errors.Is keeps working. An error
// with nothing to cut is returned as it is.
func redactErr(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	orig := err.Error()
	msg := redactText(orig, secrets...)
	if msg == orig {
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

// urlInText finds URLs in free text: a scheme, "://", and everything up to
// a space, quote or bracket (net/http quotes URLs with %q, so an escaped
// URL never holds a raw quote).
var urlInText = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]*://[^\s"'<>]*`)

// queryInText finds what is left of a query after URLs were cut: "?" then
// name=value.
var queryInText = regexp.MustCompile(`\?[^\s"'<>?]*=[^\s"'<>]*`)

// redactText applies redactErr's rules to a message.
func redactText(msg string, secrets ...string) string {
	msg = urlInText.ReplaceAllStringFunc(msg, func(u string) string {
		// Punctuation that ends a sentence is not part of the URL.
		trimmed := strings.TrimRight(u, ".,:;!)]}")
		return RedactURL(trimmed) + u[len(trimmed):]
	})
	msg = queryInText.ReplaceAllString(msg, "?…")
	for _, part := range secretParts(secrets) {
		msg = strings.ReplaceAll(msg, part, "…")
	}
	return msg
}

// minSecretPart is the shortest piece of a secret redactText replaces on
// its own: shorter pieces (a path "/a", a query value "1") are not secret
// enough to be worth cutting out of unrelated words.
const minSecretPart = 4

// secretParts lists the pieces of secrets to cut from messages, longest
// first (so a whole URL goes before its path): each secret, and for a URL
// its path, query, fragment, every query value and its password, each
// also %-escaped as URLs print them.
func secretParts(secrets []string) []string {
	seen := map[string]bool{}
	var parts []string
	add := func(p string, min int) {
		for _, v := range []string{p, url.PathEscape(p), url.QueryEscape(p)} {
			if len(v) >= min && !seen[v] {
				seen[v] = true
				parts = append(parts, v)
			}
		}
	}
	for _, s := range secrets {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		add(s, 1) // a whole secret (a password) is cut however short
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			continue
		}
		for _, p := range []string{u.Path, u.EscapedPath(), u.RawQuery, u.Fragment} {
			add(p, minSecretPart)
		}
		for _, vals := range u.Query() {
			for _, v := range vals {
				add(v, minSecretPart)
			}
		}
		if pw, ok := u.User.Password(); ok {
			add(pw, 1)
		}
	}
	sort.Slice(parts, func(i, j int) bool { return len(parts[i]) > len(parts[j]) })
	return parts
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
	ErrSourceNotFound, ErrSourceTLS, ErrSourceStale, ErrSourceNotCalendar, ErrBadSource,
	ErrNoCalendar, ErrNoSuchSource, os.ErrNotExist, os.ErrPermission,
}
