package service

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/fake"
	"github.com/lullapp/lull/internal/human"
	"github.com/lullapp/lull/internal/localapi"
	"github.com/lullapp/lull/internal/store"
	"github.com/lullapp/lull/notify"
)

// recorder keeps the OS notifications the service shows.
type recorder = fake.Sender[notify.Message]

// monday is Monday 5 January 2026, 07:00 in Berlin.
var berlin, _ = time.LoadLocation("Europe/Berlin")
var monday = time.Date(2026, 1, 5, 7, 0, 0, 0, berlin)

func startService(t *testing.T, clk clock.Clock, withAPI bool) (*Service, *recorder) {
	t.Helper()
	return startServiceWith(t, clk, withAPI, calendar.SourceOptions{})
}

// startServiceWith is startService with the calendar sources' options
// (time limits, size caps) set.
func startServiceWith(t *testing.T, clk clock.Clock, withAPI bool, sources calendar.SourceOptions) (*Service, *recorder) {
	t.Helper()
	return startServiceOpts(t, clk, withAPI, sources, nil)
}

// startServiceOpts is startServiceWith with more options set by more (nil:
// none).
func startServiceOpts(t *testing.T, clk clock.Clock, withAPI bool, sources calendar.SourceOptions, more func(*Options)) (*Service, *recorder) {
	t.Helper()
	keyring.MockInit()
	dir := t.TempDir()
	// Settings before start: zone Berlin, so the week.ics meetings (Berlin
	// times) and working hours agree.
	d, err := OpenData(DataOptions{Dir: dir, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	st := d.Settings()
	st.Plan.Zone = "Europe/Berlin"
	if err := d.SaveSettings(st); err != nil {
		t.Fatal(err)
	}
	d.Close()
	rec := &recorder{}
	opts := Options{
		DataOptions:  DataOptions{Dir: dir, Clock: clk, Sources: sources},
		Version:      "test",
		Sender:       rec,
		TokenKeyring: &fake.Keyring{},
		NoAPI:        !withAPI,
		SyncInterval: -1,
		Logf:         t.Logf,
	}
	if more != nil {
		more(&opts)
	}
	svc, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	return svc, rec
}

func TestSettingsRoundTripAndValidation(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "lull.db"), store.Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := LoadSettings(db)
	if err != nil || st.Plan.WeeklyGoal != 10*time.Hour || len(st.DigestTimes) != 3 || st.DND != "auto" || !st.Capture {
		t.Fatalf("defaults = %+v, %v", st, err)
	}
	st.VIP = []string{"pager"}
	st.Plan.WeeklyGoal = 12 * time.Hour
	if err := SaveSettings(db, st); err != nil {
		t.Fatal(err)
	}
	got, _ := LoadSettings(db)
	if got.Plan.WeeklyGoal != 12*time.Hour || got.VIP[0] != "pager" {
		t.Fatalf("round trip = %+v", got)
	}
	for name, change := range map[string]func(*Settings){
		"digest time": func(s *Settings) { s.DigestTimes = []string{"25:00"} },
		"dnd":         func(s *Settings) { s.DND = "telepathy" },
		"plan":        func(s *Settings) { s.Plan.MinBlock = -time.Hour },
	} {
		bad := got
		change(&bad)
		if err := SaveSettings(db, bad); !errors.Is(err, ErrBadSettings) {
			t.Errorf("%s: err = %v, want ErrBadSettings", name, err)
		}
	}
	if again, _ := LoadSettings(db); again.Plan.WeeklyGoal != 12*time.Hour || again.DND != "auto" {
		t.Fatalf("a rejected save changed the stored settings: %+v", again)
	}
}

func TestWorkingHours(t *testing.T) {
	st := DefaultSettings()
	st.Plan.Zone = "Europe/Berlin"
	got := st.WorkingHours(monday.Add(10 * time.Hour))
	if len(got) != 1 || !got[0].Start.Equal(time.Date(2026, 1, 5, 9, 0, 0, 0, berlin)) || !got[0].End.Equal(time.Date(2026, 1, 5, 17, 0, 0, 0, berlin)) {
		t.Fatalf("Monday = %v", got)
	}
	if sat := st.WorkingHours(monday.AddDate(0, 0, 5)); len(sat) != 0 {
		t.Fatalf("Saturday = %v", sat)
	}
}

// TestADayOnTheFakeClock wires everything the app wires and lives a day:
// sync a calendar, plan, accept, the block starts focus, notifications are
// held, the block's end delivers one digest, the report counts it all.
func TestADayOnTheFakeClock(t *testing.T) {
	clk := clock.NewFake(monday)
	svc, rec := startService(t, clk, false)
	ics, _ := filepath.Abs("testdata/week.ics")
	if _, err := svc.AddSource(context.Background(), AddSource{Kind: calendar.SourceFile, Path: ics, Name: "Work"}); err != nil {
		t.Fatal(err)
	}
	events := map[EventKind]int{}
	var mu sync.Mutex
	svc.Subscribe(func(e Event) { mu.Lock(); events[e.Kind]++; mu.Unlock() })

	rep, plan, err := svc.SyncNow(context.Background())
	if err != nil || len(rep.Sources) != 1 || rep.Sources[0].Events == 0 || rep.Sources[0].Error != "" {
		t.Fatalf("sync = %+v, %v", rep, err)
	}
	if len(plan.Blocks) == 0 {
		t.Fatalf("nothing planned: %+v", plan)
	}
	snap, _ := svc.Busy()
	for _, b := range plan.Blocks {
		for _, iv := range snap.Busy {
			if b.Start.Before(iv.End) && iv.Start.Before(b.End) {
				t.Fatalf("block %s overlaps busy %v", b.ID, iv)
			}
		}
	}
	first := plan.Blocks[0]
	if _, err := svc.Accept(context.Background(), first.ID); err != nil {
		t.Fatal(err)
	}
	if next, ok := svc.NextBlock(); !ok || next.ID != first.ID {
		t.Fatalf("next block = %+v %v", next, ok)
	}

	clk.Set(first.Start.Add(time.Second))
	if !svc.Status().Focusing {
		t.Fatalf("not focusing at the block's start (%s)", first.Start)
	}
	ns := []notify.Notification{
		{Source: "ci", Title: "Build failed", Priority: notify.PriorityNormal, Origin: notify.OriginAPI},
		{Source: "mail", Title: "Lunch?", Priority: notify.PriorityNormal, Origin: notify.OriginAPI},
		{Source: "pager", Title: "Prod down", Priority: notify.PriorityUrgent, Origin: notify.OriginAPI},
	}
	res, err := svc.Submitter().Submit(context.Background(), ns)
	if err != nil || len(res) != 3 || res[2].Decision == notify.ActionHold {
		t.Fatalf("submit = %+v, %v", res, err)
	}
	if st := svc.Status(); st.Held != 2 {
		t.Fatalf("held = %d, want 2", st.Held)
	}
	clk.Set(first.End.Add(time.Second))
	if svc.Status().Focusing {
		t.Fatal("still focusing after the block's end")
	}
	var digests []notify.Message
	for _, m := range rec.Sent() {
		if !m.Urgent {
			digests = append(digests, m)
		}
	}
	if len(digests) != 1 || !strings.Contains(digests[0].Title, "2 held") {
		t.Fatalf("digests sent = %+v, want one with 2 held", rec.Sent())
	}
	r, err := svc.Report(svc.FocusConfig().WeekOf(clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if r.Focus < first.Duration()-time.Minute || r.Planned != first.Duration() || r.Kept < first.Duration()-time.Minute ||
		r.Batched != 2 || r.Digests != 1 || len(r.Interruptions) != 1 || r.Interruptions[0].Reason != "urgent" {
		t.Fatalf("report: focus %s planned %s kept %s batched %d digests %d interruptions %+v (block %s)",
			r.Focus, r.Planned, r.Kept, r.Batched, r.Digests, r.Interruptions, first.Duration())
	}
	svc.Flush() // events reach subscribers on their own goroutines
	mu.Lock()
	defer mu.Unlock()
	if events[FocusChanged] < 2 || events[PlanChanged] == 0 || events[HeldChanged] == 0 || events[CalendarsChanged] == 0 {
		t.Fatalf("events = %v", events)
	}
}

func TestPublishToICSFileAndFeed(t *testing.T) {
	clk := clock.NewFake(monday)
	svc, _ := startService(t, clk, true)
	ics, _ := filepath.Abs("testdata/week.ics")
	svc.AddSource(context.Background(), AddSource{Kind: calendar.SourceFile, Path: ics})
	out := filepath.Join(t.TempDir(), "focus.ics")
	st := svc.Settings()
	st.ExportICS = out
	if err := svc.Data.SaveSettings(st); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.SyncNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, err := svc.AcceptAll(context.Background()); err != nil || n == 0 {
		t.Fatalf("accept all: %d %v", n, err)
	}
	data, err := os.ReadFile(out)
	if err != nil || strings.Count(string(data), "BEGIN:VEVENT") == 0 || !strings.Contains(string(data), calendar.BlockUIDPrefix) {
		t.Fatalf("exported file: %v\n%s", err, data)
	}
	feed, err := apiClient(t, svc).Feed(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(feed), "BEGIN:VEVENT") != strings.Count(string(data), "BEGIN:VEVENT") {
		t.Fatalf("feed and file disagree:\n%s\n---\n%s", feed, data)
	}
}

// TestAPIErrorsMapToStatus: every error answer carries the status and
// code of its row in the error table, reads as the message alone, and the
// typed client turns it back into the domain's sentinel.
func TestAPIErrorsMapToStatus(t *testing.T) {
	clk := clock.NewFake(monday)
	svc, _ := startService(t, clk, true)
	cl := apiClient(t, svc)
	ctx := t.Context()
	for _, c := range []struct {
		name   string
		call   func() error
		status int
		code   string
		is     error
	}{
		{"bad length", func() error { _, err := cl.StartFocus(ctx, "forever-ish"); return err }, 400, "invalid_length", human.ErrBadDuration},
		{"stop idle", func() error { _, err := cl.StopFocus(ctx); return err }, 409, "not_focusing", focus.ErrNotFocusing},
		{"extend idle", func() error { _, err := cl.ExtendFocus(ctx, "15m"); return err }, 409, "not_focusing", focus.ErrNotFocusing},
		{"bad week", func() error { _, err := cl.Report(ctx, api.ReportRequest{Week: "2026-W99"}); return err }, 400, "invalid_week", focus.ErrBadWeek},
		{"bad format", func() error { _, err := cl.Report(ctx, api.ReportRequest{Format: "pdf"}); return err }, 400, "unknown_format", ErrBadFormat},
		{"no block", func() error { _, err := cl.Accept(ctx, "lull-nope"); return err }, 404, "no_such_block", calendar.ErrNoSuchBlock},
		{"no calendar", func() error { return cl.RemoveCalendar(ctx, "nope") }, 404, "no_such_calendar", calendar.ErrNoSuchSource},
		{"bad kind", func() error { _, err := cl.AddCalendar(ctx, AddSource{Kind: "fax"}); return err }, 400, "bad_request", ErrBadRequest},
		{"no digest", func() error { return cl.MarkRead(ctx, "00ff", "") }, 404, "no_such_digest", notify.ErrNotFound},
		{"bad notification", func() error { _, err := cl.Notify(ctx, []api.Notification{{Title: " "}}); return err }, 400, "invalid_notification", notify.ErrInvalid},
	} {
		err := c.call()
		var ae *api.Error
		if !errors.As(err, &ae) || ae.Status != c.status || ae.Code != c.code || !errors.Is(err, c.is) {
			t.Errorf("%s: %v (%+v), want %d %s", c.name, err, ae, c.status, c.code)
			continue
		}
		if strings.Contains(err.Error(), strconv.Itoa(c.status)) || strings.Contains(err.Error(), "answered") {
			t.Errorf("%s: the message %q shows the HTTP status", c.name, err)
		}
	}
	// What the typed client cannot send: an unknown field, an unknown
	// action.
	raw := rawClient(t, svc)
	start := api.Lookup(api.RouteFocusStart)
	err := raw.Do(ctx, start.Method, start.URL(nil), nil, map[string]string{"spec": "25m", "extra": "x"}, nil)
	var se *localapi.StatusError
	if !errors.As(err, &se) || se.Status != 400 || se.Body.Code != "bad_request" || se.Body.Message != `the request is not what Lull expects: unknown field "extra"` {
		t.Errorf("unknown field: %v %+v", err, se)
	}
	if err := raw.Do(ctx, "POST", "/v1/blocks/x/launch", nil, nil, nil); !errors.As(err, &se) || se.Status != 404 {
		t.Errorf("unknown action: %v", err)
	}
	if st, err := cl.StartFocus(ctx, "25m"); err != nil || !st.Focusing {
		t.Fatalf("start: %+v %v", st, err)
	}
	if _, err := cl.StartFocus(ctx, "25m"); !errors.Is(err, focus.ErrAlreadyFocusing) {
		t.Fatalf("starting twice: %v, want already focusing", err)
	}
}

func TestSecondStartIsLocked(t *testing.T) {
	clk := clock.NewFake(monday)
	svc, _ := startService(t, clk, false)
	_, err := Start(context.Background(), Options{DataOptions: DataOptions{Dir: svc.Dir, Clock: clk, LockTimeout: 100 * time.Millisecond}, NoAPI: true, SyncInterval: -1})
	if !errors.Is(err, store.ErrLocked) {
		t.Fatalf("second start: %v, want ErrLocked", err)
	}
}

// TestFileCalendarReReadOnChange: editing a file calendar re-plans around
// the new meeting without waiting for the periodic sync.
func TestFileCalendarReReadOnChange(t *testing.T) {
	clk := clock.NewFake(monday)
	svc, _ := startService(t, clk, false)
	path := filepath.Join(t.TempDir(), "cal.ics")
	orig, _ := os.ReadFile("testdata/week.ics")
	if err := os.WriteFile(path, orig, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddSource(context.Background(), AddSource{Kind: calendar.SourceFile, Path: path}); err != nil {
		t.Fatal(err)
	}
	busyCount := func() int { snap, _ := svc.Busy(); return len(snap.Busy) }
	deadline := time.Now().Add(10 * time.Second)
	for busyCount() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("adding the calendar did not sync it")
		}
		time.Sleep(20 * time.Millisecond)
	}
	before := busyCount()
	// An editor saves a new all-morning meeting on Monday by renaming a temp file.
	extra := strings.Replace(string(orig), "END:VCALENDAR", "BEGIN:VEVENT\r\nUID:new@test\r\nDTSTAMP:20260101T000000Z\r\n"+
		"DTSTART;TZID=Europe/Berlin:20260105T120000\r\nDTEND;TZID=Europe/Berlin:20260105T123000\r\nSUMMARY:New meeting\r\nEND:VEVENT\r\nEND:VCALENDAR", 1)
	tmp := path + ".tmp"
	os.WriteFile(tmp, []byte(extra), 0o600)
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	for busyCount() == before {
		if time.Now().After(deadline) {
			t.Fatal("the changed file was not re-read")
		}
		clk.Advance(fileSettle)
		time.Sleep(20 * time.Millisecond)
	}
	snap, _ := svc.Busy()
	found := false
	for _, iv := range snap.Busy {
		found = found || iv.Start.Equal(time.Date(2026, 1, 5, 12, 0, 0, 0, berlin))
	}
	if !found {
		t.Fatalf("the new meeting is not busy: %v", snap.Busy)
	}
}

// fakeDND is a do-not-disturb whose state outlives the process, like
// dunst's pause.
type fakeDND struct {
	mu      sync.Mutex
	on      *bool // the desktop's state, shared across "runs"
	entered bool
}

func (f *fakeDND) Name() string { return "dunst" }
func (f *fakeDND) Enter() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !*f.on {
		*f.on, f.entered = true, true
	}
	return nil
}
func (f *fakeDND) Leave() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.entered {
		*f.on, f.entered = false, false
	}
	return nil
}
func (f *fakeDND) Entered() bool { f.mu.Lock(); defer f.mu.Unlock(); return f.entered }
func (f *fakeDND) ForceLeave() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	*f.on, f.entered = false, false
	return nil
}

