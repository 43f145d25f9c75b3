package main

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/internal/fake"
)

var updateHelp = flag.Bool("update-help", false, "rewrite testdata/help golden files")

// helpCommands are every command's --help; each must print its usage once.
var helpCommands = [][]string{
	{"--help"}, {"help"}, {"status", "--help"},
	{"focus", "--help"}, {"focus", "start", "--help"}, {"focus", "stop", "--help"}, {"focus", "resume", "--help"}, {"focus", "extend", "--help"},
	{"notify", "--help"}, {"digest", "--help"}, {"digest", "now", "--help"}, {"digest", "list", "--help"},
	{"plan", "--help"}, {"plan", "accept", "--help"}, {"plan", "skip", "--help"},
	{"calendar", "--help"}, {"calendar", "add", "file", "--help"}, {"calendar", "add", "url", "--help"},
	{"calendar", "add", "caldav", "--help"}, {"calendar", "list", "--help"}, {"calendar", "remove", "--help"},
	{"calendar", "sync", "--help"}, {"calendar", "expand", "--help"}, {"calendar", "busy", "--help"},
	{"report", "--help"}, {"export", "--help"}, {"settings", "--help"}, {"settings", "show", "--help"},
	{"coach", "--help"}, {"coach", "apply", "--help"}, {"coach", "dismiss", "--help"},
	{"present", "--help"},
	{"sync", "--help"}, {"sync", "log-calendar", "--help"},
	{"hooks", "--help"}, {"hooks", "add", "--help"}, {"hooks", "list", "--help"}, {"hooks", "remove", "--help"}, {"hooks", "test", "--help"},
}

