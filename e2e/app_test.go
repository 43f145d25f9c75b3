//go:build e2e

package e2e

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// lullBin is the binary under test: $LULL_BIN (what scripts/test.sh
// builds) or one built here.
func lullBin(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("LULL_BIN"); p != "" {
		return p
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "lull-e2e-bin")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "lull")
		_, file, _, _ := runtime.Caller(0)
		cmd := exec.Command("go", "build", "-o", builtBin, "./cmd/lull")
		cmd.Dir = filepath.Join(filepath.Dir(file), "..")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

var (
	windowOnce     sync.Once
	builtWindowBin string
	windowErr      error
)

// windowBin is the window binary under test: $LULL_WINDOW_BIN (what
// scripts/test.sh builds beside LULL_BIN) or one built here, beside the
// lull built here.
func windowBin(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("LULL_WINDOW_BIN"); p != "" {
		return p
	}
	windowOnce.Do(func() {
		dir := filepath.Dir(lullBin(t))
		if os.Getenv("LULL_BIN") != "" {
			var err error
			if dir, err = os.MkdirTemp("", "lull-e2e-window"); err != nil {
				windowErr = err
				return
			}
		}
		builtWindowBin = filepath.Join(dir, "lull-window")
		_, file, _, _ := runtime.Caller(0)
		cmd := exec.Command("go", "build", "-o", builtWindowBin, "./cmd/lull-window")
		cmd.Dir = filepath.Join(filepath.Dir(file), "..")
		if out, err := cmd.CombinedOutput(); err != nil {
			windowErr = fmt.Errorf("go build ./cmd/lull-window: %v\n%s", err, out)
		}
	})
	if windowErr != nil {
		t.Fatal(windowErr)
	}
	return builtWindowBin
}

// windowProcs are the window processes (lull-window) running on home,
// found by their binary and their LULL_HOME.
func windowProcs(t *testing.T, home string) []int {
	t.Helper()
	return procsOf(t, windowBin(t), home)
}

// procsOf are the live processes of binary bin running on home (their
// LULL_HOME).
func procsOf(t *testing.T, bin, home string) []int {
	t.Helper()
	bin, err := filepath.EvalSymlinks(bin)
	if err != nil {
		t.Fatal(err)
	}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	var out []int
	for _, d := range dirs {
		exe, err := os.Readlink(filepath.Join(d, "exe"))
		if err != nil || exe != bin {
			continue
		}
		env, err := os.ReadFile(filepath.Join(d, "environ"))
		if err != nil || !slices.Contains(strings.Split(string(env), "\x00"), "LULL_HOME="+home) {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(d))
		if alive(pid) {
			out = append(out, pid)
		}
	}
	return out
}

