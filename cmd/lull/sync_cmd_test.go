package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/lullapp/lull/internal/radicaletest"
)

// mkNamedCalendar makes a calendar named name at path on s.
func mkNamedCalendar(t *testing.T, s *radicaletest.Server, path, name string) {
	t.Helper()
	body := `<?xml version="1.0" encoding="utf-8"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>` +
		`<D:displayname>` + name + `</D:displayname></D:prop></D:set></C:mkcalendar>`
	if code, _, out := s.Do(t, "MKCALENDAR", path, body, "Content-Type", "application/xml"); code != 201 {
		t.Fatalf("MKCALENDAR %s: %d %s", path, code, out)
	}
}

// get is the object at path on s.
func get(t *testing.T, s *radicaletest.Server, path string) string {
	t.Helper()
	_, _, body := s.Do(t, "GET", path, "")
	return body
}

// TestSyncLogCalendarCommand: `lull sync log-calendar` lists the synced
// account's calendars with the current one marked, picks one by name (any
// case), refuses an unknown name by listing the valid ones, goes back to
// Lull's own with --new, and `lull sync status` names the picked calendar;
// the pick is on the server for the other devices, and the picked
// calendar's own events stay as they were.
func TestSyncLogCalendarCommand(t *testing.T) {
	keyring.MockInit()
	s := radicaletest.Start(t)
	s.MkCalendar(t, "/alice/work/")
	mkNamedCalendar(t, s, "/alice/focus/", "Focus")
	foreign := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\nUID:deep@x\r\nDTSTAMP:20261130T080000Z\r\n" +
		"DTSTART:20261130T100000Z\r\nDTEND:20261130T110000Z\r\nSUMMARY:Deep work\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	s.Put(t, "/alice/focus/deep.ics", foreign)
	foreignBefore := get(t, s, "/alice/focus/deep.ics")
	dir := t.TempDir()
	if r := runLull(t, dir, "", "sync", "log-calendar"); r.code != exitUsage || !strings.Contains(r.stderr, "sync is off") {
		t.Errorf("log-calendar while sync is off: exit %d %q", r.code, r.stderr)
	}
	if r := runLull(t, dir, radicaletest.Password+"\n", "calendar", "add", "caldav", s.Base+"/alice/work/", "--user", "alice", "--sync", "--name", "Work"); r.code != 0 {
		t.Fatalf("add: %d %s%s", r.code, r.stdout, r.stderr)
	}
	if r := runLull(t, dir, "", "sync"); r.code != 0 || !strings.Contains(r.stdout, "focus log: Lull focus log") {
		t.Fatalf("first sync: %d %s%s", r.code, r.stdout, r.stderr)
	}

	list := func() string {
		t.Helper()
		r := runLull(t, dir, "", "sync", "log-calendar")
		if r.code != 0 {
			t.Fatalf("list: %d %s%s", r.code, r.stdout, r.stderr)
		}
		checkWords(t, r.stdout)
		return r.stdout
	}
	if out := list(); !strings.Contains(out, "* Lull focus log") || !strings.Contains(out, "  Focus") || !strings.Contains(out, "  alice/work") ||
		!strings.Contains(out, "lull sync log-calendar NAME") {
		t.Errorf("list before the pick:\n%s", out)
	}
	r := runLull(t, dir, "", "sync", "log-calendar", "Focsu")
	if r.code != exitUsage || !strings.Contains(r.stderr, `"Focus"`) || !strings.Contains(r.stderr, `"Lull focus log"`) {
		t.Errorf("unknown name: exit %d %q", r.code, r.stderr)
	}
	checkWords(t, r.stderr)
	if r := runLull(t, dir, "", "sync", "log-calendar", "--new", "Focus"); r.code != exitUsage {
		t.Errorf("a name and --new: exit %d %q", r.code, r.stderr)
	}

	r = runLull(t, dir, "", "sync", "log-calendar", "focus")
	if r.code != 0 || !strings.Contains(r.stdout, `now goes to "Focus"`) || !strings.Contains(r.stdout, "within 10 minutes") {
		t.Fatalf("pick: %d %s%s", r.code, r.stdout, r.stderr)
	}
	checkWords(t, r.stdout)
	if ptr := get(t, s, "/alice/work/lull-focus-log.ics"); !strings.Contains(ptr, "X-LULL-LOG-CALENDAR:/alice/focus/") {
		t.Errorf("pointer on the server:\n%s", ptr)
	}
	if out := list(); !strings.Contains(out, "* Focus") || !strings.Contains(out, "  Lull focus log") {
		t.Errorf("list after the pick:\n%s", out)
	}
	if r := runLull(t, dir, "", "sync"); r.code != 0 || !strings.Contains(r.stdout, "focus log: Focus)") {
		t.Errorf("sync after the pick: %d %s%s", r.code, r.stdout, r.stderr)
	}
	if r := runLull(t, dir, "", "sync", "status", "--json"); !strings.Contains(r.stdout, `"log_calendar": "Focus"`) {
		t.Errorf("status --json after the pick: %s", r.stdout)
	}
	if after := get(t, s, "/alice/focus/deep.ics"); after != foreignBefore {
		t.Errorf("the foreign event changed:\n%s", after)
	}

	r = runLull(t, dir, "", "sync", "log-calendar", "--new", "--json")
	var got struct {
		Name    string `json:"name"`
		Path    string `json:"path"`
		Current bool   `json:"current"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &got) != nil || got.Name != "Lull focus log" || got.Path != "/alice/lull-focus-log/" || !got.Current {
		t.Errorf("--new: %d %s%s", r.code, r.stdout, r.stderr)
	}
	if ptr := get(t, s, "/alice/work/lull-focus-log.ics"); !strings.Contains(ptr, "X-LULL-LOG-CALENDAR:/alice/lull-focus-log/") {
		t.Errorf("pointer after --new:\n%s", ptr)
	}
	if out := list(); !strings.Contains(out, "* Lull focus log") {
		t.Errorf("list after --new:\n%s", out)
	}
}