// TestHelpGolden: every help text is a golden file (go test -run
// TestHelpGolden -update-help rewrites them), printed once, and lists no
// option twice.
func TestHelpGolden(t *testing.T) {
	dir := t.TempDir()
	for _, args := range helpCommands {
		name := strings.Join(args, "_")
		t.Run(name, func(t *testing.T) {
			r := runLull(t, dir, "", args...)
			if r.code != exitOK || r.stderr != "" {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			if n := strings.Count(r.stdout, "Usage:"); n != 1 {
				t.Errorf("usage printed %d times:\n%s", n, r.stdout)
			}
			seen := map[string]bool{}
			for _, m := range regexp.MustCompile(`(?m)^  (--[a-z-]+)`).FindAllStringSubmatch(r.stdout, -1) {
				if seen[m[1]] {
					t.Errorf("option %s listed twice", m[1])
				}
				seen[m[1]] = true
			}
			checkWords(t, r.stdout)
			path := filepath.Join("testdata", "help", strings.TrimLeft(name, "-")+".txt")
			if *updateHelp {
				os.MkdirAll(filepath.Dir(path), 0o755)
				if err := os.WriteFile(path, []byte(r.stdout), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test -run TestHelpGolden -update-help writes it)", err)
			}
			if r.stdout != string(want) {
				t.Errorf("help differs from %s:\n%s", path, r.stdout)
			}
		})
	}
	// No list names a choice twice ("auto" was listed twice for dnd).
	r := runLull(t, dir, "", "settings", "--help")
	for _, line := range strings.Split(r.stdout, "\n") {
		if _, list, ok := strings.Cut(line, ": "); ok {
			seen := map[string]bool{}
			for _, item := range strings.Split(list, ", ") {
				if seen[item] {
					t.Errorf("%q names %q twice", line, item)
				}
				seen[item] = true
			}
		}
	}
	// calendar add url offers no CalDAV options.
	if r := runLull(t, dir, "", "calendar", "add", "url", "--help"); strings.Contains(r.stdout, "--user") || strings.Contains(r.stdout, "--publish") {
		t.Errorf("calendar add url --help lists CalDAV options:\n%s", r.stdout)
	}
}

// goSyntax finds what no person should read: Go durations ("1h0m0s",
// "0s"), HTTP status codes, Go type and package names, raw UTC stamps.
var goSyntax = []*regexp.Regexp{
	regexp.MustCompile(`\d+h\d+m\d+s|\dh0m|\b\d+m0s\b|\b0s\b`),
	regexp.MustCompile(`answered \d{3}|\b(400|404|409|500|502)\b`),
	regexp.MustCompile(`\b(time|strconv|json|flag|errors|service|focus|notify|calendar)\.[A-Z]|\*[a-z]+\.[A-Z]|Go struct|invalid duration|parsing time|flag provided`),
	regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?Z\b|\d{8}T\d{6}Z`),
}

func checkWords(t *testing.T, out string) {
	t.Helper()
	for _, re := range goSyntax {
		if m := re.FindString(out); m != "" {
			t.Errorf("output shows %q, which a person should not read:\n%s", m, out)
		}
	}
}

// TestErrorsInWords: what a wrong command line prints says what is wrong
// in the user's terms, with a right example, and exits with the README's
// code; no HTTP codes, Go types, Go durations or UTC stamps.
func TestErrorsInWords(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	live := t.TempDir()
	startInstance(t, live)
	if r := runLull(t, live, "", "focus", "start", "25m"); r.code != 0 {
		t.Fatalf("focus start: %q", r.stderr)
	}
	for _, tc := range []struct {
		dir  string
		args []string
		code int
		want string // a regexp the message must match
	}{
		{dir, []string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{dir, []string{"status", "--bogus"}, exitUsage, `lull status has no option --bogus \(see "lull status --help"\)`},
		{dir, []string{"focus", "extend", "-10m"}, exitUsage, `focus length "-10m": a length cannot be negative, e\.g\. 25m`},
		{dir, []string{"focus", "start", "200h"}, exitUsage, `focus length "200h": must be at most 24 h, e\.g\. 25m`},
		{dir, []string{"focus", "start", "soon"}, exitUsage, `focus length "soon": write a length such as 25m, 1h30 or 90 \(minutes\), or until-next, or open`},
		{dir, []string{"focus", "start", "30s"}, exitUsage, `must be at least 1 min`},
		{dir, []string{"digest", "list", "--limit", "many"}, exitUsage, `--limit "many": want a whole number, e\.g\. 10`},
		{dir, []string{"notify", "--title"}, exitUsage, `--title needs a value`},
		{dir, []string{"report", "--week", "2026-W60"}, exitUsage, `week "2026-W60": weeks are numbered 01 to 53`},
		{dir, []string{"report", "--week", "2026-W53"}, exitUsage, `week "2026-W53": 2026 has 53 weeks|has not started yet|2026 has 52 weeks`},
		{dir, []string{"report", "--format", "xml"}, exitUsage, `--format "xml": want text, json or csv, e\.g\. json`},
		{dir, []string{"export", "--from", "yesterday"}, exitUsage, `--from "yesterday": write a date or a time, e\.g\. 2026-11-30`},
		{dir, []string{"calendar", "busy", "--from", "2026-01-06", "--to", "2026-01-05"}, exitUsage, `--to "2026-01-05": must be after --from Tue 6 Jan 2026`},
		{dir, []string{"calendar", "busy", "--tz", "Mars/Olympus"}, exitUsage, `--tz "Mars/Olympus" is not a time zone this computer knows; write e\.g\. Europe/Berlin`},
		{dir, []string{"calendar", "add", "file", "/no/such/work.ics"}, exitUsage, `no such file: /no/such/work\.ics`},
		{dir, []string{"calendar", "expand", "/no/such.ics", "--from", "2026-01-01", "--to", "2026-01-02"}, exitUsage, `no such file`},
		{dir, []string{"calendar", "remove", "nope"}, exitUsage, `nope`},
		{dir, []string{"settings", "set", "digest-times", "9am!"}, exitUsage, `^lull: digest time "9am!": write a time of day as HH:MM, e\.g\. 09:00\n$`},
		{dir, []string{"settings", "set", "goal", "200h"}, exitUsage, `weekly goal "200 h": must be between 0 and 168 h, e\.g\. 10 h`},
		{dir, []string{"settings", "set", "goal", "lots"}, exitUsage, `weekly goal "lots": write hours or a length of time, e\.g\. 10h`},
		{dir, []string{"settings", "set", "buffer", "3h"}, exitUsage, `buffer "3 h": must be between 0 and 2 h, e\.g\. 10 min`},
		{dir, []string{"settings", "set", "hours-mon", "17-9"}, exitUsage, `Monday working hours "17-9": write a range of the day such as 09:00–17:00, or off`},
		{dir, []string{"settings", "set", "dnd", "telepathy"}, exitUsage, `do-not-disturb "telepathy": want auto, off, dunst`},
		{dir, []string{"settings", "set", "colour", "blue"}, exitUsage, `no setting "colour"`},
		{live, []string{"plan", "accept", "lull-nope"}, exitUsage, `^lull: block "?lull-nope"?: no such focus block\n$`},
		{live, []string{"focus", "extend", "10m"}, exitOK, `^$`},
		{live, []string{"focus", "resume"}, exitFailure, `already focusing`},
		{live, []string{"report", "--week", "2099-W01"}, exitUsage, `week "2099-W01": has not started yet: it starts Mon 29 Dec 2098`},
		{live, []string{"calendar", "busy", "--from", "someday"}, exitUsage, `--from "someday"`},
		{live, []string{"settings", "set", "min-block", "20m"}, exitUsage, `minimum block "20 min": must be at least 30 min`},
	} {
		r := runLull(t, tc.dir, "", tc.args...)
		name := strings.Join(tc.args, " ")
		if r.code != tc.code {
			t.Errorf("lull %s: exit %d, want %d (stderr %q)", name, r.code, tc.code, r.stderr)
		}
		if !regexp.MustCompile(tc.want).MatchString(r.stderr) {
			t.Errorf("lull %s: stderr %q, want it to match %q", name, r.stderr, tc.want)
		}
		if strings.Count(r.stderr, "lull:") > 1 {
			t.Errorf("lull %s: more than one message: %q", name, r.stderr)
		}
		checkWords(t, r.stderr+r.stdout)
	}
}

// TestFocusStopSaysHowLong: "after 10 s", not "after 0s".
func TestFocusStopSaysHowLong(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	startInstance(t, dir)
	runLull(t, dir, "", "focus", "start", "25m")
	time.Sleep(1100 * time.Millisecond)
	r := runLull(t, dir, "", "focus", "stop")
	if r.code != 0 || !regexp.MustCompile(`^Focus stopped after [1-9]\d* s\.\n$`).MatchString(r.stdout) {
		t.Fatalf("focus stop: %d %q %q", r.code, r.stdout, r.stderr)
	}
}

// countingStarter is a fake starter: it runs the service in this process
// (as `lull --hidden` would in its own), after a delay like a real start,
// and counts how often it was asked.
func countingStarter(t *testing.T, delay time.Duration, starts *atomic.Int32) starter {
	var mu sync.Mutex
	return func(dir string, e env) (<-chan error, error) {
		starts.Add(1)
		mu.Lock()
		defer mu.Unlock()
		time.Sleep(delay)
		svc, err := service.Start(context.Background(), service.Options{
			DataOptions:  service.DataOptions{Dir: dir},
			Version:      "test",
			Sender:       &recorder{},
			TokenKeyring: &fake.Keyring{},
			SyncInterval: -1,
			Logf:         t.Logf,
		})
		if err != nil {
			return nil, err
		}
		t.Cleanup(func() { svc.Close() })
		return make(chan error), nil
	}
}

// TestCommandsStartLullWhenNotRunning: a command that needs the running app
// starts it in the tray, says so on stderr, and does its job.
func TestCommandsStartLullWhenNotRunning(t *testing.T) {
	keyring.MockInit()
	for _, args := range [][]string{{"focus", "start", "25m"}, {"notify", "--title", "x"}, {"digest", "now"}, {"focus", "stop"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			dir := t.TempDir()
			var starts atomic.Int32
			r := runLullWith(t, dir, "", countingStarter(t, 0, &starts), args...)
			if starts.Load() != 1 || r.code != 0 || r.stderr != "Lull was not running; started it in the tray.\n" {
				t.Fatalf("lull %v: %d starts, exit %d, stderr %q", args, starts.Load(), r.code, r.stderr)
			}
			// Now it runs: the next command does not start another.
			if r := runLullWith(t, dir, "", countingStarter(t, 0, &starts), "status"); starts.Load() != 1 || !strings.Contains(r.stdout, "is running") {
				t.Fatalf("status after the start: %d starts, %q", starts.Load(), r.stdout)
			}
		})
	}
}

// TestRacingCommandsStartOneInstance: two commands at once with no Lull
// running start it once, and both succeed.
func TestRacingCommandsStartOneInstance(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	var starts atomic.Int32
	start := countingStarter(t, 300*time.Millisecond, &starts)
	var wg sync.WaitGroup
	results := make([]result, 2)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = runLullWith(t, dir, "", start, "focus", "start", "25m")
		}()
	}
	wg.Wait()
	if n := starts.Load(); n != 1 {
		t.Fatalf("Lull started %d times", n)
	}
	for i, r := range results {
		if r.code != 0 || !strings.Contains(r.stdout, "Focusing — 25 min left") {
			t.Errorf("command %d: exit %d, %q %q", i, r.code, r.stdout, r.stderr)
		}
	}
}

// TestStartThatFailsSaysWhereToLook: a Lull that stops instead of starting
// is reported with the log's place, exit 1.
func TestStartThatFailsSaysWhereToLook(t *testing.T) {
	dir := t.TempDir()
	start := func(dir string, e env) (<-chan error, error) {
		ch := make(chan error, 1)
		ch <- errExitStatus1
		return ch, nil
	}
	r := runLullWith(t, dir, "", start, "focus", "start")
	if r.code != exitFailure || !strings.Contains(r.stderr, "did not start") || !strings.Contains(r.stderr, filepath.Join(dir, trayLogFile)) {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
}

var errExitStatus1 = &exitStatusError{}

type exitStatusError struct{}

func (*exitStatusError) Error() string { return "exit status 1" }
