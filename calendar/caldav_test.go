package calendar

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// foreignEvent is an event some other app wrote.
func foreignEvent(uid, extra string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other//EN\r\n" +
		"BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n" +
		"BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20261123T100000\r\n" +
		"DTEND;TZID=Europe/Berlin:20261123T110000\r\nSUMMARY:Meeting " + uid + "\r\n" + extra + "END:VEVENT\r\nEND:VCALENDAR\r\n"
}

func addFakeCalDAV(t *testing.T, env *sourceEnv, dav *fakeDAV) SourceConfig {
	t.Helper()
	cfg, err := env.st.AddCalDAVSource(context.Background(), dav.srv.URL+"/", "alice", "secret", "")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestCalDAVDiscoveryAndFetch(t *testing.T) {
	env := newSourceEnv(t, SourceOptions{})
	dav := newFakeDAV(t)
	dav.put("/alice/work/a.ics", foreignEvent("a@x", ""))
	dav.put("/alice/work/b.ics", foreignEvent("b@x", "RRULE:FREQ=DAILY;COUNT=3\r\n"))
	// A Lull block already on the server: read back, it must not count as busy.
	dav.put("/alice/work/lull-block-1.ics", string(blockObjectICS(Block{ID: "1", Start: testNow, End: testNow.Add(time.Hour)}, testNow)))

	cfg := addFakeCalDAV(t, env, dav)
	if cfg.Kind != SourceCalDAV || cfg.CalendarPath != "/alice/work/" || cfg.Name != "Work" || cfg.User != "alice" {
		t.Fatalf("config = %+v", cfg)
	}
	if v, err := (Keyring{}).Get(secretPasswordKey(cfg.ID)); err != nil || v != "secret" {
		t.Fatalf("password in keyring = %q, %v", v, err)
	}
	src, _ := env.st.Source(cfg.ID)
	data, err := src.Fetch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	if strings.Count(s, "BEGIN:VCALENDAR") != 1 || strings.Count(s, "BEGIN:VTIMEZONE") != 1 ||
		!strings.Contains(s, "UID:a@x") || !strings.Contains(s, "RRULE:FREQ=DAILY;COUNT=3") || strings.Contains(s, "lull-block-") {
		t.Fatalf("merged calendar:\n%s", s)
	}
	// Each foreign VEVENT is carried byte for byte.
	for _, uid := range []string{"a@x", "b@x"} {
		o, _ := dav.get("/alice/work/" + strings.TrimSuffix(uid, "@x") + ".ics")
		ev := o.body[strings.Index(o.body, "BEGIN:VEVENT"):strings.Index(o.body, "END:VCALENDAR")]
		if !strings.Contains(s, ev) {
			t.Errorf("event %s changed in the merged calendar", uid)
		}
	}
	// The REPORT asked for a time range around the clock's now.
	var sawReport bool
	for _, r := range dav.recorded() {
		if r.Method == "REPORT" {
			sawReport = true
		}
	}
	if !sawReport {
		t.Fatal("no calendar-query REPORT sent")
	}
	// Nothing about the account in bbolt but the user and paths.
	env.db.Close()
	raw, _ := os.ReadFile(env.db.Path())
	if strings.Contains(string(raw), "secret") {
		t.Fatal("the CalDAV password is in the bbolt file")
	}
}

func TestCalDAVErrors(t *testing.T) {
	dav := newFakeDAV(t)
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer tlsSrv.Close()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	downURL := down.URL
	down.Close()
	tests := []struct {
		name, url, user, pw, cal string
		want                     error
		says                     string
	}{
		{"wrong password", dav.srv.URL + "/", "alice", "wrong", "", ErrSourceAuth, "rejected the user name or password"},
		{"unknown calendar", dav.srv.URL + "/", "alice", "secret", "holidays", ErrNoCalendar, `"Work" /alice/work/`},
		{"404", dav.srv.URL + "/nobody/here/", "alice", "secret", "", ErrSourceNotFound, "no calendar at this address"},
		{"tls", tlsSrv.URL + "/", "alice", "secret", "", ErrSourceTLS, "certificate"},
		{"down", downURL + "/", "alice", "secret", "", ErrSourceUnreachable, "could not be reached"},
		{"not http", "ftp://example.com/", "alice", "secret", "", ErrBadSource, "http or https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newSourceEnv(t, SourceOptions{Timeout: 2 * time.Second})
			_, err := env.st.AddCalDAVSource(context.Background(), tt.url, tt.user, tt.pw, tt.cal)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("err = %v, want %v saying %q", err, tt.want, tt.says)
			}
			if strings.Contains(err.Error(), tt.pw) && tt.pw != "secret" {
				t.Fatalf("error contains the password: %v", err)
			}
			if list, _ := env.st.ListSources(); len(list) != 0 {
				t.Fatal("a failed add stored a source")
			}
			if _, kerr := (Keyring{}).Get(secretPasswordKey("work")); !errors.Is(kerr, ErrSecretNotFound) {
				t.Fatal("a failed add stored a password")
			}
		})
	}
}

