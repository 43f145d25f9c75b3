package service

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/human"
	"github.com/lullapp/lull/internal/localapi"
)

// apiClient is the typed client of svc's local API.
func apiClient(t *testing.T, svc *Service) *api.Client {
	t.Helper()
	return api.NewClient(rawClient(t, svc))
}

// rawClient is the transport's client of svc's local API, for requests
// the typed client cannot make (unknown fields, unknown routes).
func rawClient(t *testing.T, svc *Service) *localapi.Client {
	t.Helper()
	disc, err := localapi.ReadDiscovery(svc.Dir)
	if err != nil {
		t.Fatal(err)
	}
	return localapi.NewClient(disc.Port, disc.Token)
}

// writeFile writes a calendar file for a test and returns its path.
func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const (
	calHead  = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
	calTail  = "END:VCALENDAR\r\n"
	goodEv   = "BEGIN:VEVENT\r\nUID:good@test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260106T100000Z\r\nDTEND:20260106T110000Z\r\nSUMMARY:Meeting\r\nEND:VEVENT\r\n"
	noStart  = "BEGIN:VEVENT\r\nUID:nostart@test\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Broken\r\nEND:VEVENT\r\n"
	noStart2 = "BEGIN:VEVENT\r\nUID:nostart2@test\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Broken too\r\nEND:VEVENT\r\n"
)

