package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/internal/localapi"
	"github.com/lullapp/lull/internal/store"
)

// TestHiddenStartLosingTheRaceLeavesTheWindow: a start that finds the data
// held by another instance joins it; `lull --hidden` (start at login)
// must not make the other instance show its window, a plain `lull` must.
func TestHiddenStartLosingTheRaceLeavesTheWindow(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	svc, _ := startInstance(t, dir)
	var mu sync.Mutex
	shown := 0
	svc.Subscribe(func(e service.Event) {
		if e.Kind == service.ShowWindow {
			mu.Lock()
			shown++
			mu.Unlock()
		}
	})
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return shown
	}
	for _, tc := range []struct {
		hidden    bool
		wantShown int
	}{{true, 0}, {false, 1}} {
		var out, errOut bytes.Buffer
		c := &cli{env: env{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }, hidden: tc.hidden}, dir: dir}
		if code := c.lostStartRace(store.ErrLocked); code != exitOK {
			t.Fatalf("hidden %v: exit %d, stderr %q", tc.hidden, code, errOut.String())
		}
		if !tc.hidden {
			waitFor(t, func() bool { return count() == tc.wantShown })
		}
		time.Sleep(200 * time.Millisecond) // a show request would have arrived by now
		if got := count(); got != tc.wantShown {
			t.Fatalf("hidden %v: the running instance was asked to show its window %d times, want %d", tc.hidden, got, tc.wantShown)
		}
	}
}

// TestStaleDiscoveryCLI: after a crash, api.json names a port another
// program now listens on. `lull status` sends it no token, says why Lull
// is not running (naming the port, once), and works on the data directly;
// commands that need the app say so (with no way to start one here; the
// real starter would start Lull, which writes a new api.json).
func TestStaleDiscoveryCLI(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var mu sync.Mutex
	var seen bytes.Buffer
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { //nolint:errcheck // ends with the listener
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		r.Header.Write(&seen)
		seen.WriteString(r.URL.String())
		seen.Write(body)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"running":true,"proof":"00"}`)
	}))
	port := ln.Addr().(*net.TCPAddr).Port
	const token = "feedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedface"
	if err := localapi.WriteDiscovery(dir, localapi.Discovery{Port: port, Token: token, PID: 1}); err != nil {
		t.Fatal(err)
	}
	r := runLull(t, dir, "", "status")
	if r.code != exitOK || !strings.Contains(r.stdout, "Lull is not running") {
		t.Fatalf("status: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if want := "stale api.json pointed at port " + strconv.Itoa(port) + ", now used by another program"; !strings.Contains(r.stderr, want) {
		t.Errorf("stderr %q lacks %q", r.stderr, want)
	}
	r = runLull(t, dir, "", "focus", "start", "25m")
	if r.code != exitFailure || strings.Count(r.stderr, "port "+strconv.Itoa(port)) != 1 || !strings.Contains(r.stderr, "Lull is not running: start it") {
		t.Errorf("focus start: exit %d, stderr %q", r.code, r.stderr)
	}
	runLull(t, dir, "", "notify", "--title", "x")
	mu.Lock()
	defer mu.Unlock()
	if strings.Contains(seen.String(), token) || strings.Contains(strings.ToLower(seen.String()), "authorization") {
		t.Fatalf("the token reached the foreign listener:\n%s", seen.String())
	}
}
