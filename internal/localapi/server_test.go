package localapi

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/lullapp/lull/internal/fake"
)

const testToken = "0123456789abcdef0123456789abcdef"

// startTestServer runs a guarded server on a real loopback port with an echo
// handler, returning its port.
func startTestServer(t *testing.T) int {
	t.Helper()
	s := NewServer(testToken)
	s.HandleFunc("GET /v1/status", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, 200, map[string]any{"ok": true})
	})
	s.HandleFunc("POST /v1/echo", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Write(b)
	})
	s.HandleFunc("GET /v1/focus.ics", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "BEGIN:VCALENDAR")
	})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(t.Context()) })
	return s.Port()
}

func TestGuardRefusals(t *testing.T) {
	port := startTestServer(t)
	p := strconv.Itoa(port)
	big := strings.Repeat("x", MaxBody+1)
	tests := []struct {
		name   string
		method string
		path   string
		host   string
		header map[string]string
		body   string
		chunk  bool // hide Content-Length so the size check must read
		want   int
	}{
		{"ok 127.0.0.1", "GET", "/v1/status", "127.0.0.1:" + p, map[string]string{"Authorization": "Bearer " + testToken}, "", false, 200},
		{"ok localhost", "GET", "/v1/status", "localhost:" + p, map[string]string{"Authorization": "Bearer " + testToken}, "", false, 200},
		{"missing token", "GET", "/v1/status", "127.0.0.1:" + p, nil, "", false, 401},
		{"wrong token", "GET", "/v1/status", "127.0.0.1:" + p, map[string]string{"Authorization": "Bearer nope"}, "", false, 401},
		{"basic auth is not a token", "GET", "/v1/status", "127.0.0.1:" + p, map[string]string{"Authorization": "Basic " + testToken}, "", false, 401},
		{"token in query only for feeds", "GET", "/v1/status?token=" + testToken, "127.0.0.1:" + p, nil, "", false, 401},
		{"feed token in query", "GET", "/v1/focus.ics?token=" + testToken, "127.0.0.1:" + p, nil, "", false, 200},
		{"foreign host (DNS rebinding)", "GET", "/v1/status", "evil.example:" + p, map[string]string{"Authorization": "Bearer " + testToken}, "", false, 403},
		{"host without port", "GET", "/v1/status", "127.0.0.1", map[string]string{"Authorization": "Bearer " + testToken}, "", false, 403},
		{"host with other port", "GET", "/v1/status", "127.0.0.1:1", map[string]string{"Authorization": "Bearer " + testToken}, "", false, 403},
		{"any origin", "GET", "/v1/status", "127.0.0.1:" + p, map[string]string{"Authorization": "Bearer " + testToken, "Origin": "http://127.0.0.1:" + p}, "", false, 403},
		{"null origin", "GET", "/v1/status", "127.0.0.1:" + p, map[string]string{"Authorization": "Bearer " + testToken, "Origin": "null"}, "", false, 403},
		{"body at limit", "POST", "/v1/echo", "127.0.0.1:" + p, map[string]string{"Authorization": "Bearer " + testToken}, big[:MaxBody], false, 200},
		{"body over limit", "POST", "/v1/echo", "127.0.0.1:" + p, map[string]string{"Authorization": "Bearer " + testToken}, big, false, 413},
		{"chunked body over limit", "POST", "/v1/echo", "127.0.0.1:" + p, map[string]string{"Authorization": "Bearer " + testToken}, big, true, 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
				if tt.chunk {
					body = io.MultiReader(body) // unknown length: sent chunked
				}
			}
			req, err := http.NewRequest(tt.method, "http://127.0.0.1:"+p+tt.path, body)
			if err != nil {
				t.Fatal(err)
			}
			req.Host = tt.host
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, got, tt.want)
			}
			if tt.want == 200 && tt.method == "POST" && len(got) != len(tt.body) {
				t.Errorf("handler saw %d bytes, want %d", len(got), len(tt.body))
			}
		})
	}
}

func TestServerListensOnLoopbackOnly(t *testing.T) {
	s := NewServer(testToken)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Close(t.Context())
	if got := s.ln.Addr().String(); !strings.HasPrefix(got, "127.0.0.1:") {
		t.Errorf("listening on %s", got)
	}
}

func TestClientDialAndErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Dial(dir); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("Dial with no discovery = %v", err)
	}
	port := startTestServer(t)
	if err := WriteDiscovery(dir, Discovery{Port: port, Token: testToken, PID: os.Getpid()}); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(filepath.Join(dir, DiscoveryFile))
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("discovery mode %v", fi.Mode().Perm())
	}
	c, err := Dial(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := c.Do(t.Context(), "GET", "/v1/status", nil, nil, &out); err != nil || out["ok"] != true {
		t.Errorf("status = %v, %v", out, err)
	}
	// A client holding another token cannot verify the listener, so it
	// sends nothing (the guard's 401 for a wrong token is in
	// TestGuardRefusals).
	err = NewClient(port, "wrong").Do(t.Context(), "GET", "/v1/status", nil, nil, nil)
	var nl *NotLullError
	if !errors.As(err, &nl) || !errors.Is(err, ErrNotRunning) {
		t.Errorf("wrong token err = %v, want NotLullError", err)
	}
	// A stale discovery file (instance killed) reads as not running.
	stale := httptest.NewServer(http.NotFoundHandler())
	stalePort, _ := strconv.Atoi(stale.URL[strings.LastIndex(stale.URL, ":")+1:])
	stale.Close()
	WriteDiscovery(dir, Discovery{Port: stalePort, Token: testToken, PID: 1})
	if _, err := Dial(dir); !errors.Is(err, ErrNotRunning) {
		t.Errorf("Dial on stale discovery = %v", err)
	}
	if err := RemoveDiscovery(dir, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, DiscoveryFile)); err != nil {
		t.Error("RemoveDiscovery removed another pid's file")
	}
	RemoveDiscovery(dir, 1)
	if _, err := os.Stat(filepath.Join(dir, DiscoveryFile)); !os.IsNotExist(err) {
		t.Error("RemoveDiscovery left own file")
	}
}

func TestTokenInKeyringIsStable(t *testing.T) {
	kr := &fake.Keyring{}
	dir := t.TempDir()
	tok1, where, notice, err := LoadOrCreateToken(kr, dir)
	if err != nil || where != TokenInKeyring || notice != "" || len(tok1) != 64 {
		t.Fatalf("first = %q %v %q %v", tok1, where, notice, err)
	}
	tok2, _, _, _ := LoadOrCreateToken(kr, dir)
	if tok1 != tok2 {
		t.Error("token changed between starts")
	}
	if _, err := os.Stat(filepath.Join(dir, TokenFile)); !os.IsNotExist(err) {
		t.Error("token file written although the keyring works")
	}
}

func TestTokenFallsBackToPrivateFile(t *testing.T) {
	kr := &fake.Keyring{Broken: errors.New("no secret service")}
	dir := t.TempDir()
	tok1, where, notice, err := LoadOrCreateToken(kr, dir)
	if err != nil || where != TokenInFile || !strings.Contains(notice, "no OS keyring") {
		t.Fatalf("= %q %v %q %v", tok1, where, notice, err)
	}
	fi, err := os.Stat(filepath.Join(dir, TokenFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v %v", fi, err)
	}
	tok2, _, _, _ := LoadOrCreateToken(kr, dir)
	if tok1 != tok2 {
		t.Error("file token changed between starts")
	}
}

// TestErrorAnswers: an error answer comes back as a *StatusError that
// keeps the status and the code for programs and reads as the message
// alone (no HTTP status); an answer that is not Lull's envelope still
// shows no status; a Lull that stopped after the client was made is "not
// running".
func TestErrorAnswers(t *testing.T) {
	s := NewServer(testToken)
	s.HandleFunc("GET /v1/fail", func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, http.StatusConflict, ErrorBody{Code: "already_focusing", Message: "already focusing (since 09:12)", Field: "x"})
	})
	s.HandleFunc("GET /v1/plain", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) })
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	c := NewClient(s.Port(), testToken)
	err := c.Do(t.Context(), "GET", "/v1/fail", nil, nil, nil)
	var se *StatusError
	if !errors.As(err, &se) || se.Status != 409 || se.Body.Code != "already_focusing" || se.Body.Field != "x" || err.Error() != "already focusing (since 09:12)" {
		t.Errorf("error answer: %v %+v", err, se)
	}
	err = c.Do(t.Context(), "GET", "/v1/plain", nil, nil, nil)
	if !errors.As(err, &se) || se.Status != 500 || strings.Contains(err.Error(), "500") || !strings.Contains(err.Error(), "boom") {
		t.Errorf("plain answer: %v", err)
	}
	err = c.Do(t.Context(), "POST", "/v1/fail", nil, []byte(strings.Repeat("x", MaxBody+1)), nil)
	if !errors.As(err, &se) || se.Status != 413 || se.Body.Code != CodeTooLarge || strings.Contains(err.Error(), "413") {
		t.Errorf("too large: %v %+v", err, se)
	}
	s.Close(t.Context())
	c.http.CloseIdleConnections()
	if err := c.Do(t.Context(), "GET", "/v1/fail", nil, nil, nil); !errors.Is(err, ErrNotRunning) || !strings.Contains(err.Error(), "no longer answers") {
		t.Errorf("after the server stopped: %v", err)
	}
}
