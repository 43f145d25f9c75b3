// Package winproc starts Lull's window process on demand and keeps at most
// one of it running.
//
// Lull runs as two processes: the resident one (`lull --hidden`: the
// service, the local API, the tray; no GUI toolkit) and the window
// (`lull-window`: the Fyne window, a client of the resident over the local
// API). The resident starts the window when the user asks for it (the
// tray, a digest click, a plain `lull`) through a Launcher, which finds the
// binary, passes it the data directory and the tab to show, logs its output
// to window.log in the data directory and reaps it when it exits.
//
// The window binary's command line, which cmd/lull-window implements:
//
//	lull-window [--tab digest|report] [--minimized]
//
// with LULL_HOME naming the data directory (where api.json tells it how to
// reach the resident) and LULL_RESIDENT_BIN the resident's binary (what the
// window's "Restart Lull" runs with --hidden when the resident stopped).
package winproc

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// Name is the window binary's name (with .exe on Windows).
func Name() string {
	if runtime.GOOS == "windows" {
		return "lull-window.exe"
	}
	return "lull-window"
}

// EnvBin names an environment variable that, when set, is the window
// binary's path (tests point it at a fake window).
const EnvBin = "LULL_WINDOW_BIN"

// EnvResident names the variable that tells the window the resident's
// binary: the lull it was started by, which its "Restart Lull" starts
// again (with --hidden) when the resident stopped.
const EnvResident = "LULL_RESIDENT_BIN"

// LogFile is the file in the data directory that receives the window
// process's output (it has no terminal).
const LogFile = "window.log"

// maxLogBytes bounds window.log: past it, the log is moved to
// window.log.old (replacing the one before) when the next window starts,
// so a window that logs on every start cannot fill the disk over months of
// daily use; 1 MiB keeps thousands of starts' worth of messages.
const maxLogBytes = 1 << 20

// stopTimeout is how long Close waits for the window to end after asking
// it to, before killing it: a Fyne window closes in well under a second,
// and quitting Lull must not hang on one that does not.
const stopTimeout = 5 * time.Second

// Flags of the window binary.
const (
	// FlagTab is followed by the tab to show: TabDigest or TabReport.
	FlagTab = "--tab"
	// FlagMinimized starts the window minimised (a desktop without a tray,
	// at login: the task bar then has Lull).
	FlagMinimized = "--minimized"
)

// The tabs a request can name; "" leaves the window's choice.
const (
	TabDigest = "digest"
	TabReport = "report"
)

// ErrNotInstalled says the window binary was not found.
var ErrNotInstalled = errors.New("the window is not installed beside lull")

// Request says how to show the window.
type Request struct {
	// Tab is the tab to show (TabDigest, TabReport), or "".
	Tab string
	// Minimized starts a window minimised; it never changes one that runs.
	Minimized bool
}

// Args is the window binary's command line for r.
func (r Request) Args() []string {
	var args []string
	if r.Tab != "" {
		args = append(args, FlagTab, r.Tab)
	}
	if r.Minimized {
		args = append(args, FlagMinimized)
	}
	return args
}

// Find locates the window binary: $LULL_WINDOW_BIN when set, else
// lull-window beside the running executable, else lull-window on PATH.
// getenv, executable and lookPath are os.Getenv, os.Executable and
// exec.LookPath in production.
func Find(getenv func(string) string, executable func() (string, error), lookPath func(string) (string, error)) (string, error) {
	if p := getenv(EnvBin); p != "" {
		if err := isProgram(p); err != nil {
			return "", fmt.Errorf("%w: %s=%s: %v", ErrNotInstalled, EnvBin, p, err)
		}
		return p, nil
	}
	var beside string
	if exe, err := executable(); err == nil {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		beside = filepath.Join(filepath.Dir(exe), Name())
		if isProgram(beside) == nil {
			return beside, nil
		}
	}
	if p, err := lookPath(Name()); err == nil {
		return p, nil
	}
	if beside == "" {
		return "", fmt.Errorf("%w: no %s on PATH", ErrNotInstalled, Name())
	}
	return "", fmt.Errorf("%w: no %s, and none on PATH", ErrNotInstalled, beside)
}

// isProgram reports why p is not a file this process could run.
func isProgram(p string) error {
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return errors.New("no such file")
	case err != nil:
		return err
	case fi.IsDir():
		return errors.New("a directory, not a program")
	case runtime.GOOS != "windows" && fi.Mode().Perm()&0o111 == 0:
		return errors.New("not executable")
	}
	return nil
}

