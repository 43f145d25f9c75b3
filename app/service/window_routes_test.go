package service

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/fake"
	"github.com/lullapp/lull/internal/human"
	"github.com/lullapp/lull/notify"
)

// The routes the window reads what it shows through, beside the ones the
// command line uses: each answers the same as the service in process.

// TestBreakthroughsRoute: only what broke through, in the range asked,
// oldest first, with the decision saying why; the default range is the
// last week.
func TestBreakthroughsRoute(t *testing.T) {
	clk := clock.NewFake(monday)
	svc, _ := startService(t, clk, true)
	cl := apiClient(t, svc)
	ctx := t.Context()
	send := func(title string, p notify.Priority) {
		t.Helper()
		if _, err := cl.Notify(ctx, []api.Notification{{Source: "pager", Title: title, Priority: string(p)}}); err != nil {
			t.Fatal(err)
		}
	}
	send("old outage", notify.PriorityUrgent)
	clk.Advance(8 * 24 * time.Hour)
	send("held one", notify.PriorityNormal)
	send("disk full", notify.PriorityUrgent)
	clk.Advance(time.Hour)
	send("db down", notify.PriorityUrgent)

	titles := func(items []notify.Item) []string {
		var out []string
		for _, it := range items {
			out = append(out, it.Title)
			if it.Decision.Action != notify.ActionBreakthrough || it.Decision.Reason == "" {
				t.Errorf("%q: decision %+v", it.Title, it.Decision)
			}
		}
		return out
	}
	got, err := cl.Breakthroughs(ctx, api.Range{})
	if err != nil || !reflect.DeepEqual(titles(got), []string{"disk full", "db down"}) {
		t.Errorf("the last week: %q %v", titles(got), err)
	}
	now := clk.Now()
	got, err = cl.Breakthroughs(ctx, api.Between(now.Add(-30*time.Minute), now.Add(time.Nanosecond)))
	if err != nil || !reflect.DeepEqual(titles(got), []string{"db down"}) {
		t.Errorf("the last half hour: %q %v", titles(got), err)
	}
	got, err = cl.Breakthroughs(ctx, api.Between(monday.Add(-time.Minute), monday.Add(time.Minute)))
	if err != nil || !reflect.DeepEqual(titles(got), []string{"old outage"}) {
		t.Errorf("around the first: %q %v", titles(got), err)
	}
	if _, err := cl.Breakthroughs(ctx, api.Range{From: "yesterday"}); !errors.Is(err, human.ErrBadDate) {
		t.Errorf("a bad from: %v", err)
	}
}

// TestMarkAllReadRoute marks every digest read, however many, and tells
// the event stream.
func TestMarkAllReadRoute(t *testing.T) {
	clk := clock.NewFake(monday)
	svc, _ := startService(t, clk, true)
	cl := apiClient(t, svc)
	ctx := t.Context()
	// More digests than GET /v1/digests lists by default.
	for i := range defaultDigestLimit + 5 {
		if _, err := cl.Notify(ctx, []api.Notification{{Source: "ci", Title: "build " + string(rune('a'+i%26))}}); err != nil {
			t.Fatal(err)
		}
		if _, err := cl.DeliverDigest(ctx); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
	}
	before := svc.EventSeq()
	n, err := cl.MarkAllRead(ctx)
	if err != nil || n != defaultDigestLimit+5 {
		t.Fatalf("mark all read: %d %v", n, err)
	}
	svc.Flush()
	if svc.EventSeq() == before {
		t.Error("marking read told nobody")
	}
	ds, _ := svc.Notify.ListDigests(time.Unix(0, 0), clk.Now(), 0)
	for _, d := range ds {
		for _, it := range d.Items {
			if !it.Read {
				t.Fatalf("digest %s: %q unread", d.ID, it.Title)
			}
		}
	}
	if n, err := cl.MarkAllRead(ctx); err != nil || n != 0 {
		t.Errorf("again: %d %v", n, err)
	}
}

