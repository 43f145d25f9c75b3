package hook

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
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/store"
)

// memSecrets is Secrets in memory.
type memSecrets struct {
	mu sync.Mutex
	m  map[string]string
}

func (s *memSecrets) Get(k string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[k]
	if !ok {
		return "", errors.New("not in the keyring")
	}
	return v, nil
}

func (s *memSecrets) Set(k, v string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]string{}
	}
	s.m[k] = v
	return nil
}

func (s *memSecrets) Delete(k string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, k)
	return nil
}

// logBook collects what the runner logs.
type logBook struct {
	mu    sync.Mutex
	lines []string
}

func (l *logBook) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logBook) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

type rig struct {
	db      *store.DB
	store   *Store
	secrets *memSecrets
	log     *logBook
	runner  *Runner
	sleeps  []time.Duration
	sleepMu sync.Mutex
}

// newRig opens a store in a temporary directory and a runner on it with
// short limits and a sleep that only records.
func newRig(t *testing.T, tune func(*Options)) *rig {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), store.FileName), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{db: db, secrets: &memSecrets{}, log: &logBook{}}
	if r.store, err = OpenStore(db, r.secrets); err != nil {
		t.Fatal(err)
	}
	opts := Options{Store: r.store, Clock: clock.NewFake(at), Logf: r.log.logf, Version: "test",
		Sleep: func(ctx context.Context, d time.Duration) error {
			r.sleepMu.Lock()
			r.sleeps = append(r.sleeps, d)
			r.sleepMu.Unlock()
			return ctx.Err()
		}}
	if tune != nil {
		tune(&opts)
	}
	if r.runner, err = NewRunner(opts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		r.runner.Close()
		db.Close()
	})
	return r
}

