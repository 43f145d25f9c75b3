package main

import (
	"context"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lullapp/lull/app/winproc"
)

// envRunMain makes the test binary run the window's run with the
// arguments in envRunArgs (one a line) instead of the tests: runMain's
// child.
const (
	envRunMain = "LULL_WINDOW_TEST_RUN_MAIN"
	envRunArgs = "LULL_WINDOW_TEST_ARGS"
)

// runMainTimeout bounds a runMain child: it fails or answers at once, but
// a loaded two-core machine may take seconds to start it.
const runMainTimeout = 2 * time.Minute

func TestMain(m *testing.M) {
	if os.Getenv(envRunMain) == "1" {
		var args []string
		if a := os.Getenv(envRunArgs); a != "" {
			args = strings.Split(a, "\n")
		}
		os.Exit(run(args))
	}
	os.Exit(m.Run())
}

// runMain runs the window's run(args) in a child process with no display,
// no session bus, LULL_HOME and HOME in a temporary directory and env on
// top; it returns the child's stdout, stderr and exit code, and the data
// directory.
func runMain(t *testing.T, env []string, args ...string) (stdout, stderr string, code int, dir string) {
	t.Helper()
	dir = t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), runMainTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	for _, kv := range os.Environ() {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "LULL_HOME", "HOME", envRunArgs:
		default:
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, envRunMain+"=1", envRunArgs+"="+strings.Join(args, "\n"),
		"LULL_HOME="+filepath.Join(dir, "data"), "HOME="+filepath.Join(dir, "home"))
	cmd.Env = append(cmd.Env, env...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && ctx.Err() == nil:
		code = exit.ExitCode()
	default:
		t.Fatalf("lull-window %q: %v\nstderr: %s", args, err, errOut.String())
	}
	return out.String(), errOut.String(), code, filepath.Join(dir, "data")
}

// TestHelp: --help (and -h) says what the window is and how to open it,
// exits 0 and needs no display.
func TestHelp(t *testing.T) {
	for _, arg := range []string{"--help", "-h"} {
		out, errOut, code, _ := runMain(t, nil, arg)
		if code != 0 || !strings.HasPrefix(out, "usage: lull-window [--tab digest|report] [--minimized]\n") ||
			!strings.Contains(out, `"lull"`) || errOut != "" {
			t.Errorf("lull-window %s: exit %d\nstdout: %s\nstderr: %s\nwant exit 0 and the usage, on stdout only", arg, code, out, errOut)
		}
	}
}

// TestParseArgs reads what winproc starts the window with, and nothing
// else.
func TestParseArgs(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want winproc.Request
		bad  string
	}{
		{nil, winproc.Request{}, ""},
		{winproc.Request{Tab: winproc.TabReport, Minimized: true}.Args(), winproc.Request{Tab: "report", Minimized: true}, ""},
		{winproc.Request{Tab: winproc.TabDigest}.Args(), winproc.Request{Tab: "digest"}, ""},
		{[]string{"--tab", "plan"}, winproc.Request{}, `no tab "plan"`},
		{[]string{"--frobnicate"}, winproc.Request{}, "usage: lull-window"},
		{[]string{"extra"}, winproc.Request{}, `unexpected "extra"`},
		{[]string{"--help"}, winproc.Request{}, flag.ErrHelp.Error()},
		{[]string{"--tab", "digest", "-h"}, winproc.Request{}, flag.ErrHelp.Error()},
	} {
		got, err := parseArgs(tc.args)
		if tc.bad == flag.ErrHelp.Error() && !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%q: %v, want flag.ErrHelp", tc.args, err)
		}
		switch {
		case tc.bad != "" && (err == nil || !strings.Contains(err.Error(), tc.bad)):
			t.Errorf("%q: %v, want an error about %s", tc.args, err, tc.bad)
		case tc.bad == "" && (err != nil || got != tc.want):
			t.Errorf("%q: %+v %v, want %+v", tc.args, got, err, tc.want)
		}
	}
}

// TestLocateResident: Restart Lull and start at login run the lull that
// started the window, else the one beside the window, else the one on
// PATH.
func TestLocateResident(t *testing.T) {
	dir := t.TempDir()
	write := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	started := write("lull-testclock")
	window := write("lull-window")
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == winproc.EnvResident {
				return v
			}
			return ""
		}
	}
	exe := func() (string, error) { return window, nil }
	onPath := func(string) (string, error) { return "/usr/bin/lull", nil }
	noPath := func(string) (string, error) { return "", exec.ErrNotFound }

	if got, err := locate(env(started), exe, onPath); err != nil || got != started {
		t.Errorf("with %s: %q %v", winproc.EnvResident, got, err)
	}
	if got, err := locate(env(""), exe, onPath); err != nil || got != "/usr/bin/lull" {
		t.Errorf("none beside: %q %v, want PATH's", got, err)
	}
	beside := write(residentName())
	if got, err := locate(env(filepath.Join(dir, "gone")), exe, onPath); err != nil || got != beside {
		t.Errorf("beside: %q %v", got, err)
	}
	os.Remove(beside)
	if _, err := locate(env(""), exe, noPath); !errors.Is(err, errNoResident) {
		t.Errorf("nowhere: %v", err)
	}
}

// TestWindowHoldsNoData: the window process links none of the resident's
// parts (the service that opens the database, the tray; Fyne links a
// systray of its own, which the window never uses), its code never
// imports the database, and the UI not even the store (this command only
// for where the data directory is): what it shows it reads over the local
// API. (bbolt itself is linked: the domain packages whose types the API
// carries hold their storage too.)
func TestWindowHoldsNoData(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	for _, p := range []string{"github.com/lullapp/lull/app/service", "github.com/lullapp/lull/app/tray"} {
		if slices.Contains(deps, p) {
			t.Errorf("lull-window depends on %s", p)
		}
	}
	imports := func(pkg string) []string {
		out, err := exec.Command("go", "list", "-f", "{{join .Imports \" \"}}", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		return strings.Fields(string(out))
	}
	for pkg, banned := range map[string][]string{
		".":                           {"go.etcd.io/bbolt"},
		"github.com/lullapp/lull/app": {"go.etcd.io/bbolt", "github.com/lullapp/lull/internal/store"},
	} {
		got := imports(pkg)
		for _, b := range banned {
			if slices.Contains(got, b) {
				t.Errorf("%s imports %s", pkg, b)
			}
		}
	}
}
