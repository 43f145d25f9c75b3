package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/zalando/go-keyring"
)

const testICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" +
	"BEGIN:VEVENT\r\nUID:m@test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260106T100000Z\r\nDTEND:20260106T110000Z\r\nSUMMARY:Meeting\r\nEND:VEVENT\r\n" +
	"END:VCALENDAR\r\n"

// TestSecretsNeverInArguments: a subscription address and a URL holding a
// password are refused as arguments (other programs can read those), with
// a message that says to use stdin and does not repeat the secret; the
// address given on stdin is taken.
func TestSecretsNeverInArguments(t *testing.T) {
	keyring.MockInit()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/calendar")
		io.WriteString(w, testICS)
	}))
	defer srv.Close()
	secret := srv.URL + "/private/s3cr3t-token/basic.ics?key=k3yk3y"
	dir := t.TempDir()
	for _, args := range [][]string{
		{"calendar", "add", "url", secret},
		{"calendar", "add", "url", secret, "--name", "Team"},
		{"calendar", "add", "url", "--name", "Team", secret},
		{"calendar", "add", "caldav", strings.Replace(srv.URL, "http://", "http://alice:s3cr3t-pw@", 1) + "/dav/", "--user", "alice"},
		{"calendar", "add", "caldav", "https://alice:s3cr3t-pw@dav.example.com/", "--user", "alice"},
	} {
		r := runLull(t, dir, "", args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "stdin") {
			t.Errorf("lull %s: exit %d, stderr %q; want 2 and a pointer to stdin", strings.Join(args, " "), r.code, r.stderr)
		}
		if strings.Contains(r.stderr+r.stdout, "s3cr3t") || strings.Contains(r.stderr+r.stdout, "k3yk3y") {
			t.Errorf("lull %s repeats the secret: %q", strings.Join(args, " "), r.stderr)
		}
	}
	if r := runLull(t, dir, "", "calendar", "list"); !strings.Contains(r.stdout, "No calendars yet") {
		t.Fatalf("a refused add stored a calendar:\n%s", r.stdout)
	}
	// On stdin it is fine (also as "-"), and it never shows afterwards.
	for _, args := range [][]string{{"calendar", "add", "url", "--name", "Team"}, {"calendar", "add", "url", "-", "--name", "Other"}} {
		if r := runLull(t, dir, secret+"\n", args...); r.code != exitOK {
			t.Fatalf("lull %s with the address on stdin: exit %d, %q", strings.Join(args, " "), r.code, r.stderr)
		}
	}
	r := runLull(t, dir, "", "calendar", "list")
	if !strings.Contains(r.stdout, "Team") || strings.Contains(r.stdout, "s3cr3t") {
		t.Fatalf("calendar list:\n%s", r.stdout)
	}
}

// TestCalendarListSaysWhatSyncRead: `lull calendar list` (and --json) say
// per calendar how many events it gave and its problems, and a failing
// subscription's error holds no part of its secret address or of the
// address it was redirected to.
func TestCalendarListSaysWhatSyncRead(t *testing.T) {
	keyring.MockInit()
	closed := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	closedURL := closed.URL
	closed.Close()
	var redirect atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if redirect.Load() {
			http.Redirect(w, r, closedURL+"/signed/t0p-s3cr3t.ics?sig=51gn4ture", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "text/calendar")
		io.WriteString(w, testICS)
	}))
	defer srv.Close()
	dir := t.TempDir()
	broken := filepath.Join(t.TempDir(), "broken.ics")
	os.WriteFile(broken, []byte(strings.Replace(testICS, "DTSTART:20260106T100000Z\r\n", "", 1)), 0o600)
	if r := runLull(t, dir, "", "calendar", "add", "file", broken, "--name", "Broken"); r.code != exitOK {
		t.Fatalf("add file: %d %q", r.code, r.stderr)
	}
	if r := runLull(t, dir, srv.URL+"/private/s3cr3t-token/basic.ics?key=k3yk3y\n", "calendar", "add", "url", "--name", "Team"); r.code != exitOK {
		t.Fatalf("add url: %d %q", r.code, r.stderr)
	}
	if r := runLull(t, dir, "", "calendar", "sync"); r.code != exitOK {
		t.Fatalf("sync: %d %q", r.code, r.stderr)
	}
	r := runLull(t, dir, "", "calendar", "list")
	if !strings.Contains(r.stdout, "no events read, 1 problem (first: line 4: event \"m@test\": no DTSTART)") ||
		!strings.Contains(r.stdout, "1 event · updated") {
		t.Errorf("calendar list after a sync:\n%s", r.stdout)
	}
	redirect.Store(true)
	runLull(t, dir, "", "calendar", "sync")
	r = runLull(t, dir, "", "calendar", "list")
	js := runLull(t, dir, "", "calendar", "list", "--json")
	if !strings.Contains(r.stdout, "error: the server could not be reached") || !strings.Contains(r.stdout, "in use (1 event)") ||
		!strings.Contains(js.stdout, `"summary": "error: the server could not be reached`) || !strings.Contains(js.stdout, `"events": 1`) {
		t.Errorf("calendar list after the subscription failed:\n%s\n%s", r.stdout, js.stdout)
	}
	for _, leak := range []string{"s3cr3t", "k3yk3y", "51gn4ture", "t0p", "/private", "/signed", "sig="} {
		if strings.Contains(r.stdout+js.stdout, leak) {
			t.Errorf("calendar list shows %q:\n%s%s", leak, r.stdout, js.stdout)
		}
	}
}

// TestExportICSFromTheCommandLine: `lull settings set export-ics` takes only
// a full path to a .ics file that is not someone else's, and `lull plan
// --export` never replaces a file Lull did not write.
func TestExportICSFromTheCommandLine(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	mine := filepath.Join(t.TempDir(), "mine.ics")
	os.WriteFile(mine, []byte("private\n"), 0o600)
	for _, tc := range []struct{ value, says string }{
		{"focus.ics", "not a full path"},
		{filepath.Join(t.TempDir(), "focus.txt"), "not a .ics file"},
		{mine, "not a calendar Lull wrote"},
	} {
		r := runLull(t, dir, "", "settings", "set", "export-ics", tc.value)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.says) {
			t.Errorf("settings set export-ics %s: exit %d, %q; want 2 saying %q", tc.value, r.code, r.stderr, tc.says)
		}
	}
	if r := runLull(t, dir, "", "plan", "--export", mine); r.code == exitOK || !strings.Contains(r.stderr, "not a calendar Lull wrote") {
		t.Errorf("plan --export over a foreign file: exit %d, %q", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(mine); string(b) != "private\n" {
		t.Fatalf("the file was replaced: %q", b)
	}
	out := filepath.Join(t.TempDir(), "focus.ics")
	if r := runLull(t, dir, "", "settings", "set", "export-ics", out); r.code != exitOK {
		t.Fatalf("settings set export-ics %s: %d %q", out, r.code, r.stderr)
	}
	if r := runLull(t, dir, "", "plan", "--export", out); r.code != exitOK {
		t.Fatalf("plan --export: %d %q", r.code, r.stderr)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("export: %v", err)
	}
}