// waitWindowProcs waits until n window processes run on home (for
// timeout), and returns them.
func waitWindowProcs(t *testing.T, home string, n int, timeout time.Duration) []int {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := windowProcs(t, home)
		if len(got) == n {
			return got
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(home, "window.log"))
			t.Fatalf("%d window processes on %s after %s, want %d; window.log:\n%s", len(got), home, timeout, n, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// killWindowsAtEnd kills what window processes run on home when the test
// ends: a resident killed by the test leaves its window up (it offers to
// restart Lull), and nothing may outlive the test session.
func killWindowsAtEnd(t *testing.T, home string) {
	t.Helper()
	windowBin(t)
	t.Cleanup(func() {
		for _, pid := range windowProcs(t, home) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		if t.Failed() {
			if log, err := os.ReadFile(filepath.Join(home, "window.log")); err == nil {
				t.Logf("window.log:\n%s", log)
			}
		}
	})
}

// needDesktop skips outside the private desktop session scripts/test.sh
// starts, and fails inside it when a part is missing.
func needDesktop(t *testing.T) {
	t.Helper()
	missing := []string{}
	if os.Getenv("DISPLAY") == "" {
		missing = append(missing, "DISPLAY")
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		missing = append(missing, "DBUS_SESSION_BUS_ADDRESS")
	}
	for _, tool := range []string{"xdotool", "import", "/usr/bin/convert"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) == 0 {
		return
	}
	if os.Getenv("E2E_DESKTOP") == "1" {
		t.Fatalf("desktop session incomplete: missing %v", missing)
	}
	t.Skipf("needs the desktop session of scripts/test.sh (missing %v)", missing)
}

// artifacts is where screenshots go (test-artifacts/ at the repo root).
func artifacts(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "test-artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// instance is one `lull` app process with its own data directory.
type instance struct {
	t    *testing.T
	home string
	cmd  *exec.Cmd
	logs *lockedBuffer
	done chan struct{}
}

func appEnv(home string) []string {
	return envWith("LULL_HOME="+home, "LANG=en_US.UTF-8")
}

// envWith is this process's environment with the given KEY=VALUE pairs
// replacing any of the same keys.
func envWith(set ...string) []string {
	keys := map[string]bool{}
	for _, kv := range set {
		k, _, _ := strings.Cut(kv, "=")
		keys[k] = true
	}
	env := append([]string(nil), set...)
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !keys[k] {
			env = append(env, kv)
		}
	}
	return env
}

// startApp starts Lull as a person does: the resident process (`lull
// --hidden`, what start at login runs) and, once its API answers, the
// window process (lull-window) through a plain `lull`.
func startApp(t *testing.T, home string) *instance {
	t.Helper()
	in := startProcess(t, home, lullBin(t), residentEnv(home, windowBin(t)), "--hidden")
	in.waitAPI(90 * time.Second)
	if out, errOut, code := runCLI(t, home, ""); code != 0 {
		t.Fatalf("lull (to show the window): exit %d\n%s%s", code, out, errOut)
	}
	return in
}

// lockedBuffer is a process's output: os/exec writes it from its own
// goroutine while a test reads it (a bare bytes.Buffer is a data race).
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String is the output so far.
func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startProcess starts bin (the app, with args if any) with env; it is
// killed when the test ends, and its output logged if the test failed. A
// window process it started on home goes too: a resident killed with
// SIGKILL leaves its window up, saying Lull stopped, over the next test.
func startProcess(t *testing.T, home, bin string, env []string, args ...string) *instance {
	t.Helper()
	killWindowsAtEnd(t, home)
	in := &instance{t: t, home: home, logs: &lockedBuffer{}, done: make(chan struct{})}
	in.cmd = exec.Command(bin, args...)
	in.cmd.Env = env
	in.cmd.Stdout, in.cmd.Stderr = in.logs, in.logs
	if err := in.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { in.cmd.Wait(); close(in.done) }()
	t.Cleanup(func() {
		in.cmd.Process.Kill()
		<-in.done
		if t.Failed() {
			t.Logf("app output:\n%s", in.logs.String())
		}
	})
	return in
}

// waitAPI waits until `lull status --json` reaches this instance.
func (in *instance) waitAPI(timeout time.Duration) status {
	in.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		out, _, code := runCLI(in.t, in.home, "", "status", "--json")
		var st status
		if code == 0 && json.Unmarshal([]byte(out), &st) == nil && st.Running && st.PID == in.cmd.Process.Pid {
			return st
		}
		select {
		case <-in.done:
			in.t.Fatalf("lull exited before its API answered:\n%s", in.logs.String())
		default:
		}
		if time.Now().After(deadline) {
			in.t.Fatalf("API not up within %s; last status %q\n%s", timeout, out, in.logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (in *instance) kill9() {
	in.t.Helper()
	if err := in.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		in.t.Fatal(err)
	}
	<-in.done
}

type status struct {
	Running  bool   `json:"running"`
	PID      int    `json:"pid"`
	Version  string `json:"version"`
	DataDir  string `json:"data_dir"`
	Focusing bool   `json:"focusing"`
	Held     int    `json:"held"`
}

// runCLI runs `lull ARGS` against home and returns stdout, stderr and the
// exit code.
func runCLI(t *testing.T, home, stdin string, args ...string) (string, string, int) {
	t.Helper()
	return runWith(t, lullBin(t), appEnv(home), stdin, args...)
}

// runWith runs `bin ARGS` with env and returns stdout, stderr and the exit
// code.
func runWith(t *testing.T, bin string, env []string, stdin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

// windowID waits for the window titled exactly "Lull".
func windowID(t *testing.T, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		out, err := exec.Command("xdotool", "search", "--onlyvisible", "--name", "^Lull$").Output()
		if ids := strings.Fields(string(out)); err == nil && len(ids) > 0 {
			return ids[len(ids)-1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no visible window named Lull within %s", timeout)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// screenshot captures the window once it has been drawn and checks it is
// not blank: the picture must hold many colours and real contrast. A window
// is mapped before its first frame, so it retries for up to 30 s.
func screenshot(t *testing.T, win, name string) string {
	t.Helper()
	path := filepath.Join(artifacts(t), name)
	deadline := time.Now().Add(30 * time.Second)
	for {
		colours, sd, w, h, err := capture(win, path)
		if err == nil && w >= 300 && h >= 200 && colours >= 16 && sd >= 0.02 {
			t.Logf("%s: %dx%d, %d colours, sd %.3f", path, w, h, colours, sd)
			return path
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s looks blank after 30 s: %dx%d, %d colours, sd %.3f (%v)", path, w, h, colours, sd, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func capture(win, path string) (colours int, sd float64, w, h int, err error) {
	if out, err := exec.Command("import", "-window", win, path).CombinedOutput(); err != nil {
		return 0, 0, 0, 0, fmt.Errorf("import: %v: %s", err, out)
	}
	out, err := exec.Command("/usr/bin/convert", path, "-format", "%k %[fx:standard_deviation] %w %h", "info:").Output()
	if err != nil {
		return 0, 0, 0, 0, fmt.Errorf("convert: %v", err)
	}
	_, err = fmt.Sscanf(string(out), "%d %g %d %d", &colours, &sd, &w, &h)
	return colours, sd, w, h, err
}

// keepDigestsAway moves the scheduled digest to 12 hours from now in home's
// settings (the app runs in this process's zone). A test takes minutes, and
// a digest falling due inside it (the default 12:30, or a catch-up digest at
// a restart) would deliver what the test expects held and wake a hidden app.
func keepDigestsAway(t *testing.T, home string) {
	t.Helper()
	far := time.Now().Add(12 * time.Hour).Format("15:04")
	if out, errOut, code := runCLI(t, home, "", "settings", "set", "digest-times", far); code != 0 {
		t.Fatalf("settings set digest-times %s: %d %q %q", far, code, out, errOut)
	}
}

// TestAppDesktopLifecycle runs the real binary in the private desktop
// session: the window appears and is drawn, status goes over the API, a
// second `lull` shows the first and exits at once, the API token sits in
// the real Secret Service, and a `kill -9` loses neither an acknowledged
// notification nor more than a minute of a focus session.
func TestAppDesktopLifecycle(t *testing.T) {
	needDesktop(t)
	home := t.TempDir()
	keepDigestsAway(t, home)
	app := startApp(t, home)
	st := app.waitAPI(90 * time.Second)
	if st.DataDir != home || st.Focusing {
		t.Fatalf("status = %+v", st)
	}
	win := windowID(t, 60*time.Second)
	screenshot(t, win, "e2e-window.png")

	// The discovery file is private.
	fi, err := os.Stat(filepath.Join(home, "api.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("api.json: %v %v", err, fi)
	}
	db, err := os.Stat(filepath.Join(home, "lull.db"))
	if err != nil || db.Mode().Perm() != 0o600 {
		t.Fatalf("lull.db: %v %v", err, db)
	}

	// The token is in the real keyring, as go-keyring stores it.
	if os.Getenv("E2E_REAL_KEYRING") == "1" {
		var disc struct{ Token string }
		raw, _ := os.ReadFile(filepath.Join(home, "api.json"))
		json.Unmarshal(raw, &disc)
		out, err := exec.Command("secret-tool", "lookup", "service", "lull", "username", "api-token").Output()
		if err != nil || strings.TrimSpace(string(out)) != disc.Token || disc.Token == "" {
			t.Fatalf("token in Secret Service = %q (%v), want the API's %q", out, err, disc.Token)
		}
		if _, err := os.Stat(filepath.Join(home, "api-token")); err == nil {
			t.Fatal("token also written to a file although the keyring works")
		}
	}

	// A second `lull` asks the first to show its window and exits 0 quickly.
	exec.Command("xdotool", "windowunmap", "--sync", win).Run()
	start := time.Now()
	out, errOut, code := runCLI(t, home, "")
	if code != 0 || time.Since(start) > 2*time.Second || !strings.Contains(out, "already running") {
		t.Fatalf("second lull: exit %d after %s: %q %q", code, time.Since(start), out, errOut)
	}
	windowID(t, 10*time.Second) // visible again

	// Start focus, acknowledge a notification, let a heartbeat pass, kill -9.
	if out, errOut, code := runCLI(t, home, "", "focus", "start", "90m"); code != 0 {
		t.Fatalf("focus start: %d %q %q", code, out, errOut)
	}
	focusStart := time.Now()
	if out, errOut, code := runCLI(t, home, "", "notify", "--source", "ci", "--title", "Build 42 failed"); code != 0 || !strings.Contains(out, "Held") {
		t.Fatalf("notify: %d %q %q", code, out, errOut)
	}
	for deadline := time.Now().Add(10 * time.Second); !dunstPaused(t); time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("focus did not pause dunst")
		}
	}
	time.Sleep(time.Until(focusStart.Add(65 * time.Second)))
	app.kill9()
	if !dunstPaused(t) {
		t.Fatal("test set-up: dunst should still be paused after kill -9")
	}

	// With the app dead, the CLI reports from the data.
	out, _, code = runCLI(t, home, "", "status")
	if code != 0 || !strings.Contains(out, "Lull is not running") {
		t.Fatalf("status after kill -9: %d %q", code, out)
	}

	app2 := startApp(t, home)
	st = app2.waitAPI(60 * time.Second)
	if st.Focusing {
		t.Fatal("a crashed session came back as running")
	}
	// The do-not-disturb the killed instance turned on is turned off again.
	for deadline := time.Now().Add(10 * time.Second); dunstPaused(t); time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("dunst is still paused after the restart: a kill -9 during focus silenced the desktop for good")
		}
	}
	if st.Held != 1 {
		t.Fatalf("held after kill -9 = %d, want the acknowledged notification", st.Held)
	}
	out, _, code = runCLI(t, home, "", "export", "--format", "csv")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(rows) != 2 {
		t.Fatalf("export: %d %v\n%s", code, err, out)
	}
	rec := map[string]string{}
	for i, h := range rows[0] {
		rec[h] = rows[1][i]
	}
	t.Logf("crashed session: %v", rec)
	if rec["outcome"] != "crashed" {
		t.Fatalf("outcome = %q, want crashed", rec["outcome"])
	}
	secs, err := strconv.Atoi(rec["duration_seconds"])
	if err != nil || secs < 60 || secs > 120 {
		t.Fatalf("crashed session lasted %q s, want 60–120 (closed at its last heartbeat)", rec["duration_seconds"])
	}
	var report struct {
		FocusHours float64 `json:"focus_hours"`
		Sessions   int     `json:"sessions"`
	}
	out, _, _ = runCLI(t, home, "", "report", "--format", "json")
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	if want := float64(secs) / 3600; report.Sessions != 1 || report.FocusHours < want-0.006 || report.FocusHours > want+0.006 {
		t.Fatalf("report counts %.4f h over %d sessions, want the crashed session's %d s once", report.FocusHours, report.Sessions, secs)
	}
}