// TestDNDLeftOnByACrashIsRestored: a Lull killed during focus leaves the
// desktop in do-not-disturb; the next start turns it off again.
func TestDNDLeftOnByACrashIsRestored(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	desktop := false
	// Each run has its own clock, so the "killed" first run's timers never
	// fire again.
	start := func(clk clock.Clock) *Service {
		svc, err := Start(context.Background(), Options{
			DataOptions: DataOptions{Dir: dir, Clock: clk}, DND: &fakeDND{on: &desktop},
			NoAPI: true, SyncInterval: -1, Logf: t.Logf,
		})
		if err != nil {
			t.Fatal(err)
		}
		return svc
	}
	svc := start(clock.NewFake(monday))
	if _, err := svc.Focus.Start(25 * time.Minute); err != nil {
		t.Fatal(err)
	}
	if !desktop {
		t.Fatal("focus did not enter do-not-disturb")
	}
	// A crash: the process ends without leaving do-not-disturb. Closing the
	// database alone is what the kernel does for a killed process.
	svc.Data.Close()
	if !desktop {
		t.Fatal("test set-up: do-not-disturb should still be on")
	}
	svc2 := start(clock.NewFake(monday.Add(time.Hour)))
	defer svc2.Close()
	if desktop {
		t.Fatal("do-not-disturb left on by the crashed run is still on after restart")
	}

	// Do-not-disturb the user had on before focus is theirs: it stays.
	desktop = true
	if _, err := svc2.Focus.Start(25 * time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := svc2.Focus.Stop(); err != nil {
		t.Fatal(err)
	}
	if !desktop {
		t.Fatal("the user's own do-not-disturb was turned off")
	}
}