// script writes an executable shell script into dir.
func script(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// waitLast waits until hook id has a last result and returns it.
func (r *rig) waitLast(t *testing.T, id string) Result {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		h, err := r.store.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		if h.Last != nil {
			return *h.Last
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("hook %s never ran; log:\n%s", id, r.log)
	return Result{}
}

func (r *rig) addExec(t *testing.T, event, path string, args ...string) Hook {
	t.Helper()
	h, err := NewExec(event, path, args)
	if err != nil {
		t.Fatal(err)
	}
	h, err = r.runner.Add(h, "")
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func (r *rig) addWebhook(t *testing.T, event, raw string) Hook {
	t.Helper()
	h, err := NewWebhook(event, raw)
	if err != nil {
		t.Fatal(err)
	}
	h, err = r.runner.Add(h, raw)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestExecHook: a program hook gets the event as JSON on stdin and its
// fields as LULL_* variables, its fixed arguments as they are (no shell:
// "$HOME" and ";" stay text), and what it prints goes to the log.
func TestExecHook(t *testing.T) {
	r := newRig(t, nil)
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	prog := script(t, dir, "hook.sh", `cat > "$1"; env | grep ^LULL_ | sort > "$1.env"; printf '%s\n' "$2" > "$1.arg"; echo hello from the hook; echo oops >&2`)
	h := r.addExec(t, FocusEnded, prog, out, "$HOME; rm -rf /")
	r.runner.Fire(FocusStarted, FocusStart{SessionID: "no"}) // another event: not run
	r.runner.Fire(FocusEnded, FocusEnd{SessionID: "s1", Kind: "manual", Minutes: 25, Interruptions: 3, Outcome: "completed"})
	res := r.waitLast(t, h.ID)
	if !res.OK || res.Reason != "done" || res.Event != FocusEnded || res.Tries != 1 {
		t.Fatalf("result %+v\n%s", res, r.log)
	}
	var p struct {
		Version int
		Event   string
		Data    FocusEnd
	}
	raw, _ := os.ReadFile(out)
	if err := json.Unmarshal(raw, &p); err != nil || p.Version != 1 || p.Event != FocusEnded || p.Data.Interruptions != 3 || p.Data.SessionID != "s1" {
		t.Fatalf("stdin: %s (%v)", raw, err)
	}
	env, _ := os.ReadFile(out + ".env")
	for _, want := range []string{"LULL_EVENT=focus.ended", "LULL_MINUTES=25", "LULL_INTERRUPTIONS=3", "LULL_SESSION_ID=s1", "LULL_EVENT_VERSION=1"} {
		if !strings.Contains(string(env), want+"\n") {
			t.Errorf("env lacks %s:\n%s", want, env)
		}
	}
	if arg, _ := os.ReadFile(out + ".arg"); string(arg) != "$HOME; rm -rf /\n" {
		t.Errorf("argument reached the program as %q", arg)
	}
	log := r.log.String()
	if !strings.Contains(log, "stdout: hello from the hook") || !strings.Contains(log, "stderr: oops") {
		t.Errorf("output not logged:\n%s", log)
	}
}

// TestExecFailureAndOutputCap: a failing program's status is its result;
// a program printing without end has MaxOutput of it logged.
func TestExecFailureAndOutputCap(t *testing.T) {
	r := newRig(t, nil)
	dir := t.TempDir()
	h := r.addExec(t, Breakthrough, script(t, dir, "fail.sh", `head -c 100000 /dev/zero | tr '\0' x; exit 3`))
	r.runner.Fire(Breakthrough, BreakthroughInfo{Source: "CI", Rule: "urgent"})
	res := r.waitLast(t, h.ID)
	if res.OK || res.Reason != "exited with status 3" {
		t.Fatalf("result %+v", res)
	}
	log := r.log.String()
	if n := strings.Count(log, "x"); n < MaxOutput || n > MaxOutput+100 {
		t.Errorf("%d bytes of output logged, want about %d", n, MaxOutput)
	}
	if !strings.Contains(log, fmt.Sprintf("%d more bytes not logged", 100000-MaxOutput)) {
		t.Errorf("the log does not say output was cut:\n%.300s", log)
	}
}

// TestExecTimeoutKillsGroup: a program still running at the time limit is
// killed with every process it started, and the result says so in words.
func TestExecTimeoutKillsGroup(t *testing.T) {
	r := newRig(t, func(o *Options) { o.ExecTimeout = 300 * time.Millisecond })
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "child.pid")
	h := r.addExec(t, FocusStarted, script(t, dir, "hang.sh", `sleep 60 & echo $! > `+pidFile+`; wait`))
	began := time.Now()
	r.runner.Fire(FocusStarted, FocusStart{})
	res := r.waitLast(t, h.ID)
	if res.OK || !strings.Contains(res.Reason, "did not finish within") || !strings.Contains(res.Reason, "stopped") {
		t.Fatalf("result %+v", res)
	}
	if strings.Contains(res.Reason, "ms") || strings.Contains(res.Reason, "0s") {
		t.Errorf("reason in Go's duration syntax: %q", res.Reason)
	}
	if time.Since(began) > 15*time.Second {
		t.Errorf("the hung hook held its worker for %s", time.Since(began))
	}
	raw, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(raw)))
	deadline := time.Now().Add(5 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("the hook's child %d still runs after the timeout", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestAddRefusesPrograms: a program must be absolute, there, a file and
// executable, at add time.
func TestAddRefusesPrograms(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	os.WriteFile(plain, []byte("x"), 0o644)
	for _, tc := range []struct{ event, path, want string }{
		{FocusStarted, "playerctl", "full path"},
		{FocusStarted, "./hook.sh", "full path"},
		{FocusStarted, filepath.Join(dir, "missing"), "there is no program"},
		{FocusStarted, dir, "not a program file"},
		{FocusStarted, plain, "not executable"},
		{"focus.begun", "/bin/true", "no event"},
	} {
		_, err := NewExec(tc.event, tc.path, nil)
		if !errors.Is(err, ErrBadHook) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewExec(%q, %q) = %v, want ErrBadHook saying %q", tc.event, tc.path, err, tc.want)
		}
	}
	if _, err := NewExec(FocusStarted, "/bin/true", make([]string, MaxArgs+1)); !errors.Is(err, ErrBadHook) {
		t.Errorf("too many arguments: %v", err)
	}
}

// TestWebhookRetriesWithBackoff: a receiver that fails is tried again
// WebhookRetries times, waiting twice as long each time, then given up
// with the last reason; a receiver that recovers gets the event once more
// with the same event ID.
func TestWebhookRetriesWithBackoff(t *testing.T) {
	var calls atomic.Int32
	var ids sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		calls.Add(1)
		ids.Store(req.Header.Get("X-Lull-Event-Id"), true)
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer srv.Close()
	r := newRig(t, nil)
	h := r.addWebhook(t, DigestDelivered, srv.URL+"/secret-path")
	r.runner.Fire(DigestDelivered, Digest{Total: 1})
	res := r.waitLast(t, h.ID)
	if res.OK || res.Tries != WebhookRetries+1 || int(calls.Load()) != WebhookRetries+1 {
		t.Fatalf("result %+v after %d calls", res, calls.Load())
	}
	if !strings.Contains(res.Reason, "the receiver failed (bad gateway)") || !strings.Contains(res.Reason, "gave up after 4 tries") {
		t.Errorf("reason %q", res.Reason)
	}
	r.sleepMu.Lock()
	want := []time.Duration{WebhookBackoff, 2 * WebhookBackoff, 4 * WebhookBackoff}
	if !slices.Equal(r.sleeps, want) {
		t.Errorf("waits %v, want %v", r.sleeps, want)
	}
	r.sleepMu.Unlock()
	n := 0
	ids.Range(func(any, any) bool { n++; return true })
	if n != 1 {
		t.Errorf("the tries carried %d event IDs, want 1", n)
	}
}

// TestWebhookNoRetryOnRefusal: a receiver that refuses the request (a
// client error) is not asked again; one that answers is done at once.
func TestWebhookNoRetryOnRefusal(t *testing.T) {
	var calls atomic.Int32
	var body []byte
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		calls.Add(1)
		if strings.HasSuffix(req.URL.Path, "/gone") {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		mu.Lock()
		body, _ = io.ReadAll(req.Body)
		mu.Unlock()
		if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(http.StatusBadRequest)
		}
	}))
	defer srv.Close()
	r := newRig(t, nil)
	gone := r.addWebhook(t, FocusStarted, srv.URL+"/gone")
	ok := r.addWebhook(t, FocusEnded, srv.URL+"/ok")
	r.runner.Fire(FocusStarted, FocusStart{SessionID: "a"})
	r.runner.Fire(FocusEnded, FocusEnd{SessionID: "a", Minutes: 3})
	if res := r.waitLast(t, gone.ID); res.OK || res.Tries != 1 || res.Reason != "the receiver refused it (not found)" {
		t.Errorf("refused: %+v", res)
	}
	if res := r.waitLast(t, ok.ID); !res.OK || res.Tries != 1 || res.Reason != "delivered" {
		t.Errorf("answered: %+v", res)
	}
	mu.Lock()
	defer mu.Unlock()
	if !bytes.Contains(body, []byte(`"event":"focus.ended"`)) || !bytes.Contains(body, []byte(`"minutes":3`)) {
		t.Errorf("body %s", body)
	}
}