// TestSessionsAndWeekReportRoutes: the sessions of a range, a running one
// without an end, and the week's report with every length exact (the
// report's JSON format rounds hours to 0.01).
func TestSessionsAndWeekReportRoutes(t *testing.T) {
	clk := clock.NewFake(monday.Add(2 * time.Hour)) // 09:00
	svc, _ := startService(t, clk, true)
	cl := apiClient(t, svc)
	ctx := t.Context()
	if _, err := cl.StartFocus(ctx, "25m"); err != nil {
		t.Fatal(err)
	}
	clk.Advance(25*time.Minute + 7*time.Second)
	svc.Flush()
	if _, err := cl.StartFocus(ctx, "50m"); err != nil {
		t.Fatal(err)
	}
	clk.Advance(10 * time.Minute)

	day := monday.Format(time.DateOnly)
	ss, err := cl.Sessions(ctx, api.Range{From: day, To: day})
	if err != nil || len(ss) != 2 {
		t.Fatalf("sessions: %+v %v", ss, err)
	}
	if ss[0].End.IsZero() || !ss[1].End.IsZero() || !ss[1].Start.Equal(clk.Now().Add(-10*time.Minute)) {
		t.Errorf("sessions: %+v", ss)
	}
	yesterday := monday.AddDate(0, 0, -1).Format(time.DateOnly)
	if ss, err := cl.Sessions(ctx, api.Range{From: yesterday, To: yesterday}); err != nil || len(ss) != 0 {
		t.Errorf("yesterday: %+v %v", ss, err)
	}

	got, err := cl.WeekReport(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	want, err := svc.Report(svc.FocusConfig().WeekOf(clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if got.Focus != want.Focus || got.Focus%time.Second != 0 || got.Sessions != 2 || got.Week.String() != want.Week.String() || len(got.Days) != 7 {
		t.Errorf("week report: focus %s (want %s), %d sessions, week %s", got.Focus, want.Focus, got.Sessions, got.Week)
	}
	for i := range want.Days {
		if !got.Days[i].Date.Equal(want.Days[i].Date) || got.Days[i].Focus != want.Days[i].Focus || got.Days[i].Goal != want.Days[i].Goal {
			t.Errorf("day %d: %+v, want %+v", i, got.Days[i], want.Days[i])
		}
	}
	if _, err := cl.WeekReport(ctx, "2025-W99"); !errors.Is(err, focus.ErrBadWeek) {
		t.Errorf("a bad week: %v", err)
	}
}

// TestSampleCalendarRoute adds the bundled sample once, marks it, and
// removing it removes its copy in the data directory and the mark.
func TestSampleCalendarRoute(t *testing.T) {
	svc, _ := startService(t, clock.NewFake(monday), true)
	cl := apiClient(t, svc)
	ctx := t.Context()
	cfg, err := cl.AddCalendar(ctx, api.AddCalendar{Sample: true})
	if err != nil || cfg.Name != SampleName || cfg.Path != filepath.Join(svc.Dir, SampleFile) {
		t.Fatalf("sample: %+v %v", cfg, err)
	}
	if svc.Settings().SampleSource != cfg.ID {
		t.Errorf("not marked as the sample: %q", svc.Settings().SampleSource)
	}
	again, err := cl.AddCalendar(ctx, api.AddCalendar{Sample: true})
	if err != nil || again.ID != cfg.ID {
		t.Errorf("again: %+v %v", again, err)
	}
	if list, _ := cl.Calendars(ctx); len(list) != 1 {
		t.Errorf("%d calendars after adding the sample twice", len(list))
	}
	if err := cl.RemoveCalendar(ctx, cfg.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cfg.Path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the sample's copy after removing it: %v", err)
	}
	if id := svc.Settings().SampleSource; id != "" {
		t.Errorf("still marked: %q", id)
	}
}

// TestDiscoverCalDAVRoute: an account needs an address and a user; an
// unreachable server is the calendar table's error.
func TestDiscoverCalDAVRoute(t *testing.T) {
	svc, _ := startService(t, clock.NewFake(monday), true)
	cl := apiClient(t, svc)
	if _, err := cl.DiscoverCalDAV(t.Context(), api.DiscoverCalDAV{URL: "https://dav.example/"}); !errors.Is(err, api.ErrBadRequest) {
		t.Errorf("no user: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	_, err := cl.DiscoverCalDAV(ctx, api.DiscoverCalDAV{URL: "http://127.0.0.1:1/", User: "alice", Password: "pw"})
	var ae *api.Error
	if !errors.As(err, &ae) || ae.Code != "calendar_unreachable" {
		t.Errorf("a closed port: %v", err)
	}
}

// TestQuitRoute answers, then stops through Options.Quit; a service
// without it says it cannot be stopped from here.
func TestQuitRoute(t *testing.T) {
	svc, _ := startService(t, clock.NewFake(monday), true)
	if err := apiClient(t, svc).Quit(t.Context()); err == nil {
		t.Error("quit without Options.Quit answered as if it stopped")
	}
	quit := make(chan struct{})
	svc2, err := Start(context.Background(), Options{
		DataOptions:  DataOptions{Dir: t.TempDir(), Clock: clock.NewFake(monday)},
		TokenKeyring: &fake.Keyring{},
		SyncInterval: -1,
		Logf:         t.Logf,
		Quit:         func() { close(quit) },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer svc2.Close()
	if err := apiClient(t, svc2).Quit(t.Context()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-quit:
	case <-time.After(10 * time.Second):
		t.Fatal("POST /v1/quit did not call Options.Quit")
	}
}

// TestEventSeqCountsChanges: every event carries the next number, the
// stream's first event the number of the last change before it, so a
// client can tell it has heard of everything up to EventSeq.
func TestEventSeqCountsChanges(t *testing.T) {
	svc, _ := startService(t, clock.NewFake(monday), true)
	cl := apiClient(t, svc)
	ctx := t.Context()
	if _, err := cl.StartFocus(ctx, "25m"); err != nil {
		t.Fatal(err)
	}
	svc.Flush()
	seq := svc.EventSeq()
	if seq == 0 {
		t.Fatal("a focus start emitted nothing")
	}
	ch, err := cl.Events(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if e := next(t, ch); e.Kind != api.EventConnected || e.Seq != seq {
		t.Fatalf("first event %+v, want connected at %d", e, seq)
	}
	if _, err := cl.StopFocus(ctx); err != nil {
		t.Fatal(err)
	}
	svc.Flush()
	last := svc.EventSeq()
	for prev := seq; ; {
		e := next(t, ch)
		if e.Seq <= prev {
			t.Fatalf("%+v after seq %d", e, prev)
		}
		if prev = e.Seq; prev == last {
			break
		}
	}
	var buf bytes.Buffer
	if err := api.WriteEvent(&buf, api.Event{Kind: api.EventHeld, Seq: 7}); err != nil || !bytes.Contains(buf.Bytes(), []byte(`"seq":7`)) {
		t.Errorf("on the wire: %q %v", buf.String(), err)
	}
}

// TestShowWindowRouteTakesATab: POST /v1/window/show may name the tab (a
// second window process asking the running one to show the Report); an
// unknown tab is a bad request.
func TestShowWindowRouteTakesATab(t *testing.T) {
	svc, _ := startService(t, clock.NewFake(monday), true)
	var mu sync.Mutex
	var tabs []string
	svc.Subscribe(func(e Event) {
		if e.Kind == ShowWindow || e.Kind == ShowDigest {
			mu.Lock()
			tabs = append(tabs, e.Tab)
			mu.Unlock()
		}
	})
	cl := apiClient(t, svc)
	for _, tab := range []string{"report", "", "digest"} {
		if err := cl.ShowWindowOn(t.Context(), tab); err != nil {
			t.Fatalf("%q: %v", tab, err)
		}
		svc.Flush()
	}
	mu.Lock()
	got := strings.Join(tabs, ",")
	mu.Unlock()
	if got != "report,,digest" {
		t.Errorf("shown on %q", got)
	}
	if err := cl.ShowWindowOn(t.Context(), "plan"); !errors.Is(err, api.ErrBadRequest) {
		t.Errorf("an unknown tab: %v", err)
	}
}
