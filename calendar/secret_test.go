package calendar

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

func TestKeyringSecrets(t *testing.T) {
	keyring.MockInit()
	var s Secrets = Keyring{}
	if _, err := s.Get("source/x/url"); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("Get missing: err = %v, want ErrSecretNotFound", err)
	}
	if err := s.Set("source/x/url", "https://example.com/private/abc"); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get("source/x/url")
	if err != nil || got != "https://example.com/private/abc" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	// Stored under Lull's service name, so other apps' entries are untouched.
	if v, err := keyring.Get(KeyringService, "source/x/url"); err != nil || v != got {
		t.Fatalf("keyring.Get(%q) = %q, %v", KeyringService, v, err)
	}
	if err := s.Delete("source/x/url"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("source/x/url"); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("Get after Delete: err = %v", err)
	}
	if err := s.Delete("source/x/url"); err != nil {
		t.Fatalf("Delete of a missing key: %v", err)
	}
}

func TestKeyringErrorPassesThrough(t *testing.T) {
	keyring.MockInitWithError(errors.New("dbus: no secret service"))
	t.Cleanup(keyring.MockInit)
	err := Keyring{}.Set("k", "v")
	if err == nil || !strings.Contains(err.Error(), "no secret service") || strings.Contains(err.Error(), "\"v\"") {
		t.Fatalf("Set error = %v", err)
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://calendar.google.com/calendar/ical/abc%40group/private-0123/basic.ics", "https://calendar.google.com/…"},
		{"https://user:pw@cal.example.com:8443/x?token=1", "https://cal.example.com:8443/…"},
		{"http://example.com", "http://example.com"},
		{"http://example.com/", "http://example.com"},
		{"https://example.com/?k=secret", "https://example.com/…"},
		{"not a url at all", "<redacted URL>"},
		{"::", "<redacted URL>"},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if strings.Contains(RedactURL(tt.in), "pw") || strings.Contains(RedactURL(tt.in), "secret") {
			t.Errorf("RedactURL(%q) leaks a secret", tt.in)
		}
	}
}

func TestRedactErr(t *testing.T) {
	secret := "https://cal.example.com/feeds/s3cr3t/basic.ics?key=k3y"
	orig := fmt.Errorf("%w: Get %q: dial tcp: connection refused", ErrSourceUnreachable, secret)
	got := redactErr(orig, secret)
	msg := got.Error()
	for _, leak := range []string{"s3cr3t", "k3y", "feeds"} {
		if strings.Contains(msg, leak) {
			t.Errorf("redacted message %q contains %q", msg, leak)
		}
	}
	if !strings.Contains(msg, "cal.example.com") || !strings.Contains(msg, "connection refused") {
		t.Errorf("redacted message %q lost its useful part", msg)
	}
	if !errors.Is(got, ErrSourceUnreachable) {
		t.Error("redacted error no longer matches its sentinel")
	}
	// Nothing to redact: the same error comes back.
	plain := errors.New("plain")
	if redactErr(plain, secret) != plain {
		t.Error("an error without the secret was rewritten")
	}
	// A differently escaped form of the URL (as url.Error prints it) is also cut.
	escaped := fmt.Errorf("Get \"https://cal.example.com/feeds/s3cr3t/basic.ics?key=k3y%%20\": EOF")
	if m := redactErr(escaped, secret).Error(); strings.Contains(m, "s3cr3t") {
		t.Errorf("escaped URL leaked: %q", m)
	}
}
