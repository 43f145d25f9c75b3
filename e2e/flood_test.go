//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// floodSize is issue 13's flood: this many notifications delivered in one
// digest and as many held after it, the window open on the Digest tab.
const floodSize = 10000

// floodQuitBound is how long the flooded app may take to exit after
// SIGTERM before the test calls it hung. It is a behaviour check on a
// loaded, shared machine, not the speed target (≤ 2 s, measured and
// reported in BENCHMARKS.md); before the fix 4,000 items never exited.
const floodQuitBound = 60 * time.Second

// floodCallBound is how long a command may take while the app is flooded
// before the test calls it stalled (issue 13 saw /v1/focus/start past 30 s).
const floodCallBound = 20 * time.Second

// apiClient posts to a running app's local API as its discovery file says.
type apiClient struct {
	t     *testing.T
	port  int
	token string
	http  *http.Client
}

func newAPIClient(t *testing.T, home string) *apiClient {
	t.Helper()
	var disc struct {
		Port  int    `json:"port"`
		Token string `json:"token"`
	}
	raw, err := os.ReadFile(filepath.Join(home, "api.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &disc); err != nil {
		t.Fatal(err)
	}
	return &apiClient{t: t, port: disc.Port, token: disc.Token, http: &http.Client{Timeout: floodCallBound}}
}

// post sends body to path and returns the status and answer.
func (c *apiClient) post(path, body string) (int, string, error) {
	req, _ := http.NewRequest("POST", fmt.Sprintf("http://127.0.0.1:%d%s", c.port, path), strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

// hold posts n distinct notifications in batches; each has a sender of its
// own, so none is a repeat that breaks through.
func (c *apiClient) hold(tag string, n int) time.Duration {
	c.t.Helper()
	const batch = 250
	start := time.Now()
	for i := 0; i < n; i += batch {
		var items []string
		for j := i; j < min(n, i+batch); j++ {
			items = append(items, fmt.Sprintf(`{"source":"flood %s %05d","title":"message %05d","body":"item %d of the flood"}`, tag, j, j, j))
		}
		code, body, err := c.post("/v1/notifications", "["+strings.Join(items, ",")+"]")
		if err != nil || code != http.StatusCreated || strings.Contains(body, `"breakthrough"`) {
			c.t.Fatalf("batch at %d: %d %v %.200s", i, code, err, body)
		}
	}
	return time.Since(start)
}

// TestFloodThenQuit is issue 13 item 1 on the real binary, window open:
// 10,000 notifications delivered in a digest and 10,000 more held while the
// Digest tab is shown; commands stay answered during the flood, and SIGTERM
// ends the app (before the fix 2,000 took 268 s and 4,000 never ended).
// The times go to the log ("flood: …"), which bench/flood.sh reads.
func TestFloodThenQuit(t *testing.T) {
	needDesktop(t)
	home := onboardedHome(t)
	app := startApp(t, home)
	app.waitAPI(90 * time.Second)
	win := windowID(t, 60*time.Second)
	xdotool(t, "windowfocus", "--sync", win)
	xdotool(t, "mousemove", "--window", win, "5", "5")
	prev := steady(t, win, "e2e-flood-before.png")
	api := newAPIClient(t, home)

	took := api.hold("a", floodSize)
	t.Logf("flood: posted %d in %s", floodSize, took.Round(time.Millisecond))
	start := time.Now()
	if out := mustCLI(t, home, "digest", "now"); !strings.Contains(out, fmt.Sprint(floodSize)) {
		t.Errorf("digest now: %q", out)
	}
	t.Logf("flood: digest of %d delivered in %s", floodSize, time.Since(start).Round(time.Millisecond))

	// The second flood, with the Digest tab open, and commands meanwhile.
	prev = settled(t, win, "e2e-flood-digest-tab.png", prev, func() { xdotool(t, "key", "--window", win, "ctrl+3") })
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		took := api.hold("b", floodSize)
		t.Logf("flood: posted %d more, Digest tab open, in %s", floodSize, took.Round(time.Millisecond))
	}()
	// Focus stays on: a focus end would deliver what the test counts held.
	for _, args := range [][]string{{"status"}, {"focus", "start", "25m"}, {"focus", "extend", "10m"}, {"status"}} {
		start := time.Now()
		out, errOut, code := runCLI(t, home, "", args...)
		d := time.Since(start)
		t.Logf("flood: lull %s answered in %s during the flood", strings.Join(args, " "), d.Round(time.Millisecond))
		if code != 0 || d > floodCallBound {
			t.Errorf("lull %s during the flood: exit %d after %s\n%s%s", strings.Join(args, " "), code, d, out, errOut)
		}
	}
	wg.Wait()
	if st := app.waitAPI(30 * time.Second); st.Held != floodSize {
		t.Errorf("held %d after the second flood, want %d", st.Held, floodSize)
	}
	settled(t, win, "e2e-flood-digest.png", prev, func() {})

	start = time.Now()
	if err := app.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-app.done:
	case <-time.After(floodQuitBound):
		t.Fatalf("still running %s after SIGTERM with %d held and %d delivered", floodQuitBound, floodSize, floodSize)
	}
	quit := time.Since(start)
	t.Logf("flood: exited %s after SIGTERM with %d held and %d delivered (%v)", quit.Round(time.Millisecond), floodSize, floodSize, app.cmd.ProcessState)
	if !app.cmd.ProcessState.Success() {
		t.Errorf("exit status %v after SIGTERM", app.cmd.ProcessState)
	}
}
