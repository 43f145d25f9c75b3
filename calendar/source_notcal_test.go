package calendar

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// notCalendars are answers a subscription address gives once it stops
// being a calendar, with what the status must say.
var notCalendars = []struct {
	name, contentType, body, says string
}{
	{"HTML sign-in page", "text/html; charset=utf-8",
		"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><form>…</form></body></html>\n", "a web page, not a calendar"},
	{"HTML served as a calendar", "text/calendar",
		"\n  <html><body>Session expired</body></html>", "a web page, not a calendar"},
	{"HTML with no type", "", "<head><title>404</title></head>", "a web page, not a calendar"},
	{"JSON error", "application/json", `{"error":"token expired"}`, "JSON data, not a calendar"},
	{"JSON served as text", "text/plain", `[{"event":"x"}]`, "JSON data, not a calendar"},
	{"XML error", "application/xml", `<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>`, "XML data, not a calendar"},
	{"empty 200", "text/calendar", "", "nothing, not a calendar"},
	{"blank 200", "text/calendar", "\r\n  \n", "nothing, not a calendar"},
	{"plain text", "text/plain", "Service temporarily unavailable\n", "something else, not a calendar"},
}

// TestURLSourceNotACalendarKeepsLastGoodCopy: when the address answers 200
// with something that is not iCalendar, the fetch fails, the last good
// copy stays (in bbolt too) and the status says what came instead.
func TestURLSourceNotACalendarKeepsLastGoodCopy(t *testing.T) {
	for _, tc := range notCalendars {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			contentType, body := "text/calendar", sampleICS
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				if contentType != "" {
					w.Header().Set("Content-Type", contentType)
				}
				io.WriteString(w, body)
			}))
			defer srv.Close()
			env := newSourceEnv(t, SourceOptions{})
			cfg, err := env.st.AddURLSource(context.Background(), srv.URL+"/cal.ics", "Team")
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			contentType, body = tc.contentType, tc.body
			mu.Unlock()
			env.clk.Advance(time.Hour)
			src, _ := env.st.Source(cfg.ID)
			data, err := src.Fetch(context.Background())
			if !errors.Is(err, ErrSourceNotCalendar) || !errors.Is(err, ErrSourceStale) || string(data) != sampleICS {
				t.Fatalf("Fetch = %q, %v; want the last good copy and ErrSourceNotCalendar", data, err)
			}
			st, _ := src.Status()
			want := "error: the address returned " + tc.says
			if line := st.Describe(env.clk.Now(), time.UTC); !strings.HasPrefix(line, want) || !strings.HasSuffix(line, "last good copy from 08:00 in use") {
				t.Errorf("status = %q, want it to start %q and name the copy in use", line, want)
			}
			cached, _, _, _ := env.st.cached(cfg.ID)
			if string(cached) != sampleICS {
				t.Errorf("the cached copy was replaced by %q", cached)
			}
			// A new subscription to such an address is refused outright.
			if _, err := env.st.AddURLSource(context.Background(), srv.URL+"/cal.ics", "New"); !errors.Is(err, ErrSourceNotCalendar) {
				t.Errorf("AddURLSource = %v, want ErrSourceNotCalendar", err)
			}
		})
	}
}

// TestCalendarServedAsHTMLIsACalendar: the content decides, not the
// declared type; a byte-order mark and blank lines before BEGIN:VCALENDAR
// are fine.
func TestCalendarServedAsHTMLIsACalendar(t *testing.T) {
	bare := sampleICS[strings.Index(sampleICS, "BEGIN:VEVENT"):strings.Index(sampleICS, "END:VCALENDAR")]
	for _, body := range []string{sampleICS, "\uFEFF" + sampleICS, "\r\n\r\n" + sampleICS, strings.ToLower(sampleICS[:15]) + sampleICS[15:], bare} {
		if err := checkICalendar([]byte(body), "text/html", fromAddress); err != nil {
			t.Errorf("checkICalendar(%q…) = %v", body[:20], err)
		}
	}
	// A CalDAV object is a whole VCALENDAR or nothing.
	if err := checkICalendar([]byte(bare), "", fromServer); !errors.Is(err, ErrSourceNotCalendar) {
		t.Errorf("a bare VEVENT as a CalDAV object: %v", err)
	}
}

// TestFileSourceNotACalendarKeepsLastGoodCopy: a file calendar overwritten
// with a saved web page keeps its last good copy too.
func TestFileSourceNotACalendarKeepsLastGoodCopy(t *testing.T) {
	env := newSourceEnv(t, SourceOptions{})
	path := filepath.Join(t.TempDir(), "team.ics")
	if err := os.WriteFile(path, []byte(sampleICS), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := env.st.AddFileSource(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(notCalendars[0].body), 0o600); err != nil {
		t.Fatal(err)
	}
	src, _ := env.st.Source(cfg.ID)
	data, err := src.Fetch(context.Background())
	if !errors.Is(err, ErrSourceNotCalendar) || !errors.Is(err, ErrSourceStale) || string(data) != sampleICS {
		t.Fatalf("Fetch = %q, %v", data, err)
	}
	st, _ := src.Status()
	if line := st.Describe(testNow, time.UTC); !strings.Contains(line, "team.ics holds a web page, not a calendar") {
		t.Errorf("status = %q", line)
	}
	// Adding a saved web page as a calendar is refused, as a bad source.
	if _, err := env.st.AddFileSource(path, "again"); !errors.Is(err, ErrSourceNotCalendar) || !errors.Is(err, ErrBadSource) {
		t.Errorf("AddFileSource = %v", err)
	}
}

// TestCalDAVObjectNotACalendarKeepsLastGoodCopy: a CalDAV server that
// returns a web page as one object's calendar data fails the fetch; the
// last good copy (with every meeting) stays.
func TestCalDAVObjectNotACalendarKeepsLastGoodCopy(t *testing.T) {
	env := newSourceEnv(t, SourceOptions{})
	dav := newFakeDAV(t)
	dav.put("/alice/work/a.ics", foreignEvent("a@x", ""))
	dav.put("/alice/work/b.ics", foreignEvent("b@x", ""))
	cfg := addFakeCalDAV(t, env, dav)
	dav.put("/alice/work/b.ics", notCalendars[0].body)
	src, _ := env.st.Source(cfg.ID)
	data, err := src.Fetch(context.Background())
	if !errors.Is(err, ErrSourceNotCalendar) || !errors.Is(err, ErrSourceStale) ||
		!bytes.Contains(data, []byte("UID:a@x")) || !bytes.Contains(data, []byte("UID:b@x")) {
		t.Fatalf("Fetch = %q, %v", data, err)
	}
	st, _ := src.Status()
	if line := st.Describe(testNow, time.UTC); !strings.Contains(line, "the server returned a web page, not a calendar") {
		t.Errorf("status = %q", line)
	}
}