// TestWebhookRedirects: a redirect is followed only where the webhook rule
// allows; one to plain HTTP off this computer is refused, not retried, and
// the target never hears of the event.
func TestWebhookRedirects(t *testing.T) {
	var outside atomic.Int32
	// "Outside" stands for another computer: reached over plain HTTP by
	// a name that is not a loopback address.
	far := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) { outside.Add(1) }))
	defer far.Close()
	farURL := strings.Replace(far.URL, "127.0.0.1", "lull-test.invalid", 1)
	var final atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		switch req.URL.Path {
		case "/away":
			http.Redirect(w, req, farURL+"/steal", http.StatusTemporaryRedirect)
		case "/ftp":
			http.Redirect(w, req, "ftp://127.0.0.1/x", http.StatusTemporaryRedirect)
		case "/moved":
			http.Redirect(w, req, "/final", http.StatusPermanentRedirect)
		case "/loop":
			http.Redirect(w, req, "/loop", http.StatusTemporaryRedirect)
		case "/final":
			final.Add(1)
		}
	}))
	defer srv.Close()
	r := newRig(t, nil)
	for _, tc := range []struct {
		path, want string
		ok         bool
	}{
		{"/moved", "delivered", true},
		{"/away", "it sent Lull on to http://lull-test.invalid:", false},
		{"/ftp", "it sent Lull on to ftp://127.0.0.1", false},
		{"/loop", "more than 3 redirects", false},
	} {
		h := r.addWebhook(t, PlanChanged, srv.URL+tc.path)
		res, err := r.runner.Test(t.Context(), h.ID)
		if err != nil || res.OK != tc.ok || !strings.Contains(res.Reason, tc.want) || res.Tries != 1 {
			t.Errorf("%s: %+v %v, want %q", tc.path, res, err, tc.want)
		}
		if strings.Contains(res.Reason, "/steal") || strings.Contains(res.Reason, tc.path) {
			t.Errorf("%s: the reason quotes an address's path: %q", tc.path, res.Reason)
		}
	}
	if outside.Load() != 0 || final.Load() != 1 {
		t.Errorf("outside reached %d times, the moved receiver %d", outside.Load(), final.Load())
	}
}