func TestCalDAVPasswordInURLMovesToKeyring(t *testing.T) {
	env := newSourceEnv(t, SourceOptions{})
	dav := newFakeDAV(t)
	u := strings.Replace(dav.srv.URL, "http://", "http://alice:secret@", 1) + "/alice/work/"
	cfg, err := env.st.AddCalDAVSource(context.Background(), u, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(cfg.ServerURL, "secret") || cfg.User != "alice" {
		t.Fatalf("config = %+v", cfg)
	}
}

func TestCalDAVStaleWhenServerFails(t *testing.T) {
	env := newSourceEnv(t, SourceOptions{})
	dav := newFakeDAV(t)
	dav.put("/alice/work/a.ics", foreignEvent("a@x", ""))
	cfg := addFakeCalDAV(t, env, dav)
	src, _ := env.st.Source(cfg.ID)
	// The password was changed on the server: a clear message, old data kept.
	(Keyring{}).Set(secretPasswordKey(cfg.ID), "old")
	data, err := src.Fetch(context.Background())
	if !errors.Is(err, ErrSourceAuth) || !errors.Is(err, ErrSourceStale) || !strings.Contains(string(data), "UID:a@x") {
		t.Fatalf("Fetch = %d bytes, %v", len(data), err)
	}
	dav.srv.Close()
	(Keyring{}).Set(secretPasswordKey(cfg.ID), "secret")
	data, err = src.Fetch(context.Background())
	if !errors.Is(err, ErrSourceUnreachable) || !strings.Contains(string(data), "UID:a@x") {
		t.Fatalf("Fetch = %d bytes, %v", len(data), err)
	}
	if st, _ := src.Status(); !st.Stale() || !strings.HasPrefix(st.Describe(testNow, time.UTC), "error: the server could not be reached") {
		t.Fatalf("status = %s", st.Describe(testNow, time.UTC))
	}
}

func TestChooseCalendar(t *testing.T) {
	cals := []CalDAVCalendar{
		{Path: "/u/home/", Name: "Home", Components: []string{"VEVENT"}},
		{Path: "/u/tasks/", Name: "Tasks", Components: []string{"VTODO"}},
		{Path: "/u/work/", Name: "Work", Components: []string{"VEVENT", "VTODO"}},
	}
	tests := []struct {
		addr, want, got string
		err             error
	}{
		{"/u/work/", "", "/u/work/", nil},
		{"/u/work", "", "/u/work/", nil},
		{"/u/", "work", "/u/work/", nil},
		{"/u/", "HOME", "/u/home/", nil},
		{"/u/", "/u/home/", "/u/home/", nil},
		{"/u/", "", "", ErrNoCalendar}, // two event calendars: ask
		{"/u/", "nope", "", ErrNoCalendar},
	}
	for _, tt := range tests {
		c, err := chooseCalendar(cals, tt.addr, tt.want)
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("(%q,%q): err = %v", tt.addr, tt.want, err)
			}
			continue
		}
		if err != nil || c.Path != tt.got {
			t.Errorf("(%q,%q) = %q, %v; want %q", tt.addr, tt.want, c.Path, err, tt.got)
		}
	}
	if c, err := chooseCalendar(cals[1:2], "/u/", ""); err == nil {
		t.Errorf("a tasks-only account chose %q", c.Path)
	}
}
