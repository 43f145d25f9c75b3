package calendar

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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

// TestSecretURLNeverLeaksThroughRedirects: a subscription whose server
// starts redirecting (in a loop, to a signed address that then fails, to
// an unreachable host, to a host with an untrusted certificate) fails with
// the last good copy kept, and no part of the secret address or of the
// redirect target's path and query reaches the error, the stored status,
// the list of sources or the bbolt file.
func TestSecretURLNeverLeaksThroughRedirects(t *testing.T) {
	const (
		secretPath = "/private/s3cr3t-token/basic.ics"
		signedPath = "/signed/t0p-s3cr3t-obj.ics"
		signedSig  = "51gn4ture"
	)
	leaks := []string{"s3cr3t", "k3y", signedSig, "t0p", "/private", "/signed", "basic.ics", "obj.ics", "sig="}
	// Hosts a redirect may lead to.
	hangUp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close() // the signed download fails half-way
		}
	}))
	defer hangUp.Close()
	untrusted := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer untrusted.Close()
	closed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	closedURL := closed.URL
	closed.Close()
	signed := func(base string) string {
		return base + signedPath + "?X-Amz-Signature=" + signedSig + "&sig=" + signedSig
	}

	for _, tc := range []struct {
		name string
		// redirect answers the subscription's request once it fails.
		redirect func(w http.ResponseWriter, r *http.Request)
		want     error
	}{
		{"redirect loop", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, signedPath+"?sig="+signedSig+"&n="+r.URL.Query().Get("n")+"x", http.StatusFound)
		}, ErrSourceHTTP},
		{"signed address hangs up", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, signed(hangUp.URL), http.StatusFound)
		}, ErrSourceUnreachable},
		{"unreachable host", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, signed(closedURL), http.StatusTemporaryRedirect)
		}, ErrSourceUnreachable},
		{"untrusted certificate", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, signed(untrusted.URL), http.StatusMovedPermanently)
		}, ErrSourceTLS},
		{"signed address with credentials", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, strings.Replace(signed(closedURL), "http://", "http://bob:pa55w0rd-"+signedSig+"@", 1), http.StatusFound)
		}, ErrSourceUnreachable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var failing atomic.Bool
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if failing.Load() || r.URL.Path != secretPath {
					tc.redirect(w, r)
					return
				}
				w.Header().Set("Content-Type", "text/calendar")
				io.WriteString(w, sampleICS)
			}))
			defer srv.Close()
			secretURL := srv.URL + secretPath + "?key=k3y"
			env := newSourceEnv(t, SourceOptions{Timeout: 5 * time.Second})
			cfg, err := env.st.AddURLSource(context.Background(), secretURL, "Team")
			if err != nil {
				t.Fatal(err)
			}
			failing.Store(true)
			src, _ := env.st.Source(cfg.ID)
			data, fetchErr := src.Fetch(context.Background())
			if !errors.Is(fetchErr, ErrSourceStale) || !errors.Is(fetchErr, tc.want) || string(data) != sampleICS {
				t.Fatalf("Fetch = %d bytes, %v; want the last good copy and %v", len(data), fetchErr, tc.want)
			}
			// Adding it now fails the same way, and says just as little.
			_, addErr := env.st.AddURLSource(context.Background(), secretURL, "Again")
			if !errors.Is(addErr, tc.want) {
				t.Fatalf("AddURLSource = %v, want %v", addErr, tc.want)
			}
			list, _ := env.st.ListSources()
			listJSON, _ := json.Marshal(list)
			st, _ := src.Status()
			env.db.Close()
			raw, _ := os.ReadFile(env.db.Path())
			if !bytes.Contains(raw, []byte("Standup")) || st.LastError == "" {
				t.Fatal("nothing stored (the test would prove nothing)")
			}
			for _, where := range []struct{ name, text string }{
				{"fetch error", fetchErr.Error()}, {"add error", addErr.Error()},
				{"status", st.Describe(testNow, time.UTC)}, {"list", string(listJSON)}, {"bbolt file", string(raw)},
			} {
				for _, leak := range append(leaks, "pa55w0rd", "bob:") {
					if strings.Contains(where.text, leak) {
						t.Errorf("%s contains %q: %s", where.name, leak, where.text)
					}
				}
			}
			t.Logf("status: %s", st.Describe(testNow, time.UTC))
		})
	}
}

// TestRedactText: every URL in a message is cut to scheme and host, and
// every piece of the given secrets goes, however it is escaped.
func TestRedactText(t *testing.T) {
	secret := "https://cal.example.com/feeds/s3cr3t/basic.ics?key=k3yk3y&user=me@example.com"
	for _, tc := range []struct{ in, want string }{
		{`Get "https://other.example/signed/obj?sig=abc123": EOF`, `Get "https://other.example/…": EOF`},
		{`Get "http://u:pw@10.0.0.1:8080/x": dial tcp 10.0.0.1:8080: connection refused`, `Get "http://10.0.0.1:8080/…": dial tcp 10.0.0.1:8080: connection refused`},
		{`redirect to webcal://x.example/a?b=c failed`, `redirect to webcal://x.example/… failed`},
		{`CalDAV http://127.0.0.1:5232: down, see https://x.example/a/b.`, `CalDAV http://127.0.0.1:5232: down, see https://x.example/….`},
		{`no URL here, only a host cal.example.com`, `no URL here, only a host cal.example.com`},
		{`the path /feeds/s3cr3t/basic.ics was refused`, `the path … was refused`},
		{`token k3yk3y and user me%40example.com`, `token … and user …`},
		{`leftover ?X-Amz-Signature=deadbeef in text`, `leftover ?… in text`},
	} {
		if got := redactText(tc.in, secret); got != tc.want {
			t.Errorf("redactText(%q)\n got  %q\n want %q", tc.in, got, tc.want)
		}
	}
}