// TestQueueOverflow: while a hook hangs, its queue keeps the newest
// QueueSize events, the dropped ones are counted on the hook, and Fire
// never waits.
func TestQueueOverflow(t *testing.T) {
	release := make(chan struct{})
	var seen []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var p Payload
		json.NewDecoder(req.Body).Decode(&p)
		mu.Lock()
		seen = append(seen, p.ID)
		mu.Unlock()
		<-release
	}))
	defer srv.Close()
	defer close(release)
	r := newRig(t, func(o *Options) { o.WebhookTimeout = time.Minute })
	h := r.addWebhook(t, FocusStarted, srv.URL)
	r.runner.Fire(FocusStarted, FocusStart{})
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) == 1 })
	const extra = 5
	began := time.Now()
	for range QueueSize + extra {
		r.runner.Fire(FocusStarted, FocusStart{})
	}
	if d := time.Since(began); d > time.Second {
		t.Errorf("Fire waited %s for a hanging hook", d)
	}
	hooks, err := r.runner.List()
	if err != nil || len(hooks) != 1 || hooks[0].Dropped != extra {
		t.Fatalf("list %+v %v, want %d dropped", hooks, err, extra)
	}
	for range QueueSize + 1 {
		release <- struct{}{}
	}
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) == QueueSize+1 })
	waitFor(t, func() bool {
		got, _ := r.store.Get(h.ID)
		return got.Dropped == extra && got.Last != nil
	})
	if !strings.Contains(r.log.String(), fmt.Sprintf("%d events dropped: its queue was full", extra)) {
		t.Errorf("drops not logged:\n%s", r.log)
	}
}

// TestCloseIsBounded: quitting with a hook that hangs and a queue full of
// events returns within CloseTimeout and a little, and kills the hook.
func TestCloseIsBounded(t *testing.T) {
	r := newRig(t, func(o *Options) { o.ExecTimeout = time.Hour })
	dir := t.TempDir()
	started := filepath.Join(dir, "started")
	h := r.addExec(t, FocusStarted, script(t, dir, "hang.sh", `touch `+started+`; exec sleep 600`))
	for range 5 {
		r.runner.Fire(FocusStarted, FocusStart{})
	}
	waitFor(t, func() bool { _, err := os.Stat(started); return err == nil })
	began := time.Now()
	r.runner.Close()
	if d := time.Since(began); d > CloseTimeout+killWait+2*time.Second {
		t.Errorf("Close took %s", d)
	}
	r.runner.Fire(FocusStarted, FocusStart{}) // after Close: ignored, no panic
	got, _ := r.store.Get(h.ID)
	if got.Last == nil || got.Last.OK || got.Last.Reason != "stopped because Lull was quitting" {
		t.Errorf("last %+v", got.Last)
	}
	if !strings.Contains(r.log.String(), "queued events not delivered") {
		t.Errorf("dropped queue not logged:\n%s", r.log)
	}
}

