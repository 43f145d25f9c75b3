package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// davServer is a real Radicale on 127.0.0.1 for one test, user alice.
type davServer struct{ base string }

// startDAV runs Radicale; it skips when Radicale is not installed.
func startDAV(t *testing.T) *davServer {
	t.Helper()
	if _, err := exec.LookPath("radicale"); err != nil {
		t.Skip("radicale is not installed (apt-get install radicale)")
	}
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	users := filepath.Join(dir, "users")
	os.WriteFile(users, []byte("alice:pw\n"), 0o600)
	cfg := filepath.Join(dir, "config")
	os.WriteFile(cfg, []byte(fmt.Sprintf("[server]\nhosts = 127.0.0.1:%d\n[auth]\ntype = htpasswd\nhtpasswd_filename = %s\nhtpasswd_encryption = plain\n"+
		"[storage]\nfilesystem_folder = %s\n[rights]\ntype = owner_only\n[logging]\nlevel = warning\n", port, users, filepath.Join(dir, "collections"))), 0o600)
	cmd := exec.Command("radicale", "--config", cfg)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	s := &davServer{base: fmt.Sprintf("http://127.0.0.1:%d", port)}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(s.base + "/")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("radicale did not answer: %v", err)
		}
	}
	return s
}

// do sends one request as alice.
func (s *davServer) do(t *testing.T, method, path, body, ctype string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("alice", "pw")
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// mkcal makes a calendar at path, named name when name is not "".
func (s *davServer) mkcal(t *testing.T, path, name string) {
	t.Helper()
	body := ""
	if name != "" {
		body = `<?xml version="1.0" encoding="utf-8"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>` +
			`<D:displayname>` + name + `</D:displayname></D:prop></D:set></C:mkcalendar>`
	}
	if code, out := s.do(t, "MKCALENDAR", path, body, "application/xml"); code != 201 {
		t.Fatalf("MKCALENDAR %s: %d %s", path, code, out)
	}
}

// TestSyncLogCalendarCommand: `lull sync log-calendar` lists the synced
// account's calendars with the current one marked, picks one by name (any
// case), refuses an unknown name by listing the valid ones, goes back to
// Lull's own with --new, and `lull sync status` names the picked calendar;
// the pick is on the server for the other devices, and the picked
// calendar's own events stay as they were.
func TestSyncLogCalendarCommand(t *testing.T) {
	keyring.MockInit()
	s := startDAV(t)
	s.mkcal(t, "/alice/work/", "")
	s.mkcal(t, "/alice/focus/", "Focus")
	foreign := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\nUID:deep@x\r\nDTSTAMP:20261130T080000Z\r\n" +
		"DTSTART:20261130T100000Z\r\nDTEND:20261130T110000Z\r\nSUMMARY:Deep work\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	if code, _ := s.do(t, "PUT", "/alice/focus/deep.ics", foreign, "text/calendar"); code/100 != 2 {
		t.Fatalf("foreign: %d", code)
	}
	_, foreignBefore := s.do(t, "GET", "/alice/focus/deep.ics", "", "")
	dir := t.TempDir()
	if r := runLull(t, dir, "", "sync", "log-calendar"); r.code != exitUsage || !strings.Contains(r.stderr, "sync is off") {
		t.Errorf("log-calendar while sync is off: exit %d %q", r.code, r.stderr)
	}
	if r := runLull(t, dir, "pw\n", "calendar", "add", "caldav", s.base+"/alice/work/", "--user", "alice", "--sync", "--name", "Work"); r.code != 0 {
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
	if _, ptr := s.do(t, "GET", "/alice/work/lull-focus-log.ics", "", ""); !strings.Contains(ptr, "X-LULL-LOG-CALENDAR:/alice/focus/") {
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
	if _, after := s.do(t, "GET", "/alice/focus/deep.ics", "", ""); after != foreignBefore {
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
	if _, ptr := s.do(t, "GET", "/alice/work/lull-focus-log.ics", "", ""); !strings.Contains(ptr, "X-LULL-LOG-CALENDAR:/alice/lull-focus-log/") {
		t.Errorf("pointer after --new:\n%s", ptr)
	}
	if out := list(); !strings.Contains(out, "* Lull focus log") {
		t.Errorf("list after --new:\n%s", out)
	}
}
