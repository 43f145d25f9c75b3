//go:build !windows

package winproc

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// fakeWindow writes a window binary that records "pid LULL_HOME args" to
// the returned file, says something on stderr and stays up until killed.
func fakeWindow(t *testing.T) (bin, record string) {
	t.Helper()
	dir := t.TempDir()
	bin = filepath.Join(dir, "lull-window")
	record = filepath.Join(dir, "record")
	// The resident's binary is written before the start line: a test that
	// saw the start line reads it whole.
	script := "#!/bin/sh\necho \"$LULL_RESIDENT_BIN\" > " + record + ".resident\necho \"$$ $LULL_HOME $*\" >> " + record + "\necho 'window: hello' >&2\nexec sleep 600\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin, record
}

// starts reads the fake window's record: one line per process started.
func starts(t *testing.T, record string) []string {
	t.Helper()
	b, err := os.ReadFile(record)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 s", what)
		}
	}
}

func newLauncher(t *testing.T, bin string) (*Launcher, string) {
	t.Helper()
	data := t.TempDir()
	l := New(Config{Dir: data, Find: func() (string, error) { return bin, nil }, Logf: t.Logf, Resident: "/opt/lull/bin/lull"})
	t.Cleanup(l.Close)
	return l, data
}

// TestOneWindowAtATime: a click starts one window with the data directory
// and the tab; a second click while it runs starts none (the caller raises
// it); after a kill -9 the next click starts a new one.
func TestOneWindowAtATime(t *testing.T) {
	bin, record := fakeWindow(t)
	l, data := newLauncher(t, bin)

	started, err := l.Show(Request{Tab: TabReport})
	if err != nil || !started {
		t.Fatalf("first Show: started %v, %v", started, err)
	}
	waitUntil(t, "the window records its start", func() bool { return len(starts(t, record)) == 1 })
	first := strings.Fields(starts(t, record)[0])
	if want := []string{data, "--tab", "report"}; strings.Join(first[1:], " ") != strings.Join(want, " ") {
		t.Fatalf("window started with LULL_HOME and args %q, want %q", first[1:], want)
	}
	// It knows the resident's binary, to start it again if it stops.
	if b, err := os.ReadFile(record + ".resident"); err != nil || strings.TrimSpace(string(b)) != "/opt/lull/bin/lull" {
		t.Errorf("the window's %s: %q %v", EnvResident, b, err)
	}

	if started, err := l.Show(Request{Tab: TabDigest}); err != nil || started {
		t.Fatalf("Show while the window runs: started %v, %v; want neither", started, err)
	}
	time.Sleep(200 * time.Millisecond) // a second process would have recorded itself by now
	if n := len(starts(t, record)); n != 1 {
		t.Fatalf("%d window processes, want 1", n)
	}

	pid, _ := strconv.Atoi(first[0])
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the killed window is reaped", func() bool { return !l.Running() })
	started, err = l.Show(Request{})
	if err != nil || !started {
		t.Fatalf("Show after the window was killed: started %v, %v", started, err)
	}
	waitUntil(t, "a new window starts", func() bool { return len(starts(t, record)) == 2 })
	if second := strings.Fields(starts(t, record)[1]); len(second) != 2 || second[0] == first[0] {
		t.Fatalf("second window %q: want a new process with no args", second)
	}

	log, err := os.ReadFile(filepath.Join(data, LogFile))
	if err != nil || strings.Count(string(log), "window: hello") != 2 || !strings.Contains(string(log), "starting "+bin+" --tab report") {
		t.Fatalf("window.log (%v):\n%s", err, log)
	}
}

// TestCloseEndsTheWindow: quitting Lull ends its window and starts no
// other.
func TestCloseEndsTheWindow(t *testing.T) {
	bin, record := fakeWindow(t)
	l, _ := newLauncher(t, bin)
	if _, err := l.Show(Request{Minimized: true}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the window starts", func() bool { return len(starts(t, record)) == 1 })
	pid, _ := strconv.Atoi(strings.Fields(starts(t, record)[0])[0])
	if got := strings.Fields(starts(t, record)[0])[2:]; strings.Join(got, " ") != FlagMinimized {
		t.Fatalf("args %q, want %s", got, FlagMinimized)
	}
	l.Close()
	if l.Running() || syscall.Kill(pid, 0) == nil {
		t.Fatal("the window still runs after Close")
	}
	if started, err := l.Show(Request{}); started || err == nil {
		t.Fatalf("Show after Close: started %v, err %v", started, err)
	}
}

// TestMissingWindowSaysWhere: with no window binary anywhere, Show fails
// with ErrNotInstalled naming where it looked.
func TestMissingWindowSaysWhere(t *testing.T) {
	exeDir := t.TempDir()
	exe := filepath.Join(exeDir, "lull")
	os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755)
	notFound := func(string) (string, error) { return "", errors.New("not found") }
	data := t.TempDir()
	l := New(Config{Dir: data, Find: func() (string, error) {
		return Find(func(string) string { return "" }, func() (string, error) { return exe, nil }, notFound)
	}})
	started, err := l.Show(Request{})
	if started || !errors.Is(err, ErrNotInstalled) || !strings.Contains(err.Error(), filepath.Join(exeDir, "lull-window")) {
		t.Fatalf("Show with no window installed: started %v, %v", started, err)
	}
	if l.Running() {
		t.Fatal("running after a failed start")
	}
}

