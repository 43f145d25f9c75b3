// Package radicaletest starts a real Radicale CalDAV server on 127.0.0.1
// for one test, so the calendar and service tests of what several devices
// do on one shared calendar run against a real server's ETag and
// precondition handling instead of a fake that would agree with Lull.
package radicaletest

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// User and Password are the account every started server accepts.
const (
	User     = "alice"
	Password = "correct horse battery staple"
)

// startTimeout bounds waiting for Radicale to answer after it was started:
// it starts in well under a second, but the test machine may be loaded.
const startTimeout = 30 * time.Second

// Server is a running Radicale.
type Server struct {
	// Base is its address, http://127.0.0.1:PORT.
	Base string
	// Root is its storage's collection root: the files of every
	// collection by path, for tests that seed a large collection on disk
	// faster than uploads would.
	Root string
	hc   *http.Client
	mu   sync.Mutex
	logs bytes.Buffer
}

// Start starts Radicale with an empty store and stops it when t ends. The
// test is skipped when radicale is not installed, unless
// RADICALE_REQUIRED=1 makes that a failure.
func Start(t testing.TB) *Server {
	t.Helper()
	if _, err := exec.LookPath("radicale"); err != nil {
		if os.Getenv("RADICALE_REQUIRED") == "1" {
			t.Fatal("radicale is not installed")
		}
		t.Skip("radicale is not installed (apt-get install radicale)")
	}
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	users := filepath.Join(dir, "users")
	if err := os.WriteFile(users, []byte(User+":"+Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`[server]
hosts = 127.0.0.1:%d
[auth]
type = htpasswd
htpasswd_filename = %s
htpasswd_encryption = plain
[storage]
filesystem_folder = %s
[rights]
type = owner_only
[logging]
level = warning
`, port, users, filepath.Join(dir, "collections"))), 0o600); err != nil {
		t.Fatal(err)
	}
	s := &Server{Base: fmt.Sprintf("http://127.0.0.1:%d", port), hc: &http.Client{Timeout: 10 * time.Second},
		Root: filepath.Join(dir, "collections", "collection-root")}
	cmd := exec.Command("radicale", "--config", cfg)
	cmd.Stdout, cmd.Stderr = s, s
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			s.mu.Lock()
			t.Logf("radicale log:\n%s", s.logs.String())
			s.mu.Unlock()
		}
	})
	for deadline := time.Now().Add(startTimeout); ; time.Sleep(100 * time.Millisecond) {
		resp, err := s.hc.Get(s.Base + "/")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("radicale did not answer on %s: %v", s.Base, err)
		}
	}
	return s
}

// Write collects Radicale's output for the log of a failed test.
func (s *Server) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logs.Write(p)
}

// Do sends one request as User and returns the status, the ETag and the
// body; hdr are header name/value pairs.
func (s *Server) Do(t testing.TB, method, path, body string, hdr ...string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.Base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(User, Password)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("ETag"), string(b)
}

// MkCalendar creates the calendar collection at path ("/alice/work/").
func (s *Server) MkCalendar(t testing.TB, path string) {
	t.Helper()
	if code, _, body := s.Do(t, "MKCALENDAR", path, ""); code != http.StatusCreated {
		t.Fatalf("MKCALENDAR %s: %d %s", path, code, body)
	}
}

// Put stores an object at path ("/alice/work/x.ics").
func (s *Server) Put(t testing.TB, path, body string) {
	t.Helper()
	if code, _, resp := s.Do(t, http.MethodPut, path, body, "Content-Type", "text/calendar; charset=utf-8"); code/100 != 2 {
		t.Fatalf("PUT %s: %d %s", path, code, resp)
	}
}

// ClockBase returns the address of a proxy in front of the server whose
// answers carry now() in their Date header: the server's clock as the test
// sets it (Radicale's own is the machine's), for what Lull judges on the
// server's clock. The proxy stops when t ends.
func (s *Server) ClockBase(t testing.TB, now func() time.Time) string {
	t.Helper()
	target, err := url.Parse(s.Base)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = func(resp *http.Response) error {
		resp.Header.Set("Date", now().UTC().Format(http.TimeFormat))
		return nil
	}
	px := httptest.NewServer(rp)
	t.Cleanup(px.Close)
	return px.URL
}
