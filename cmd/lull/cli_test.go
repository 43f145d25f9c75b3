package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
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
	residentCalls  int
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
		resident: func(_ string, e env) int { r.residentCalls++; r.hidden = e.hidden; return 0 },
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
		{"present"},
		{"present", "maybe"},
		{"present", "on", "off"},
		{"settings", "set", "hold-in-meetings", "perhaps"},
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
	if r.code != 0 || r.residentCalls != 0 {
		t.Fatalf("second lull: exit %d, resident calls %d, %s", r.code, r.residentCalls, r.stderr)
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

// TestNoArgumentsStartsTheAppWhenNoneRuns: a plain `lull` with no Lull
// running starts the resident process in the tray (detached, as commands
// do) and asks it to show the window; `lull --hidden` is the resident
// process itself; a discovery file left by a crashed instance fools
// neither.
func TestNoArgumentsStartsTheAppWhenNoneRuns(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	var starts, shown atomic.Int32
	// The starter runs the service in this process, as `lull --hidden`
	// would in its own, and counts the show requests that reach it.
	start := func(dir string, e env) (<-chan error, error) {
		starts.Add(1)
		svc, _ := startInstance(t, dir)
		svc.Subscribe(func(e service.Event) {
			if e.Kind == service.ShowWindow {
				shown.Add(1)
			}
		})
		return make(chan error), nil
	}
	r := runLullWith(t, dir, "", start)
	if r.code != 0 || r.residentCalls != 0 || starts.Load() != 1 {
		t.Fatalf("lull: exit %d, resident calls %d, starts %d, %s", r.code, r.residentCalls, starts.Load(), r.stderr)
	}
	waitFor(t, func() bool { return shown.Load() == 1 })
	if r.stderr != "Lull was not running; started it in the tray.\n" {
		t.Errorf("stderr %q", r.stderr)
	}
	// The second `lull` finds it and asks again; nothing else starts.
	if r = runLullWith(t, dir, "", start); r.code != 0 || starts.Load() != 1 {
		t.Fatalf("second lull: exit %d, starts %d, %s", r.code, starts.Load(), r.stderr)
	}
	waitFor(t, func() bool { return shown.Load() == 2 })

	other := t.TempDir()
	if r := runLull(t, other, "", "--hidden"); r.code != 0 || r.residentCalls != 1 || !r.hidden {
		t.Fatalf("lull --hidden: exit %d, resident calls %d, hidden %v", r.code, r.residentCalls, r.hidden)
	}
	// A discovery file left by a crashed instance fools neither.
	os.WriteFile(filepath.Join(other, "api.json"), []byte(`{"port":1,"token":"x","pid":1}`), 0o600)
	if r = runLull(t, other, "", "--hidden"); r.residentCalls != 1 {
		t.Fatalf("stale discovery file: resident calls %d", r.residentCalls)
	}
	if r = runLullWith(t, other, "", start); r.code != 0 || starts.Load() != 2 {
		t.Fatalf("stale discovery file, plain lull: exit %d, starts %d, %s", r.code, starts.Load(), r.stderr)
	}
	waitFor(t, func() bool { return shown.Load() == 3 })
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
	var plan struct {
		Blocks []struct {
			Start, End time.Time
			State      string
		}
	}
	err := json.Unmarshal([]byte(r.stdout), &plan)
	blocks := plan.Blocks
	if r.code != 0 || err != nil || len(blocks) == 0 {
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

// TestCalendarReadersShareSizeLimit: every command that reads a calendar
// file refuses one over the size limit with a message naming it, instead
// of reading an endless input until memory runs out.
func TestCalendarReadersShareSizeLimit(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	keyring.MockInit()
	dir := t.TempDir()
	for _, args := range [][]string{
		{"calendar", "expand", "/dev/zero", "--from", "2024-01-01", "--to", "2024-02-01"},
		{"calendar", "busy", "/dev/zero", "--from", "2024-01-01", "--to", "2024-02-01"},
		{"plan", "--ics", "/dev/zero", "--from", "2024-01-01"},
		{"calendar", "add", "file", "/dev/zero"},
	} {
		r := runLull(t, dir, "", args...)
		if r.code != exitFailure || !strings.Contains(r.stderr, "/dev/zero") || !strings.Contains(r.stderr, "larger than the size limit of 20 MB") {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}

// TestCalendarBusyAndPlanAgreeOnDeclined: `calendar busy FILE` and `plan
// --ics FILE` read a file through the same busy function with the user's
// addresses, so a meeting the user declined is free in both (and busy in
// both for someone else). `calendar busy` used to ignore the addresses.
func TestCalendarBusyAndPlanAgreeOnDeclined(t *testing.T) {
	keyring.MockInit()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	declined := struct{ Start, End time.Time }{time.Date(2026, 1, 5, 11, 0, 0, 0, berlin), time.Date(2026, 1, 5, 17, 0, 0, 0, berlin)}
	for _, mine := range []bool{true, false} {
		dir := t.TempDir()
		runLull(t, dir, "", "settings", "set", "zone", "Europe/Berlin")
		if mine {
			runLull(t, dir, "", "settings", "set", "user-addresses", "me@example.com")
		}
		r := runLull(t, dir, "", "calendar", "busy", "testdata/declined.ics", "--from", "2026-01-05", "--to", "2026-01-06", "--tz", "Europe/Berlin", "--format", "tsv")
		want := "20260105T080000Z\t20260105T100000Z"
		if !mine {
			want = "20260105T080000Z\t20260105T160000Z"
		}
		if r.code != 0 || strings.TrimSpace(r.stdout) != want {
			t.Fatalf("mine=%v: calendar busy: %d %q %q, want %q", mine, r.code, r.stdout, r.stderr, want)
		}
		r = runLull(t, dir, "", "plan", "--ics", "testdata/declined.ics", "--from", "2026-01-05", "--days", "1", "--format", "json")
		var plan struct {
			Blocks []struct{ Start, End time.Time }
		}
		err := json.Unmarshal([]byte(r.stdout), &plan)
		blocks := plan.Blocks
		if r.code != 0 || err != nil {
			t.Fatalf("plan --ics: %d %v\n%s%s", r.code, err, r.stdout, r.stderr)
		}
		inDeclined := false
		for _, b := range blocks {
			if b.Start.Before(declined.End) && declined.Start.Before(b.End) {
				inDeclined = true
			}
		}
		if inDeclined != mine {
			t.Errorf("mine=%v: plan puts a block in the declined meeting's time: %v (busy says it is free: %v)", mine, inDeclined, mine)
		}
	}
}

// TestPlanAvoidsMeetingMovedIntoWindow: a Friday 15:00–16:00 series moved
// four days earlier by a RANGE=THISANDFUTURE override, planned from a
// Monday it now lands on: the instance whose original Friday lies beyond
// the planning window is busy, and no block (with its 10-minute buffer)
// touches it. It used to be lost, and a block was planned up to 15:00.
func TestPlanAvoidsMeetingMovedIntoWindow(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	runLull(t, dir, "", "settings", "set", "zone", "Europe/Berlin")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	meeting := [2]time.Time{time.Date(2026, 1, 12, 15, 0, 0, 0, berlin), time.Date(2026, 1, 12, 16, 0, 0, 0, berlin)}
	r := runLull(t, dir, "", "calendar", "busy", "testdata/moved.ics", "--from", "2026-01-12", "--to", "2026-01-14", "--tz", "Europe/Berlin", "--format", "tsv")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "20260112T140000Z\t20260112T150000Z" {
		t.Fatalf("calendar busy: %d %q %q", r.code, r.stdout, r.stderr)
	}
	for _, days := range []string{"1", "2", "5"} {
		r = runLull(t, dir, "", "plan", "--ics", "testdata/moved.ics", "--from", "2026-01-12", "--days", days, "--format", "json")
		var res struct {
			Blocks []struct{ Start, End time.Time }
		}
		if err := json.Unmarshal([]byte(r.stdout), &res); r.code != 0 || err != nil || len(res.Blocks) == 0 {
			t.Fatalf("plan --ics --days %s: %d %v\n%s%s", days, r.code, err, r.stdout, r.stderr)
		}
		for _, b := range res.Blocks {
			if b.Start.Before(meeting[1].Add(10*time.Minute)) && meeting[0].Add(-10*time.Minute).Before(b.End) {
				t.Errorf("--days %s: block %v–%v over the moved meeting (with buffer)", days, b.Start.In(berlin), b.End.In(berlin))
			}
		}
	}
}

// TestPlanSaysWhyADayHasNoFocus: an unmarked all-day "Team offsite" is
// busy (it used to get two focus blocks) and `lull plan` says why Monday
// has no focus, in text and JSON; the all-day holiday marked transparent
// leaves Tuesday free.
func TestPlanSaysWhyADayHasNoFocus(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	runLull(t, dir, "", "settings", "set", "zone", "Europe/Berlin")
	r := runLull(t, dir, "", "plan", "--ics", "testdata/offsite.ics", "--from", "2026-01-05", "--days", "2")
	if r.code != 0 || !strings.Contains(r.stdout, "Mon 5 Jan 2026\n  no focus: all-day 'Team offsite'\n") || !strings.Contains(r.stdout, "Tue 6 Jan 2026\n  09:00") {
		t.Fatalf("plan: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runLull(t, dir, "", "plan", "--ics", "testdata/offsite.ics", "--from", "2026-01-05", "--days", "2", "--format", "json")
	var plan struct {
		Blocks []struct{ Start time.Time }
		Days   []struct {
			Date   time.Time
			Reason string
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &plan); err != nil || len(plan.Days) != 1 || plan.Days[0].Reason != "all-day 'Team offsite'" ||
		plan.Days[0].Date.Format(time.DateOnly) != "2026-01-05" || len(plan.Blocks) == 0 {
		t.Fatalf("plan json: %v\n%s", err, r.stdout)
	}
	for _, b := range plan.Blocks {
		if b.Start.Format(time.DateOnly) == "2026-01-05" {
			t.Errorf("a block on the offsite day: %v", b.Start)
		}
	}
}

// TestCalendarAllDayFreeSetting: --all-day-free when adding and `calendar
// set ID all-day-free on|off` store the calendar's setting; the list shows
// it; bad values are usage errors.
func TestCalendarAllDayFreeSetting(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	ics, _ := filepath.Abs("testdata/offsite.ics")
	if r := runLull(t, dir, "", "calendar", "add", "file", ics, "--name", "Team", "--all-day-free"); r.code != 0 {
		t.Fatalf("add: %d %q", r.code, r.stderr)
	}
	allDay := func() string {
		t.Helper()
		r := runLull(t, dir, "", "calendar", "list")
		lines := strings.Split(r.stdout, "\n")
		col := strings.Index(lines[0], "ALL-DAY")
		if r.code != 0 || col < 0 || len(lines) < 2 {
			t.Fatalf("list: %d %q", r.code, r.stdout)
		}
		return strings.Fields(lines[1][col:])[0]
	}
	if got := allDay(); got != "free" {
		t.Fatalf("after add --all-day-free: %q", got)
	}
	if r := runLull(t, dir, "", "calendar", "set", "team", "all-day-free", "off"); r.code != 0 || !strings.Contains(r.stdout, "all-day events are busy unless marked free") {
		t.Fatalf("set off: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if got := allDay(); got != "busy" {
		t.Fatalf("after set off: %q", got)
	}
	for _, args := range [][]string{{"team", "all-day-free", "maybe"}, {"team", "colour", "on"}, {"team"}} {
		if r := runLull(t, dir, "", append([]string{"calendar", "set"}, args...)...); r.code != exitUsage {
			t.Errorf("set %v: exit %d %q", args, r.code, r.stderr)
		}
	}
	if r := runLull(t, dir, "", "calendar", "set", "nope", "all-day-free", "on"); r.code != exitUsage {
		t.Errorf("unknown calendar: exit %d %q", r.code, r.stderr)
	}
}

// TestSyncCommands: sync needs a CalDAV calendar (a file calendar refuses
// it in words), `lull sync` with sync off says how to switch it on and
// exits 2, and `lull sync status` prints the state, also as JSON.
func TestSyncCommands(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	ics, _ := filepath.Abs("testdata/offsite.ics")
	if r := runLull(t, dir, "", "calendar", "add", "file", ics, "--name", "Team"); r.code != 0 {
		t.Fatalf("add: %d %q", r.code, r.stderr)
	}
	if r := runLull(t, dir, "", "calendar", "set", "team", "sync", "on"); r.code != exitUsage || !strings.Contains(r.stderr, "sync needs a CalDAV calendar") {
		t.Errorf("sync on a file calendar: exit %d %q", r.code, r.stderr)
	}
	if r := runLull(t, dir, "", "calendar", "set", "team", "sync", "maybe"); r.code != exitUsage {
		t.Errorf("sync maybe: exit %d %q", r.code, r.stderr)
	}
	r := runLull(t, dir, "", "sync")
	if r.code != exitUsage || !strings.Contains(r.stderr, "sync is off") || !strings.Contains(r.stderr, "lull calendar set caldav-1 sync on") {
		t.Errorf("lull sync while off: exit %d %q", r.code, r.stderr)
	}
	r = runLull(t, dir, "", "sync", "status")
	if r.code != 0 || !strings.Contains(r.stdout, "Sync:") || !strings.Contains(r.stdout, "off (switch it on: lull calendar set ID sync on)") ||
		!strings.Contains(r.stdout, "Pending:") || !strings.Contains(r.stdout, "0 changes to write") {
		t.Errorf("sync status: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	checkWords(t, r.stdout)
	r = runLull(t, dir, "", "sync", "status", "--json")
	var st struct {
		On      bool `json:"on"`
		Pending int  `json:"pending"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &st) != nil || st.On {
		t.Errorf("sync status --json: exit %d %q", r.code, r.stdout)
	}
	if r := runLull(t, dir, "", "sync", "now", "please"); r.code != exitUsage {
		t.Errorf("sync with stray arguments: exit %d", r.code)
	}
}
