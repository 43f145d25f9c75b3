package service

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus/coach"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/notify"
)

// TestCoachRoutes: through the local API, a week of real breakthroughs
// (one chat thread escalating by repeat during focus) and the coach's
// fixture calendar give a hold suggestion and the meeting audit; applying
// the hold changes the rules in force (the next repeat is held), shows as
// applied with what changed, and cannot be applied twice; a meeting-audit
// item cannot be applied but can be dismissed, and stays dismissed; an
// unknown ID is not found; opening a digest is recorded.
func TestCoachRoutes(t *testing.T) {
	mon := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	clk := clock.NewFake(mon)
	svc, _ := startService(t, clk, true)
	cl := apiClient(t, svc)
	ctx := t.Context()
	st, err := cl.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.Plan.Zone = "UTC"
	st.UserAddresses = []string{"me@example.com"}
	if _, err := cl.SaveSettings(ctx, st); err != nil {
		t.Fatal(err)
	}
	ics, _ := filepath.Abs("../../focus/coach/testdata/week.ics")
	if _, err := svc.AddSource(context.Background(), AddSource{Kind: calendar.SourceFile, Path: ics, Name: "Work"}); err != nil {
		t.Fatal(err)
	}
	ping := []api.Notification{{Source: "chat", Title: "ping"}}
	for day := range 2 {
		clk.Set(mon.AddDate(0, 0, day))
		if _, err := svc.Focus.Start(4 * time.Hour); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			for range 4 { // the 3rd and 4th break through by repeat
				if _, err := cl.Notify(ctx, ping); err != nil {
					t.Fatal(err)
				}
				clk.Advance(time.Minute)
			}
			clk.Advance(time.Hour)
		}
		if _, err := svc.Focus.Stop(); err != nil {
			t.Fatal(err)
		}
	}
	got, err := cl.Coach(ctx, "2026-W49")
	if err != nil {
		t.Fatal(err)
	}
	find := func(c api.Coach, k coach.Kind) *coach.Item {
		for i := range c.Suggestions {
			if c.Suggestions[i].Kind == k {
				return &c.Suggestions[i]
			}
		}
		return nil
	}
	hold, async := find(got, coach.KindHold), find(got, coach.KindMeetingAsync)
	if got.Week != "2026-W49" || hold == nil || async == nil || !strings.Contains(hold.Why, "chat broke through 12 times during focus this week, 12 of them") {
		t.Fatalf("coach = %+v", got)
	}
	applied, err := cl.CoachApply(ctx, hold.ID, "2026-W49")
	if err != nil || !strings.Contains(applied.Changed, "added chat to the held sources") {
		t.Fatalf("apply = %+v, %v", applied, err)
	}
	if st, _ := cl.Settings(ctx); !slices.Equal(st.Hold, []string{"chat"}) {
		t.Fatalf("settings hold = %v", st.Hold)
	}
	if rules := svc.Notify.Rules(); !slices.Equal(rules.Hold, []string{"chat"}) {
		t.Fatalf("rules in force hold %v", rules.Hold)
	}
	if _, err := svc.Focus.Start(time.Hour); err != nil {
		t.Fatal(err)
	}
	var res []api.NotifyResult
	for i := range 3 { // bodies differ so the three do not collapse into one
		if res, err = cl.Notify(ctx, []api.Notification{{Source: "chat", Title: "ping", Body: strings.Repeat("!", i+1)}}); err != nil {
			t.Fatal(err)
		}
	}
	if res[0].Decision != notify.ActionHold || !strings.Contains(res[0].Reason, "held except VIPs") {
		t.Fatalf("third ping after apply: %+v", res[0])
	}
	if _, err := cl.CoachApply(ctx, hold.ID, "2026-W49"); !errors.Is(err, coach.ErrNothingToApply) {
		t.Fatalf("apply twice = %v", err)
	}
	if _, err := cl.CoachApply(ctx, async.ID, "2026-W49"); !errors.Is(err, coach.ErrNothingToApply) {
		t.Fatalf("apply an audit item = %v", err)
	}
	if err := cl.CoachDismiss(ctx, async.ID, "2026-W49"); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.CoachApply(ctx, "hold-00000000", ""); !errors.Is(err, coach.ErrNotFound) {
		t.Fatalf("apply unknown = %v", err)
	}
	var ae *api.Error
	if err := cl.CoachDismiss(ctx, "nope", ""); !errors.As(err, &ae) || ae.Code != "no_such_suggestion" {
		t.Fatalf("dismiss unknown = %v", err)
	}
	again, err := cl.Coach(ctx, "2026-W49")
	if err != nil {
		t.Fatal(err)
	}
	if h := find(again, coach.KindHold); h == nil || h.State != coach.StateApplied || h.Changed != applied.Changed {
		t.Errorf("hold after apply = %+v", h)
	}
	if find(again, coach.KindMeetingAsync) != nil {
		t.Errorf("dismissed async still shown")
	}

	d, ok, err := svc.Notify.DeliverNow()
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if err := cl.DigestOpened(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	ds, err := cl.Digests(ctx, 1)
	if err != nil || len(ds) != 1 || ds[0].Opened.IsZero() {
		t.Fatalf("digests = %+v, %v", ds, err)
	}
}
