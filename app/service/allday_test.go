package service

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/clock"
)

// TestAllDayFreePerCalendar: an unmarked all-day event is busy and the
// plan says so; the calendar's "all-day events are free" setting, set when
// adding it or later through the API, frees it (and only its calendar's);
// a marked-free all-day event is free either way.
func TestAllDayFreePerCalendar(t *testing.T) {
	clk := clock.NewFake(monday)
	svc, _ := startService(t, clk, true)
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"+body+"END:VCALENDAR\r\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	offsite := write("offsite.ics", "BEGIN:VEVENT\r\nUID:o\r\nSUMMARY:Team offsite\r\nDTSTART;VALUE=DATE:20260106\r\nDTEND;VALUE=DATE:20260107\r\nEND:VEVENT\r\n")
	feed := write("feed.ics", "BEGIN:VEVENT\r\nUID:h\r\nSUMMARY:Sports day\r\nDTSTART;VALUE=DATE:20260107\r\nDTEND;VALUE=DATE:20260108\r\nEND:VEVENT\r\n"+
		"BEGIN:VEVENT\r\nUID:t\r\nSUMMARY:Holiday\r\nTRANSP:TRANSPARENT\r\nDTSTART;VALUE=DATE:20260108\r\nDTEND;VALUE=DATE:20260109\r\nEND:VEVENT\r\n")
	ctx := context.Background()
	work, err := svc.Data.AddSource(ctx, AddSource{Kind: calendar.SourceFile, Path: offsite, Name: "Work"})
	if err != nil {
		t.Fatal(err)
	}
	school, err := svc.Data.AddSource(ctx, AddSource{Kind: calendar.SourceFile, Path: feed, Name: "School", AllDayFree: true})
	if err != nil || !school.AllDayFree {
		t.Fatalf("add with all-day free: %+v %v", school, err)
	}
	day := func(d int) calendar.Interval {
		return calendar.Interval{Start: time.Date(2026, 1, d, 0, 0, 0, 0, berlin), End: time.Date(2026, 1, d+1, 0, 0, 0, 0, berlin)}
	}
	busyDays := func() map[int]bool {
		t.Helper()
		if _, _, err := svc.SyncNow(ctx); err != nil {
			t.Fatal(err)
		}
		snap, _ := svc.Busy()
		out := map[int]bool{}
		for _, d := range []int{6, 7, 8} {
			for _, b := range snap.Busy {
				if b.Start.Equal(day(d).Start) && b.End.Equal(day(d).End) {
					out[d] = true
				}
			}
		}
		return out
	}
	if got := busyDays(); !got[6] || got[7] || got[8] {
		t.Fatalf("busy days %v, want only the 6th (Work's unmarked offsite)", got)
	}
	res, err := svc.Replan(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, n := range res.Days {
		found = found || n.Date.Equal(day(6).Start) && n.Reason == "all-day 'Team offsite'"
	}
	if !found {
		t.Errorf("the plan does not say why Tuesday has no focus: %+v", res.Days)
	}

	cl := apiClient(t, svc)
	plan, err := cl.Plan(t.Context())
	if err != nil || len(plan.Days) == 0 || !plan.Days[0].Date.Equal(day(6).Start) || plan.Days[0].Reason != "all-day 'Team offsite'" {
		t.Errorf("GET /v1/plan days: %+v %v", plan.Days, err)
	}
	yes, no := true, false
	cfg, err := cl.ChangeCalendar(t.Context(), work.ID, SourceChange{AllDayFree: &yes})
	if err != nil || !cfg.AllDayFree {
		t.Fatalf("PATCH all_day_free: %+v %v", cfg, err)
	}
	cfg, err = cl.ChangeCalendar(t.Context(), school.ID, SourceChange{AllDayFree: &no})
	if err != nil || cfg.AllDayFree || cfg.ID != school.ID {
		t.Fatalf("PATCH all_day_free off: %+v %v", cfg, err)
	}
	if got := busyDays(); got[6] || !got[7] || got[8] {
		t.Fatalf("after switching: busy days %v, want only the 7th", got)
	}
	var ae *api.Error
	if _, err := cl.ChangeCalendar(t.Context(), "nope", SourceChange{AllDayFree: &yes}); !errors.As(err, &ae) || ae.Status != 404 || !errors.Is(err, calendar.ErrNoSuchSource) {
		t.Errorf("unknown calendar: %v", err)
	}
	if _, err := cl.ChangeCalendar(t.Context(), work.ID, SourceChange{}); !errors.As(err, &ae) || ae.Status != 400 || !errors.Is(err, ErrBadRequest) {
		t.Errorf("empty change: %v", err)
	}
}
