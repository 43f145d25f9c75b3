package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/internal/fake"
	"github.com/lullapp/lull/notify"
)

// recorder keeps the OS notifications the service shows.
type recorder = fake.Sender[notify.Message]

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not met within 5 s")
}

type result struct {
	code           int
	stdout, stderr string
	guiCalls       int
	hidden         bool
}

// lull runs the command line against data directory dir.
func runLull(t *testing.T, dir, stdin string, args ...string) result {
	t.Helper()
	return runLullWith(t, dir, stdin, nil, args...)
}

// runLullWith is runLull with a starter for Lull (nil: none).
func runLullWith(t *testing.T, dir, stdin string, start starter, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	var r result
	r.code = run(args, env{
		start:  start,
		stdin:  strings.NewReader(stdin),
		stdout: &out,
		stderr: &errOut,
		getenv: func(k string) string {
			if k == "LULL_HOME" {
				return dir
			}
			return ""
		},
		gui: func(_ string, e env) int { r.guiCalls++; r.hidden = e.hidden; return 0 },
	})
	r.stdout, r.stderr = out.String(), errOut.String()
	return r
}

// startInstance runs the service with its local API, as the app does.
func startInstance(t *testing.T, dir string) (*service.Service, *recorder) {
	t.Helper()
	rec := &recorder{}
	svc, err := service.Start(context.Background(), service.Options{
		DataOptions:  service.DataOptions{Dir: dir},
		Version:      "test",
		Sender:       rec,
		TokenKeyring: &fake.Keyring{},
		SyncInterval: -1,
		Logf:         t.Logf,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	return svc, rec
}

func TestUsageErrorsExitTwo(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	for _, args := range [][]string{
		{"frobnicate"},
		{"status", "--bogus"},
		{"status", "extra"},
		{"focus"},
		{"focus", "begin"},
		{"focus", "start", "7 parsecs"},
		{"focus", "extend"},
		{"focus", "extend", "-5m"},
		{"notify", "--source", "ci"},
		{"notify", "--title", "x", "--priority", "shouting"},
		{"report", "--week", "2026-W60"},
		{"report", "--week", "2999-W01"},
		{"report", "--format", "xml"},
		{"export", "--from", "yesterday"},
		{"export", "--format", "xml"},
		{"calendar", "add", "carrier-pigeon"},
		{"calendar", "expand", "x.ics"},
		{"plan", "--format", "pdf"},
		{"settings", "set", "goal", "lots"},
		{"settings", "set", "colour", "blue"},
		{"settings", "set", "onboarded", "maybe"},
		{"plan", "--days", "-3"},
		{"plan", "--ics", "testdata/week.ics", "--from", "someday"},
		{"calendar", "busy", "--tz", "Mars/Olympus"},
		{"calendar", "busy", "--from", "2026-01-06", "--to", "2026-01-05"},
	} {
		r := runLull(t, dir, "", args...)
		if r.code != exitUsage {
			t.Errorf("lull %s: exit %d (stdout %q, stderr %q), want 2", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
		if r.stderr == "" {
			t.Errorf("lull %s: no error message", strings.Join(args, " "))
		}
	}
}

func TestHelpEverywhere(t *testing.T) {
	dir := t.TempDir()
	for _, args := range helpCommands {
		r := runLull(t, dir, "", args...)
		if r.code != exitOK || strings.Count(r.stdout, "Usage:") != 1 || r.stderr != "" {
			t.Errorf("lull %s: exit %d, want the usage once on stdout:\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
	}
	if r := runLull(t, dir, "", "--help"); !strings.Contains(r.stdout, "lull calendar add") {
		t.Errorf("--help does not list the commands:\n%s", r.stdout)
	}
}

func TestStatusNotRunning(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	r := runLull(t, dir, "", "status")
	if r.code != 0 || !strings.Contains(r.stdout, "Lull is not running") || !strings.Contains(r.stdout, dir) {
		t.Fatalf("status: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runLull(t, dir, "", "status", "--json")
	var st service.Status
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, r.stdout)
	}
	if st.Running || st.DataDir != dir || st.WeeklyGoal != 10*time.Hour {
		t.Fatalf("status --json = %+v", st)
	}
}

func TestAgainstRunningInstance(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	svc, rec := startInstance(t, dir)
	shown := make(chan struct{}, 1)
	svc.Subscribe(func(e service.Event) {
		if e.Kind == service.ShowWindow {
			shown <- struct{}{}
		}
	})

	r := runLull(t, dir, "", "status", "--json")
	var st service.Status
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil || r.code != 0 {
		t.Fatalf("status --json: exit %d %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	if !st.Running || st.PID != os.Getpid() || st.Version != "test" || st.DataDir != dir || st.Focusing {
		t.Fatalf("status = %+v", st)
	}

	// A second `lull` shows the running window and exits 0 without the GUI.
	start := time.Now()
	r = runLull(t, dir, "")
	if r.code != 0 || r.guiCalls != 0 {
		t.Fatalf("second lull: exit %d, gui calls %d, %s", r.code, r.guiCalls, r.stderr)
	}
	select {
	case <-shown:
	case <-time.After(2 * time.Second):
		t.Fatal("the running instance was not asked to show its window")
	}
	if time.Since(start) > 2*time.Second {
		t.Fatalf("second lull took %s", time.Since(start))
	}

	if r = runLull(t, dir, "", "focus", "start", "25m"); r.code != 0 || !strings.Contains(r.stdout, "Focusing") {
		t.Fatalf("focus start: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if f, _ := svc.Focus.Focusing(); !f {
		t.Fatal("engine is not focusing after `lull focus start`")
	}
	// Pressed twice: focus is on as asked, nothing changes.
	if r = runLull(t, dir, "", "focus", "start", "50m"); r.code != 0 || !strings.Contains(r.stderr, "already focusing") ||
		!strings.Contains(r.stdout, "25 min left") {
		t.Fatalf("second focus start: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r = runLull(t, dir, "", "focus", "extend", "15m"); r.code != 0 {
		t.Fatalf("focus extend: %d %q", r.code, r.stderr)
	}
	if r = runLull(t, dir, "", "notify", "--source", "ci", "--title", "Build failed"); r.code != 0 || r.stdout != "Held for the next digest (sent to Lull: batched for the digest).\n" {
		t.Fatalf("notify: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r = runLull(t, dir, "", "status"); !strings.Contains(r.stdout, "Held:") || !strings.Contains(r.stdout, "1 notification") {
		t.Fatalf("status after notify:\n%s", r.stdout)
	}
	if r = runLull(t, dir, "", "focus", "stop"); r.code != 0 || !regexp.MustCompile(`^Focus stopped after (\d+ s|less than a second)\.\n$`).MatchString(r.stdout) {
		t.Fatalf("focus stop: %d %q %q", r.code, r.stdout, r.stderr)
	}
	// A session under 15 minutes delivers no digest: the held notification
	// waits for the next one.
	time.Sleep(50 * time.Millisecond)
	if msgs := rec.Sent(); len(msgs) != 0 {
		t.Fatalf("a short session delivered %+v", msgs)
	}
	runLull(t, dir, "", "notify", "--source", "mail", "--title", "Lunch?")
	if r = runLull(t, dir, "", "digest", "now"); r.code != 0 || r.stdout != "Delivered: Lull — 2 held — ci: Build failed · mail: Lunch?\n" {
		t.Fatalf("digest now: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if msgs := rec.Sent(); len(msgs) != 1 || msgs[0].Body != "ci: Build failed · mail: Lunch?" {
		t.Fatalf("sent %+v, want one digest naming both", msgs)
	}
	if r = runLull(t, dir, "", "digest", "now"); r.code != 0 || !strings.Contains(r.stdout, "Nothing held") {
		t.Fatalf("digest now with nothing held: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r = runLull(t, dir, "", "digest", "list"); r.code != 0 || !strings.Contains(r.stdout, "Build failed") {
		t.Fatalf("digest list: %d %q", r.code, r.stdout)
	}
	if r = runLull(t, dir, "", "export", "--format", "csv"); r.code != 0 || strings.Count(r.stdout, "\n") != 2 {
		t.Fatalf("export: one header and one session expected: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r = runLull(t, dir, "", "report", "--format", "json"); r.code != 0 || !json.Valid([]byte(r.stdout)) {
		t.Fatalf("report json: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestNoArgumentsStartsTheAppWhenNoneRuns(t *testing.T) {
	dir := t.TempDir()
	r := runLull(t, dir, "")
	if r.code != 0 || r.guiCalls != 1 {
		t.Fatalf("lull: exit %d, gui calls %d", r.code, r.guiCalls)
	}
	if r.hidden {
		t.Fatal("plain lull started hidden")
	}
	if r := runLull(t, dir, "", "--hidden"); r.code != 0 || r.guiCalls != 1 || !r.hidden {
		t.Fatalf("lull --hidden: exit %d, gui calls %d, hidden %v", r.code, r.guiCalls, r.hidden)
	}
	// A discovery file left by a crashed instance does not fool it.
	os.MkdirAll(dir, 0o700)
	os.WriteFile(filepath.Join(dir, "api.json"), []byte(`{"port":1,"token":"x","pid":1}`), 0o600)
	if r = runLull(t, dir, ""); r.guiCalls != 1 {
		t.Fatalf("stale discovery file: gui calls %d", r.guiCalls)
	}
}

func TestCalendarAndPlanOffline(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	ics, _ := filepath.Abs("testdata/week.ics")
	r := runLull(t, dir, "", "calendar", "add", "file", ics, "--name", "Work")
	if r.code != 0 || !strings.Contains(r.stdout, `Added file "Work"`) {
		t.Fatalf("calendar add: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = runLull(t, dir, "", "calendar", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "Work") || !strings.Contains(r.stdout, ics) {
		t.Fatalf("calendar list: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runLull(t, dir, "", "plan", "--sync", "--format", "tsv")
	if r.code != 0 || !strings.Contains(r.stdout, "proposed") {
		t.Fatalf("plan --sync: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runLull(t, dir, "", "plan", "accept", "--all")
	if r.code != 0 || !strings.Contains(r.stdout, "Accepted") {
		t.Fatalf("plan accept --all: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = runLull(t, dir, "", "status", "--json")
	var st service.Status
	json.Unmarshal([]byte(r.stdout), &st)
	if st.NextBlock == nil {
		t.Fatalf("no next block after accepting the plan: %s", r.stdout)
	}
	// A date as --to includes that day.
	r = runLull(t, dir, "", "calendar", "busy", "--from", "2026-01-05", "--to", "2026-01-05", "--tz", "Europe/Berlin", ics)
	if r.code != 0 || r.stdout != "Mon 5 Jan 2026 09:30–09:45\n" {
		t.Fatalf("calendar busy: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = runLull(t, dir, "", "calendar", "busy", "--from", "2026-01-05", "--to", "2026-01-05", "--tz", "Europe/Berlin", "--format", "tsv", ics)
	if r.code != 0 || r.stdout != "20260105T083000Z\t20260105T084500Z\n" {
		t.Fatalf("calendar busy --format tsv: %d %q %q", r.code, r.stdout, r.stderr)
	}
	id := strings.Fields(strings.Split(runLull(t, dir, "", "calendar", "list").stdout, "\n")[1])[0]
	if r = runLull(t, dir, "", "calendar", "remove", id); r.code != 0 {
		t.Fatalf("calendar remove: %d %q", r.code, r.stderr)
	}
	if r = runLull(t, dir, "", "calendar", "remove", id); r.code != exitUsage {
		t.Fatalf("removing twice (an ID that is not there): exit %d", r.code)
	}
}

func TestCalendarExpandMatchesReferenceFormat(t *testing.T) {
	r := runLull(t, t.TempDir(), "", "calendar", "expand", "testdata/week.ics", "--from", "2026-01-05T00:00Z", "--to", "2026-01-07T00:00Z")
	want := "2026-01-05T08:30:00Z\t2026-01-05T08:45:00Z\tStand-up\n" +
		"2026-01-06T08:30:00Z\t2026-01-06T08:45:00Z\tStand-up\n" +
		"2026-01-06T13:00:00Z\t2026-01-06T14:30:00Z\tDesign review\n"
	if r.code != 0 || r.stdout != want {
		t.Fatalf("expand: exit %d\n got %q\nwant %q\n%s", r.code, r.stdout, want, r.stderr)
	}
	if r = runLull(t, t.TempDir(), "", "calendar", "expand", "testdata/missing.ics", "--from", "2026-01-05", "--to", "2026-01-06"); r.code != exitUsage || !strings.Contains(r.stderr, "missing.ics") {
		t.Fatalf("missing file: %d %q", r.code, r.stderr)
	}
}

func TestSettingsSet(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	if r := runLull(t, dir, "", "settings", "set", "goal", "12h"); r.code != 0 {
		t.Fatalf("settings set: %d %q", r.code, r.stderr)
	}
	if r := runLull(t, dir, "", "settings", "set", "digest-times", "08:00,25:99"); r.code != exitUsage {
		t.Fatalf("bad digest time: %d %q", r.code, r.stderr)
	}
	r := runLull(t, dir, "", "settings", "show", "--json")
	var st service.Settings
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil || st.Plan.WeeklyGoal != 12*time.Hour || len(st.DigestTimes) != 3 {
		t.Fatalf("settings: %v %+v", err, st)
	}
}

func TestPlanPreviewFromFilesAndExport(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	runLull(t, dir, "", "settings", "set", "zone", "Europe/Berlin")
	// A preview over a file alone stores nothing and avoids its meetings.
	r := runLull(t, dir, "", "plan", "--ics", "testdata/week.ics", "--from", "2026-01-05", "--days", "5", "--format", "json")
	var blocks []struct {
		Start, End time.Time
		State      string
	}
	if err := json.Unmarshal([]byte(r.stdout), &blocks); r.code != 0 || err != nil || len(blocks) == 0 {
		t.Fatalf("plan --ics: %d %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for _, b := range blocks {
		if b.Start.Before(time.Date(2026, 1, 5, 0, 0, 0, 0, berlin)) || b.End.After(time.Date(2026, 1, 11, 0, 0, 0, 0, berlin)) {
			t.Errorf("block %v–%v outside the 5-day horizon from 5 January", b.Start, b.End)
		}
		standup := time.Date(b.Start.Year(), b.Start.Month(), b.Start.Day(), 9, 30, 0, 0, berlin)
		if b.Start.Before(standup.Add(25*time.Minute)) && standup.Add(-10*time.Minute).Before(b.End) {
			t.Errorf("block %v–%v overlaps the 09:30 stand-up (with buffer)", b.Start, b.End)
		}
	}
	if r := runLull(t, dir, "", "plan", "--dry-run"); !strings.Contains(r.stdout, "0 moved, 0 removed, 0 kept") {
		t.Fatalf("the preview stored blocks:\n%s", r.stdout)
	}
	if r := runLull(t, dir, "", "plan", "--from", "2026-01-05"); r.code != exitUsage {
		t.Fatalf("--from without --ics: exit %d", r.code)
	}
	if r := runLull(t, dir, "", "plan", "--ics", "testdata/nope.ics"); r.code != exitUsage || !strings.Contains(r.stderr, "nope.ics") {
		t.Fatalf("missing --ics file: %d %q", r.code, r.stderr)
	}

	// Stored plan with --days, then accept and export.
	ics, _ := filepath.Abs("testdata/week.ics")
	runLull(t, dir, "", "calendar", "add", "file", ics)
	if r := runLull(t, dir, "", "plan", "--sync", "--days", "3"); r.code != 0 {
		t.Fatalf("plan --days 3: %d %q", r.code, r.stderr)
	}
	runLull(t, dir, "", "plan", "accept", "--all")
	out := filepath.Join(t.TempDir(), "blocks.ics")
	if r := runLull(t, dir, "", "plan", "--export", out); r.code != 0 {
		t.Fatalf("plan --export: %d %q", r.code, r.stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(data), "SUMMARY:Focus time") || !strings.Contains(string(data), "TRANSP:OPAQUE") || !strings.Contains(string(data), "X-LULL-BLOCK") {
		t.Fatalf("exported calendar: %v\n%s", err, data)
	}
}