// Config configures a Launcher.
type Config struct {
	// Dir is the data directory: the window's LULL_HOME, and where
	// window.log goes.
	Dir string
	// Find locates the binary, at each start (so a window installed while
	// Lull runs is found); default: Find with the os functions.
	Find func() (string, error)
	// Env is the window's environment before LULL_HOME and EnvResident
	// are set (default: this process's).
	Env []string
	// Resident is the resident's binary, passed on as EnvResident
	// (default: this process's executable; "" when it cannot be found).
	Resident string
	// Logf receives what happened to the window (default: none).
	Logf func(format string, args ...any)
	// Ended is called, on the reaping goroutine, after a window process
	// ended and was forgotten (default: nothing). The resident gives the
	// memory serving the window took back to the system there.
	Ended func()
}

// Launcher starts the window process and tracks it: at most one runs at a
// time, and it is reaped when it exits. It is safe for concurrent use.
type Launcher struct {
	cfg Config

	mu     sync.Mutex
	child  *exec.Cmd
	exited chan struct{} // closed when child has been reaped
	closed bool
}

// New returns a Launcher for cfg.
func New(cfg Config) *Launcher {
	if cfg.Find == nil {
		cfg.Find = func() (string, error) { return Find(os.Getenv, os.Executable, exec.LookPath) }
	}
	if cfg.Env == nil {
		cfg.Env = os.Environ()
	}
	if cfg.Resident == "" {
		if exe, err := os.Executable(); err == nil {
			cfg.Resident = exe
		}
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	if cfg.Ended == nil {
		cfg.Ended = func() {}
	}
	return &Launcher{cfg: cfg}
}

// Show starts the window for r unless one runs; it reports whether it
// started one. When one runs, the caller tells it to show itself (the
// resident's event stream), so that it is raised rather than doubled.
func (l *Launcher) Show(r Request) (started bool, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false, errors.New("Lull is quitting")
	}
	if l.child != nil {
		return false, nil
	}
	bin, err := l.cfg.Find()
	if err != nil {
		return false, err
	}
	log, err := openLog(filepath.Join(l.cfg.Dir, LogFile))
	if err != nil {
		return false, fmt.Errorf("window log: %w", err)
	}
	defer log.Close() // the child has its own copy
	cmd := exec.Command(bin, r.Args()...)
	cmd.Env = withEnv(l.cfg.Env, "LULL_HOME", l.cfg.Dir)
	if l.cfg.Resident != "" {
		cmd.Env = withEnv(cmd.Env, EnvResident, l.cfg.Resident)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, log, log
	fmt.Fprintf(log, "--- %s: starting %s\n", time.Now().Format(time.RFC3339), strings.Join(cmd.Args, " "))
	if err := cmd.Start(); err != nil {
		return false, fmt.Errorf("start the window (%s): %w", bin, err)
	}
	exited := make(chan struct{})
	l.child, l.exited = cmd, exited
	go l.reap(cmd, exited)
	return true, nil
}

// reap waits for cmd to exit and forgets it, so the next Show starts a new
// window.
func (l *Launcher) reap(cmd *exec.Cmd, exited chan struct{}) {
	err := cmd.Wait()
	l.mu.Lock()
	if l.child == cmd {
		l.child = nil
	}
	closing := l.closed
	l.mu.Unlock()
	close(exited)
	if err != nil && !closing {
		l.cfg.Logf("the window ended: %v (its messages are in %s)", err, filepath.Join(l.cfg.Dir, LogFile))
	}
	l.cfg.Ended()
}

// Running reports whether a window process started here runs.
func (l *Launcher) Running() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.child != nil
}

// Close ends the window process, if one runs (Lull is quitting: the window
// would only say that Lull stopped), and starts no other. It waits at most
// stopTimeout for it to end before killing it.
func (l *Launcher) Close() {
	l.mu.Lock()
	l.closed = true
	child, exited := l.child, l.exited
	l.mu.Unlock()
	if child == nil {
		return
	}
	if err := stop(child.Process); err != nil {
		child.Process.Kill()
	}
	select {
	case <-exited:
	case <-time.After(stopTimeout):
		child.Process.Kill()
		<-exited
	}
}

// openLog opens path for appending, moving it to path.old first when it
// has grown past maxLogBytes.
func openLog(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	if fi, err := os.Stat(path); err == nil && fi.Size() > maxLogBytes {
		if err := os.Rename(path, path+".old"); err != nil {
			return nil, err
		}
	}
	return os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
}

// withEnv is env with key set to value (replacing any earlier setting).
func withEnv(env []string, key, value string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if k, _, ok := strings.Cut(kv, "="); ok && k == key {
			continue
		}
		out = append(out, kv)
	}
	return append(out, key+"="+value)
}