func TestFind(t *testing.T) {
	exeDir, pathDir := t.TempDir(), t.TempDir()
	exe := filepath.Join(exeDir, "lull")
	beside := filepath.Join(exeDir, "lull-window")
	onPath := filepath.Join(pathDir, "lull-window")
	envBin := filepath.Join(t.TempDir(), "my-window")
	notExec := filepath.Join(t.TempDir(), "lull-window")
	for _, f := range []string{exe, beside, onPath, envBin} {
		os.WriteFile(f, []byte("#!/bin/sh\n"), 0o755)
	}
	os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644)
	lookPath := func(have bool) func(string) (string, error) {
		return func(name string) (string, error) {
			if have && name == "lull-window" {
				return onPath, nil
			}
			return "", errors.New("not found")
		}
	}
	for _, tc := range []struct {
		name   string
		env    string
		exe    string
		path   bool
		want   string
		errHas string
	}{
		{"environment wins", envBin, exe, true, envBin, ""},
		{"environment names a missing file", filepath.Join(exeDir, "gone"), exe, true, "", "LULL_WINDOW_BIN=" + filepath.Join(exeDir, "gone") + ": no such file"},
		{"environment names a directory", exeDir, exe, true, "", "a directory"},
		{"environment names a file that is not executable", notExec, exe, true, "", "not executable"},
		{"beside the executable", "", exe, true, beside, ""},
		{"on PATH when not beside", "", filepath.Join(pathDir, "elsewhere", "lull"), true, onPath, ""},
		{"nowhere", "", filepath.Join(pathDir, "elsewhere", "lull"), false, "", filepath.Join(pathDir, "elsewhere", "lull-window") + ", and none on PATH"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Find(func(k string) string {
				if k == EnvBin {
					return tc.env
				}
				return ""
			}, func() (string, error) { return tc.exe, nil }, lookPath(tc.path))
			if tc.errHas != "" {
				if !errors.Is(err, ErrNotInstalled) || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("Find = %q, %v; want ErrNotInstalled saying %q", got, err, tc.errHas)
				}
				if !strings.HasPrefix(err.Error(), "the window is not installed beside lull: ") {
					t.Errorf("message %q", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Find = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// TestWindowLogIsBounded: a window.log past maxLogBytes is moved aside at
// the next start.
func TestWindowLogIsBounded(t *testing.T) {
	bin, record := fakeWindow(t)
	l, data := newLauncher(t, bin)
	path := filepath.Join(data, LogFile)
	big := strings.Repeat("x", maxLogBytes+1)
	os.WriteFile(path, []byte(big), 0o600)
	if _, err := l.Show(Request{}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the window starts", func() bool { return len(starts(t, record)) == 1 })
	if old, _ := os.ReadFile(path + ".old"); string(old) != big {
		t.Fatalf("window.log.old holds %d bytes, want the old log", len(old))
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() > 4096 {
		t.Fatalf("window.log after the move: %v, %v", fi, err)
	}
}

func TestRequestArgs(t *testing.T) {
	for _, tc := range []struct {
		r    Request
		want string
	}{
		{Request{}, ""},
		{Request{Tab: TabDigest}, "--tab digest"},
		{Request{Tab: TabReport, Minimized: true}, "--tab report --minimized"},
		{Request{Minimized: true}, "--minimized"},
	} {
		if got := strings.Join(tc.r.Args(), " "); got != tc.want {
			t.Errorf("%+v.Args() = %q, want %q", tc.r, got, tc.want)
		}
	}
}

// TestEndedAfterTheWindowExits: Ended runs once per window that ended,
// after it was forgotten (the resident frees the memory serving it took).
func TestEndedAfterTheWindowExits(t *testing.T) {
	bin, record := fakeWindow(t)
	var ended atomic.Int32
	var l *Launcher
	l = New(Config{Dir: t.TempDir(), Find: func() (string, error) { return bin, nil }, Logf: t.Logf,
		Ended: func() {
			if l.Running() {
				t.Error("Ended ran while the ended window was still tracked")
			}
			ended.Add(1)
		}})
	t.Cleanup(l.Close)
	for i := 1; i <= 2; i++ {
		if _, err := l.Show(Request{}); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, "the window starts", func() bool { return len(starts(t, record)) == i })
		if n := ended.Load(); n != int32(i-1) {
			t.Fatalf("Ended ran %d times while window %d runs", n, i)
		}
		pid, _ := strconv.Atoi(strings.Fields(starts(t, record)[i-1])[0])
		syscall.Kill(pid, syscall.SIGKILL)
		waitUntil(t, "Ended runs", func() bool { return ended.Load() == int32(i) })
	}
}