// TestSecretNeverStored: a webhook's address is in the keyring only: not
// in the database file's bytes, the hook as listed, its result, or the
// log, even when the receiver fails in every way.
func TestSecretNeverStored(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if strings.Contains(req.URL.Path, "redirect") {
			http.Redirect(w, req, "http://evil.invalid"+req.URL.Path+"?"+req.URL.RawQuery, http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusInternalServerError)
	}))
	const path, token = "/services/T0SECRET/B0SECRET", "XyZzY-s3cr3t-t0k3n"
	r := newRig(t, nil)
	var ids []string
	for _, raw := range []string{
		srv.URL + path + "?token=" + token,
		srv.URL + path + "/redirect?token=" + token,
		"http://127.0.0.1:1" + path + "?token=" + token, // nothing listens
		"https://lull-test.invalid" + path + "?token=" + token,
	} {
		h := r.addWebhook(t, FocusStarted, raw)
		ids = append(ids, h.ID)
		if v, _ := r.secrets.Get(urlKey(h.ID)); v != raw {
			t.Fatalf("keyring holds %q", v)
		}
	}
	r.runner.Fire(FocusStarted, FocusStart{})
	for _, id := range ids {
		r.waitLast(t, id)
		if _, err := r.runner.Test(t.Context(), id); err != nil {
			t.Fatal(err)
		}
	}
	srv.Close()
	hooks, _ := r.runner.List()
	listed, _ := json.Marshal(hooks)
	r.runner.Close()
	if err := r.db.Close(); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(filepath.Join(filepath.Dir(r.db.Path()), store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"T0SECRET", "B0SECRET", token} {
		for what, text := range map[string]string{"database file": string(file), "list": string(listed), "log": r.log.String()} {
			if strings.Contains(text, secret) {
				t.Errorf("the %s holds %q", what, secret)
			}
		}
	}
	if !strings.Contains(string(listed), "http://127.0.0.1") {
		t.Errorf("the list does not show the target: %s", listed)
	}
	if len(r.secrets.m) != len(ids) {
		t.Errorf("keyring: %d entries", len(r.secrets.m))
	}
}

// TestRemove: removing a hook stops it and deletes its keyring entry; an
// unknown ID is ErrNoSuchHook.
func TestRemove(t *testing.T) {
	r := newRig(t, nil)
	h := r.addWebhook(t, FocusStarted, "https://hooks.example.com/x")
	if !r.runner.Wants(FocusStarted) || r.runner.Wants(FocusEnded) {
		t.Error("Wants")
	}
	if _, err := r.runner.Remove(h.ID); err != nil {
		t.Fatal(err)
	}
	if r.runner.Wants(FocusStarted) || len(r.secrets.m) != 0 {
		t.Errorf("after remove: wants %v, keyring %v", r.runner.Wants(FocusStarted), r.secrets.m)
	}
	for _, f := range []func(string) error{
		func(id string) error { _, err := r.runner.Remove(id); return err },
		func(id string) error { _, err := r.runner.Test(t.Context(), id); return err },
	} {
		if err := f(h.ID); !errors.Is(err, ErrNoSuchHook) {
			t.Errorf("%v, want ErrNoSuchHook", err)
		}
	}
}

// TestHooksSurviveRestart: hooks are stored; a new runner on the same
// store runs them.
func TestHooksSurviveRestart(t *testing.T) {
	r := newRig(t, nil)
	dir := t.TempDir()
	out := filepath.Join(dir, "ran")
	h := r.addExec(t, MeetingStarted, script(t, dir, "m.sh", `cat > `+out))
	r.runner.Close()
	r2, err := NewRunner(Options{Store: r.store, Logf: r.log.logf})
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	r2.Fire(MeetingStarted, Meeting{Minutes: 30, Title: "Board"})
	r.waitLast(t, h.ID)
	if raw, _ := os.ReadFile(out); !bytes.Contains(raw, []byte(`"minutes":30`)) || bytes.Contains(raw, []byte("Board")) {
		t.Errorf("payload %s", raw)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not met within 20 s")
}

// TestListInOrderAdded: hooks added at the same moment (the fake clock)
// list in the order they were added; MaxHooks is the most kept.
func TestListInOrderAdded(t *testing.T) {
	r := newRig(t, nil)
	var ids []string
	for range 10 {
		ids = append(ids, r.addWebhook(t, FocusStarted, "https://hooks.example.com/x").ID)
	}
	hooks, err := r.runner.List()
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range hooks {
		if h.ID != ids[i] {
			t.Fatalf("listed %d as %s, added as %s", i, h.ID, ids[i])
		}
	}
	for range MaxHooks - len(ids) {
		r.addWebhook(t, FocusStarted, "https://hooks.example.com/x")
	}
	h, _ := NewWebhook(FocusStarted, "https://hooks.example.com/x")
	if _, err := r.runner.Add(h, "https://hooks.example.com/x"); !errors.Is(err, ErrBadHook) || !strings.Contains(err.Error(), "at most 64 hooks") {
		t.Errorf("hook %d: %v", MaxHooks+1, err)
	}
	if len(r.secrets.m) != MaxHooks {
		t.Errorf("the refused hook left its address in the keyring: %d entries", len(r.secrets.m))
	}
}