// TestCalendarListSaysEventsAndProblems: after a sync every source says in
// words how many events it gave and what went wrong — in GET
// /v1/calendars and in the stored status — so "no events" and "only
// problems" are never a plain "ok", and a source whose file turned into a
// web page says so while its last good copy stays in use.
func TestCalendarListSaysEventsAndProblems(t *testing.T) {
	clk := clock.NewFake(monday)
	svc, _ := startService(t, clk, true)
	dir := t.TempDir()
	week, _ := filepath.Abs("testdata/week.ics")
	files := map[string]string{
		"Work":          week,
		"Some broken":   writeFile(t, dir, "broken.ics", calHead+goodEv+noStart+calTail),
		"Empty":         writeFile(t, dir, "empty.ics", calHead+calTail),
		"Only problems": writeFile(t, dir, "problems.ics", calHead+noStart+noStart2+calTail),
		"Turns HTML":    writeFile(t, dir, "html.ics", calHead+goodEv+calTail),
	}
	for name, path := range files {
		if _, err := svc.Data.AddSource(context.Background(), AddSource{Kind: calendar.SourceFile, Path: path, Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	// Not read yet: never an "ok".
	cl := apiClient(t, svc)
	list, err := cl.Calendars(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		if s.Summary != "not counted yet · updated 07:00" {
			t.Errorf("%s before any sync: %q", s.Config.Name, s.Summary)
		}
	}
	if _, _, err := svc.SyncNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	clk.Advance(90 * time.Minute)
	writeFile(t, dir, "html.ics", "<!DOCTYPE html><html><body>Please sign in</body></html>")
	rep, _, err := svc.SyncNow(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if list, err = cl.Calendars(t.Context()); err != nil {
		t.Fatal(err)
	}
	got := map[string]calendar.SourceInfo{}
	for _, s := range list {
		got[s.Config.Name] = s
	}
	for _, tc := range []struct {
		name, summary string
		events        int
		problems      int
		stale         bool
	}{
		{"Work", "2 events · updated 08:30", 2, 0, false},
		{"Some broken", `1 event, 1 problem (first: line 11: event "nostart@test": no DTSTART) · updated 08:30`, 1, 1, false},
		{"Empty", "no events read · updated 08:30", 0, 0, false},
		{"Only problems", `no events read, 2 problems (first: line 4: event "nostart@test": no DTSTART) · updated 08:30`, 0, 2, false},
		{"Turns HTML", "error: the file " + files["Turns HTML"] + " holds a web page, not a calendar — last good copy from 07:00 in use (1 event)", 1, 0, true},
	} {
		s, ok := got[tc.name]
		if !ok {
			t.Fatalf("%s missing from the list", tc.name)
		}
		if s.Summary != tc.summary {
			t.Errorf("%s:\n got  %q\n want %q", tc.name, s.Summary, tc.summary)
		}
		if s.Status.Events != tc.events || s.Status.ProblemCount != tc.problems || s.Status.Stale() != tc.stale {
			t.Errorf("%s: status %+v, want %d events, %d problems, stale %v", tc.name, s.Status, tc.events, tc.problems, tc.stale)
		}
		if s.Status.NeedsAttention() != (tc.name != "Work") {
			t.Errorf("%s: NeedsAttention = %v", tc.name, s.Status.NeedsAttention())
		}
	}
	for _, sr := range rep.Sources {
		if sr.Events != got[sr.Name].Status.Events {
			t.Errorf("sync report says %d events for %s, the list %d", sr.Events, sr.Name, got[sr.Name].Status.Events)
		}
	}
	// The kept copy still counts: its meeting is busy time.
	snap, _ := svc.Busy()
	meeting := time.Date(2026, 1, 6, 10, 30, 0, 0, time.UTC)
	covered := false
	for _, iv := range snap.Busy {
		covered = covered || (!iv.Start.After(meeting) && iv.End.After(meeting))
	}
	if !covered {
		t.Error("the meeting of the last good copy is no longer busy time")
	}
}

// TestExportICSSettingRules: the export_ics setting takes only full paths
// to .ics files and never a file Lull did not write; the file is written
// 0600; when the file is replaced by something else after it was set,
// publishing refuses to overwrite it.
func TestExportICSSettingRules(t *testing.T) {
	clk := clock.NewFake(monday)
	svc, _ := startService(t, clk, true)
	cl := apiClient(t, svc)
	dir := t.TempDir()
	mine := writeFile(t, dir, "mine.ics", "my own notes, not a calendar\n")
	os.Chmod(mine, 0o600)
	put := func(path string) error {
		st := svc.Settings()
		st.ExportICS = path
		_, err := cl.SaveSettings(t.Context(), st)
		return err
	}
	for _, tc := range []struct{ path, says string }{
		{"focus.ics", "not a full path: give the whole path of a .ics file, e.g. "},
		{filepath.Join(dir, "focus.txt"), "not a .ics file"},
		{mine, "already exists and is not a calendar Lull wrote"},
		{dir, "not a .ics file"},
	} {
		err := put(tc.path)
		var ae *api.Error
		var fe *human.FieldError
		if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest || !strings.Contains(ae.Message, tc.says) ||
			!errors.As(err, &fe) || fe.Key != "export-ics" || !errors.Is(err, ErrBadSettings) {
			t.Errorf("export_ics %q: %v, want 400 saying %q about export-ics", tc.path, err, tc.says)
		}
	}
	if svc.Settings().ExportICS != "" {
		t.Fatalf("a refused export file was stored: %q", svc.Settings().ExportICS)
	}
	if b, _ := os.ReadFile(mine); string(b) != "my own notes, not a calendar\n" {
		t.Fatalf("the unrelated file changed: %q", b)
	}
	if fi, _ := os.Stat(mine); fi.Mode().Perm() != 0o600 {
		t.Fatalf("the unrelated file's mode changed to %v", fi.Mode().Perm())
	}

	out := filepath.Join(dir, "focus.ics")
	if err := put(out); err != nil {
		t.Fatal(err)
	}
	ics, _ := filepath.Abs("testdata/week.ics")
	if _, err := svc.Data.AddSource(context.Background(), AddSource{Kind: calendar.SourceFile, Path: ics}); err != nil {
		t.Fatal(err)
	}
	plan, err := svc.Replan(context.Background(), false)
	if err != nil || len(plan.Blocks) < 2 {
		t.Fatalf("plan: %+v %v", plan, err)
	}
	if _, err := svc.Accept(context.Background(), plan.Blocks[0].ID); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(out)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("export: %v, mode %v, want 0600", err, fi.Mode().Perm())
	}
	// The user puts something else there: Lull leaves it alone and says so.
	problems := make(chan error, 10)
	svc.Subscribe(func(e Event) {
		if e.Kind == Problem {
			problems <- e.Err
		}
	})
	writeFile(t, dir, "focus.ics", "BEGIN:VCALENDAR\r\nPRODID:-//Someone//EN\r\nEND:VCALENDAR\r\n")
	if _, err := svc.Accept(context.Background(), plan.Blocks[1].ID); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-problems:
		if !errors.Is(err, calendar.ErrBadExportPath) || !strings.Contains(err.Error(), "not a calendar Lull wrote") {
			t.Errorf("problem = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("no problem reported for the refused export")
	}
	if b, _ := os.ReadFile(out); !strings.Contains(string(b), "Someone") {
		t.Errorf("the user's file was replaced:\n%s", b)
	}
}

// slowCalendarServer serves one calendar both as a subscription (GET) and
// as a small CalDAV account (alice, calendar /alice/work/). Once slow is
// set, every answer stalls until release is closed; the CalDAV calendar
// query then streams an endless 207 multistatus, a little white space at a
// time. entered receives a value when a stalled answer began.
type slowCalendarServer struct {
	srv     *httptest.Server
	slow    atomic.Bool
	release chan struct{}
	entered chan struct{}
}

func newSlowCalendarServer(t *testing.T) *slowCalendarServer {
	f := &slowCalendarServer{release: make(chan struct{}), entered: make(chan struct{}, 1)}
	ms := func(body string) string {
		return `<?xml version="1.0"?><D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">` + body + `</D:multistatus>`
	}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case "PROPFIND":
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusMultiStatus)
			if r.Header.Get("Depth") == "0" {
				io.WriteString(w, ms(`<D:response><D:href>`+r.URL.Path+`</D:href><D:propstat><D:prop>`+
					`<D:current-user-principal><D:href>/alice/</D:href></D:current-user-principal>`+
					`<C:calendar-home-set><D:href>/alice/</D:href></C:calendar-home-set>`+
					`</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`))
				return
			}
			io.WriteString(w, ms(`<D:response><D:href>/alice/work/</D:href><D:propstat><D:prop>`+
				`<D:resourcetype><D:collection/><C:calendar/></D:resourcetype><D:displayname>Work</D:displayname>`+
				`</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`))
			return
		case "REPORT":
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusMultiStatus)
			io.WriteString(w, `<?xml version="1.0"?><D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">`)
			if f.stall(w, r) {
				return
			}
			io.WriteString(w, `<D:response><D:href>/alice/work/a.ics</D:href><D:propstat><D:prop><C:calendar-data>`+
				calHead+goodEv+calTail+`</C:calendar-data></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>`)
			return
		}
		if f.stall(w, r) {
			return
		}
		w.Header().Set("Content-Type", "text/calendar")
		io.WriteString(w, calHead+goodEv+calTail)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// stall drips white space until release (false) or until the client gives
// up (true); it returns false at once while the server is not slow.
func (f *slowCalendarServer) stall(w http.ResponseWriter, r *http.Request) bool {
	if !f.slow.Load() {
		return false
	}
	select {
	case f.entered <- struct{}{}:
	default:
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-f.release:
			return false
		case <-r.Context().Done():
			return true
		case <-tick.C:
			io.WriteString(w, " ")
			w.(http.Flusher).Flush()
		}
	}
}

// TestSlowSyncNeverBlocksTheAPI: while a sync waits on a slow calendar
// server (a subscription that does not answer, a CalDAV server streaming
// an endless 207), the API still answers status, calendars, settings and
// plan requests (re-planning included) at once.
func TestSlowSyncNeverBlocksTheAPI(t *testing.T) {
	for _, kind := range []calendar.SourceKind{calendar.SourceURL, calendar.SourceCalDAV} {
		t.Run(string(kind), func(t *testing.T) {
			f := newSlowCalendarServer(t)
			clk := clock.NewFake(monday)
			svc, _ := startServiceWith(t, clk, true, calendar.SourceOptions{Timeout: time.Minute, OperationTimeout: time.Minute})
			req := AddSource{Kind: kind, URL: f.srv.URL + "/team.ics"}
			if kind == calendar.SourceCalDAV {
				req = AddSource{Kind: kind, URL: f.srv.URL + "/", User: "alice", Password: "pw"}
			}
			if _, err := svc.Data.AddSource(context.Background(), req); err != nil {
				t.Fatal(err)
			}
			f.slow.Store(true)
			syncDone := make(chan error, 1)
			go func() {
				_, _, err := svc.SyncNow(context.Background())
				syncDone <- err
			}()
			select {
			case <-f.entered:
			case <-time.After(10 * time.Second):
				t.Fatal("the sync never reached the server")
			}
			cl := apiClient(t, svc)
			for _, req := range []struct {
				name string
				call func(context.Context) error
			}{
				{"status", func(ctx context.Context) error { _, err := cl.Status(ctx); return err }},
				{"calendars", func(ctx context.Context) error { _, err := cl.Calendars(ctx); return err }},
				{"plan", func(ctx context.Context) error { _, err := cl.Plan(ctx); return err }},
				{"replan dry run", func(ctx context.Context) error { _, err := cl.Replan(ctx, api.PlanRequest{DryRun: true}); return err }},
				{"replan", func(ctx context.Context) error { _, err := cl.Replan(ctx, api.PlanRequest{}); return err }},
				{"settings", func(ctx context.Context) error { _, err := cl.Settings(ctx); return err }},
			} {
				answered := make(chan error, 1)
				go func() { answered <- req.call(t.Context()) }()
				select {
				case err := <-answered:
					if err != nil {
						t.Errorf("%s during a slow sync: %v", req.name, err)
					}
				case <-time.After(10 * time.Second): // generous: a loaded machine still answers in milliseconds
					t.Errorf("%s waited for the slow sync", req.name)
				}
			}
			close(f.release)
			select {
			case err := <-syncDone:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("the sync did not finish")
			}
		})
	}
}

// TestAPINeverShowsSecretURL: a subscription that redirects to a signed
// address on an unreachable host fails; neither GET /v1/calendars, nor the
// error of adding it again, nor the database holds any part of the secret
// address or of the signed one.
func TestAPINeverShowsSecretURL(t *testing.T) {
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
		io.WriteString(w, calHead+goodEv+calTail)
	}))
	defer srv.Close()
	secret := srv.URL + "/private/s3cr3t-token/basic.ics?key=k3yk3y"
	clk := clock.NewFake(monday)
	svc, _ := startService(t, clk, true)
	cl := apiClient(t, svc)
	if _, err := cl.AddCalendar(t.Context(), AddSource{Kind: calendar.SourceURL, URL: secret, Name: "Team"}); err != nil {
		t.Fatal(err)
	}
	redirect.Store(true)
	if _, _, err := svc.SyncNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	var raw []byte
	if err := rawClient(t, svc).Do(t.Context(), "GET", api.Lookup(api.RouteCalendars).URL(nil), nil, nil, &raw); err != nil {
		t.Fatal(err)
	}
	_, addErr := cl.AddCalendar(t.Context(), AddSource{Kind: calendar.SourceURL, URL: secret, Name: "Again"})
	var se *api.Error
	if !errors.As(addErr, &se) || se.Status != http.StatusBadGateway || !errors.Is(addErr, calendar.ErrSourceUnreachable) {
		t.Fatalf("adding the failing subscription: %v, want 502, unreachable", addErr)
	}
	svc.Close()
	db, _ := os.ReadFile(filepath.Join(svc.Dir, "lull.db"))
	if !strings.Contains(string(raw), "could not be reached") {
		t.Fatalf("the list does not show the failure (the test would prove nothing): %s", raw)
	}
	for _, where := range []struct{ name, text string }{
		{"GET /v1/calendars", string(raw)}, {"add error", se.Message}, {"lull.db", string(db)},
	} {
		for _, leak := range []string{"s3cr3t", "k3yk3y", "51gn4ture", "t0p", "/private", "/signed", "sig="} {
			if strings.Contains(where.text, leak) {
				t.Errorf("%s contains %q", where.name, leak)
			}
		}
	}
}

