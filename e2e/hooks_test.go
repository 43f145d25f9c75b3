//go:build e2e

package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestHooksE2E: on the real resident process, a program hook (a script
// writing its stdin and environment to files) runs on focus start and
// stop given through the command line, a webhook on 127.0.0.1 receives
// focus.started, and `lull hooks list` shows each one's last result. The
// webhook's address is in the real keyring (gnome-keyring) and nowhere in
// lull.db, the list or Lull's output.
func TestHooksE2E(t *testing.T) {
	needDesktop(t)
	home := onboardedHome(t)
	app := startProcess(t, home, lullBin(t), appEnv(home), "--hidden")
	app.waitAPI(90 * time.Second)

	work := t.TempDir()
	out := filepath.Join(work, "got")
	prog := filepath.Join(work, "record.sh")
	if err := os.WriteFile(prog, []byte("#!/bin/sh\ncat > \"$1.$LULL_EVENT.json\"\nenv | grep '^LULL_' | sort > \"$1.$LULL_EVENT.env\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, event := range []string{"focus.started", "focus.ended"} {
		if got := mustCLI(t, home, "hooks", "add", event, "--exec", prog, out); !strings.Contains(got, "runs "+prog+" "+out) {
			t.Fatalf("hooks add %s: %q", event, got)
		}
	}

	var mu sync.Mutex
	var posts []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		posts = append(posts, r.Method+" "+r.URL.Path+" "+r.Header.Get("Content-Type")+" "+string(body))
		mu.Unlock()
	}))
	defer srv.Close()
	const secretPath = "/hooks/E2ESECRETPATH"
	stdout, stderr, code := runCLI(t, home, srv.URL+secretPath+"?key=E2ESECRETKEY\n", "hooks", "add", "focus.started", "--webhook")
	if code != 0 || !strings.Contains(stdout, "posts to "+srv.URL) {
		t.Fatalf("hooks add --webhook: exit %d %q %q", code, stdout, stderr)
	}
	webID := strings.TrimSuffix(strings.Fields(stdout)[1], ":")

	mustCLI(t, home, "focus", "start", "25m")
	started := waitFile(t, out+".focus.started.json")
	var p struct {
		Version int    `json:"version"`
		Event   string `json:"event"`
		Data    struct {
			SessionID      string `json:"session_id"`
			Kind           string `json:"kind"`
			PlannedMinutes int    `json:"planned_minutes"`
			Minutes        int    `json:"minutes"`
			Interruptions  *int   `json:"interruptions"`
		} `json:"data"`
	}
	if err := json.Unmarshal(started, &p); err != nil || p.Version != 1 || p.Event != "focus.started" || p.Data.Kind != "manual" || p.Data.PlannedMinutes != 25 {
		t.Fatalf("focus.started on stdin: %s (%v)", started, err)
	}
	sessionID := p.Data.SessionID
	env := string(waitFile(t, out+".focus.started.env"))
	for _, want := range []string{"LULL_EVENT=focus.started\n", "LULL_MINUTES=25\n", "LULL_SESSION_ID=" + sessionID + "\n", "LULL_EVENT_VERSION=1\n"} {
		if !strings.Contains(env, want) {
			t.Errorf("environment lacks %q:\n%s", want, env)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := len(posts)
		mu.Unlock()
		if n > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	mu.Lock()
	if len(posts) != 1 || !strings.HasPrefix(posts[0], "POST "+secretPath+" application/json {") || !strings.Contains(posts[0], `"event":"focus.started"`) ||
		!strings.Contains(posts[0], sessionID) {
		t.Errorf("the webhook received %q", posts)
	}
	mu.Unlock()

	mustCLI(t, home, "focus", "stop")
	ended := waitFile(t, out+".focus.ended.json")
	if err := json.Unmarshal(ended, &p); err != nil || p.Event != "focus.ended" || p.Data.SessionID != sessionID ||
		p.Data.Interruptions == nil || *p.Data.Interruptions != 0 || p.Data.Minutes != 0 {
		t.Fatalf("focus.ended on stdin: %s (%v)", ended, err)
	}
	if env := string(waitFile(t, out+".focus.ended.env")); !strings.Contains(env, "LULL_INTERRUPTIONS=0\n") || !strings.Contains(env, "LULL_EVENT=focus.ended\n") {
		t.Errorf("focus.ended environment:\n%s", env)
	}

	// The last results are stored as the workers finish: poll the list.
	var list string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		list = mustCLI(t, home, "hooks", "list")
		if strings.Count(list, " ran ") == 3 || time.Now().After(deadline) {
			break
		}
	}
	if strings.Count(list, " ran ") != 3 || !strings.Contains(list, "posts to "+srv.URL) || !strings.Contains(list, ": done") ||
		!strings.Contains(list, ": delivered") {
		t.Errorf("hooks list does not show three runs:\n%s", list)
	}

	// The address: in the keyring, nowhere else.
	if secretTool, err := exec.LookPath("secret-tool"); err == nil {
		got, err := exec.Command(secretTool, "lookup", "service", "lull", "username", "hook/"+webID+"/url").Output()
		if err != nil || !strings.Contains(string(got), "E2ESECRETKEY") {
			t.Errorf("the keyring does not hold the webhook's address under hook/%s/url: %q %v", webID, got, err)
		}
	}
	db, err := os.ReadFile(filepath.Join(home, "lull.db"))
	if err != nil {
		t.Fatal(err)
	}
	jsonList := mustCLI(t, home, "hooks", "list", "--json")
	for what, text := range map[string]string{"lull.db": string(db), "hooks list": list, "hooks list --json": jsonList, "Lull's output": app.logs.String()} {
		if strings.Contains(text, "E2ESECRET") {
			t.Errorf("%s holds the webhook's address", what)
		}
	}

	// Removing it removes the address from the keyring too.
	mustCLI(t, home, "hooks", "remove", webID)
	if secretTool, err := exec.LookPath("secret-tool"); err == nil {
		if got, _ := exec.Command(secretTool, "lookup", "service", "lull", "username", "hook/"+webID+"/url").Output(); len(got) > 0 {
			t.Errorf("the address is still in the keyring after remove")
		}
	}
}

// waitFile waits for path to exist with content and returns it.
func waitFile(t *testing.T, path string) []byte {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return b
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s was not written within 30 s", path)
		}
	}
}
