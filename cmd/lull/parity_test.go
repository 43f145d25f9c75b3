package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/lullapp/lull/internal/settings"
)

// runBoth runs the same command against a running Lull (in live) and on
// the data directly (in offline), and fails unless both exit with the same
// code and say the same, each data directory's path aside.
func runBoth(t *testing.T, live, offline, stdin string, args ...string) result {
	t.Helper()
	a := runLull(t, live, stdin, args...)
	b := runLull(t, offline, stdin, args...)
	name := strings.Join(args, " ")
	norm := func(s, dir string) string { return strings.ReplaceAll(s, dir, "DIR") }
	if a.code != b.code {
		t.Errorf("lull %s: exit %d against the running Lull, %d on the data (stderr %q / %q)", name, a.code, b.code, a.stderr, b.stderr)
	}
	if norm(a.stderr, live) != norm(b.stderr, offline) {
		t.Errorf("lull %s says\n  %q against the running Lull,\n  %q on the data", name, a.stderr, b.stderr)
	}
	if norm(a.stdout, live) != norm(b.stdout, offline) {
		t.Errorf("lull %s prints\n  %q against the running Lull,\n  %q on the data", name, a.stdout, b.stdout)
	}
	checkWords(t, a.stderr+a.stdout)
	return a
}

// TestRunningAndOfflineAgree: a command that works with or without a
// running Lull exits with the same code and says the same either way,
// for errors of every kind (they come back through the API's error table
// and are read through the same table), and for what it does.
func TestRunningAndOfflineAgree(t *testing.T) {
	keyring.MockInit()
	live, offline := t.TempDir(), t.TempDir()
	startInstance(t, live)
	files := t.TempDir()
	notCal := filepath.Join(files, "notes.ics")
	os.WriteFile(notCal, []byte("my notes, not a calendar\n"), 0o600)
	mine := filepath.Join(files, "mine.ics")
	os.WriteFile(mine, []byte("my own file\n"), 0o600)
	for _, tc := range []struct {
		stdin string
		args  []string
		code  int
	}{
		{"", []string{"plan", "accept", "lull-nope"}, exitUsage},
		{"", []string{"plan", "skip", "lull-nope"}, exitUsage},
		{"", []string{"calendar", "remove", "nope"}, exitUsage},
		{"", []string{"calendar", "set", "nope", "all-day-free", "on"}, exitUsage},
		{"", []string{"calendar", "add", "url"}, exitUsage}, // no address on stdin: a bad request
		{"http://127.0.0.1:1/team.ics\n", []string{"calendar", "add", "url", "--name", "Team"}, exitFailure},
		{"pw\n", []string{"calendar", "add", "caldav", "http://127.0.0.1:1/dav/", "--user", "me"}, exitFailure},
		{"", []string{"calendar", "add", "file", notCal}, -1},
		{"", []string{"report", "--week", "2099-W01"}, exitUsage},
		{"", []string{"report", "--week", "2026-W60"}, exitUsage},
		{"", []string{"report", "--format", "xml"}, exitUsage},
		{"", []string{"export", "--from", "yesterday"}, exitUsage},
		{"", []string{"export", "--format", "xml"}, exitUsage},
		{"", []string{"export", "--from", "2026-01-06", "--to", "2026-01-05"}, exitUsage},
		{"", []string{"settings", "set", "goal", "200"}, exitUsage},
		{"", []string{"settings", "set", "goal", "lots"}, exitUsage},
		{"", []string{"settings", "set", "min-block", "20m"}, exitUsage},
		{"", []string{"settings", "set", "digest-times", "9am!"}, exitUsage},
		{"", []string{"settings", "set", "zone", "Mars/Olympus"}, exitUsage},
		{"", []string{"settings", "set", "export-ics", "focus.ics"}, exitUsage},
		{"", []string{"settings", "set", "export-ics", mine}, exitUsage},
		{"", []string{"settings", "set", "colour", "blue"}, exitUsage},
		{"", []string{"calendar", "list"}, exitOK},
		{"", []string{"digest", "list"}, exitOK},
		{"", []string{"export"}, exitOK},
		{"", []string{"plan", "accept", "--all"}, exitOK},
	} {
		r := runBoth(t, live, offline, tc.stdin, tc.args...)
		if tc.code >= 0 && r.code != tc.code {
			t.Errorf("lull %s: exit %d, want %d (%q)", strings.Join(tc.args, " "), r.code, tc.code, r.stderr)
		}
	}
	if b, _ := os.ReadFile(mine); string(b) != "my own file\n" {
		t.Fatalf("a file Lull did not write changed: %q", b)
	}
}

// TestSettingsSetEveryKeyBothWays: `lull settings set` takes every key
// of the settings schema, against a running Lull and on the data alike:
// the same answer, and the same value stored, the one the schema reads
// from the text.
func TestSettingsSetEveryKeyBothWays(t *testing.T) {
	keyring.MockInit()
	live, offline := t.TempDir(), t.TempDir()
	startInstance(t, live)
	export := filepath.Join(t.TempDir(), "focus.ics")
	values := map[string]string{"export-ics": export, "hours-sat": "10:00–14:00", "prefer": "afternoon", "capture": "no"}
	for _, f := range settings.Fields() {
		v, ok := values[f.Key]
		if !ok {
			v = f.Example
		}
		r := runBoth(t, live, offline, "", "settings", "set", f.Key, v)
		if r.code != exitOK || !strings.HasPrefix(r.stdout, f.Key+": ") {
			t.Errorf("settings set %s %q: exit %d %q %q", f.Key, v, r.code, r.stdout, r.stderr)
			continue
		}
		want := settings.Default()
		if err := f.Parse(&want, v); err != nil {
			t.Fatal(err)
		}
		for _, dir := range []string{live, offline} {
			var st settings.Settings
			out := runLull(t, dir, "", "settings", "show", "--json").stdout
			if err := json.Unmarshal([]byte(out), &st); err != nil {
				t.Fatalf("settings show --json: %v\n%s", err, out)
			}
			if got := f.Value(st); !reflect.DeepEqual(got, f.Value(want)) {
				t.Errorf("settings set %s %q stored %#v, want %#v", f.Key, v, got, f.Value(want))
			}
		}
	}
	a, b := runLull(t, live, "", "settings", "show"), runLull(t, offline, "", "settings", "show")
	if strings.ReplaceAll(a.stdout, live, "") != strings.ReplaceAll(b.stdout, offline, "") {
		t.Errorf("settings show differs:\n%s\n---\n%s", a.stdout, b.stdout)
	}
}