// TestUpstreamNonsenseIs502: a calendar server that answers with broken
// XML or a web page is a bad gateway (502), not a fault of Lull's (500).
func TestUpstreamNonsenseIs502(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case "PROPFIND", "REPORT":
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusMultiStatus)
			io.WriteString(w, `<?xml version="1.0"?><D:multistatus xmlns:D="DAV:"><D:response><D:href>/x</D:hr`)
		default:
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html><body>Sign in</body></html>")
		}
	}))
	defer srv.Close()
	clk := clock.NewFake(monday)
	svc, _ := startService(t, clk, true)
	cl := apiClient(t, svc)
	for _, req := range []AddSource{
		{Kind: calendar.SourceCalDAV, URL: srv.URL + "/dav/", User: "alice", Password: "pw"},
		{Kind: calendar.SourceURL, URL: srv.URL + "/feed.ics"},
	} {
		_, err := cl.AddCalendar(t.Context(), req)
		var se *api.Error
		if !errors.As(err, &se) || se.Status != http.StatusBadGateway {
			t.Errorf("add %s: %v, want 502", req.Kind, err)
		}
	}
}

// TestOneCalendarCarriesTheSync: with sync on for one CalDAV calendar,
// adding another with sync, or switching it on for another, is refused
// over the API in words (which calendar has it, what to do; no status
// code), as a usage error, and adds or changes nothing; the same calendar
// added without sync is added.
func TestOneCalendarCarriesTheSync(t *testing.T) {
	f := newSlowCalendarServer(t)
	svc, _ := startService(t, clock.NewFake(monday), true)
	cl := apiClient(t, svc)
	ctx := t.Context()
	req := api.AddCalendar{Kind: calendar.SourceCalDAV, URL: f.srv.URL + "/", User: "alice", Password: "pw", Sync: true}
	first, err := cl.AddCalendar(ctx, req)
	if err != nil || !first.Sync {
		t.Fatalf("the first calendar with sync: %+v %v", first, err)
	}
	_, err = cl.AddCalendar(ctx, req)
	want := `sync is on for another calendar, "Work": one calendar carries the sync with your other devices, so switch sync off for "Work" first, or add this calendar without sync`
	if !errors.Is(err, calendar.ErrSyncElsewhere) || err.Error() != want || api.ExitCode(err) != api.ExitUsage {
		t.Fatalf("a second calendar with sync: %v (exit %d), want %q", err, api.ExitCode(err), want)
	}
	if list, err := cl.Calendars(ctx); err != nil || len(list) != 1 {
		t.Fatalf("after the refused add: %d calendars, %v", len(list), err)
	}
	req.Sync = false
	second, err := cl.AddCalendar(ctx, req)
	if err != nil || second.Sync {
		t.Fatalf("the second calendar without sync: %+v %v", second, err)
	}
	on := true
	_, err = cl.ChangeCalendar(ctx, second.ID, api.CalendarChange{Sync: &on})
	if !errors.Is(err, calendar.ErrSyncElsewhere) || !strings.HasPrefix(err.Error(), `calendar "Work": sync is on for another calendar, "Work"`) || api.ExitCode(err) != api.ExitUsage {
		t.Fatalf("sync on for the second: %v", err)
	}
	if st, err := cl.SyncStatus(ctx); err != nil || !st.On || st.Calendar != first.Name {
		t.Errorf("sync after the refusals: %+v %v", st, err)
	}
}
