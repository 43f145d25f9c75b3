package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/assets"
	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/calendar/ics"
)

// startOnboarding is a first run: the window over l, with the wizard it
// shows.
func startOnboarding(t *testing.T, l *lull) (*onboarding, fyne.Window, *harness) {
	t.Helper()
	h := attach(t, l, Options{})
	h.ui.win.Resize(fyne.NewSize(800, 600))
	if h.ui.onboarding == nil || h.ui.win.Canvas().Overlays().Top() == nil {
		t.Fatal("first run: no onboarding")
	}
	return h.ui.onboarding, h.ui.win, h
}

func TestOnboardingSampleThenGoal(t *testing.T) {
	// Wednesday morning: the plan covers the rest of this week and the next.
	l := openLull(t, berlin(t, 2026, 11, 18, 8, 0))
	svc := l.svc
	o, w, h := startOnboarding(t, l)

	test.Tap(o.buttons["sample"])
	h.wait()
	st := svc.Settings()
	cfg, err := svc.Sources.Config(st.SampleSource)
	if err != nil {
		t.Fatalf("SampleSource %q: %v", st.SampleSource, err)
	}
	if cfg.Name != service.SampleName || cfg.Kind != calendar.SourceFile || cfg.Path != filepath.Join(svc.Dir, service.SampleFile) {
		t.Errorf("sample source %+v", cfg)
	}
	if b, err := os.ReadFile(cfg.Path); err != nil || !bytes.Equal(b, assets.SampleCalendar) {
		t.Errorf("sample copy in the data dir: %v", err)
	}
	if o.step != 1 {
		t.Errorf("step %d after the sample, want the goal step", o.step)
	}
	if st.Onboarded {
		t.Error("onboarded before the wizard ended")
	}

	// The sync started in the background filled the plan.
	blocks, err := svc.UpcomingBlocks()
	if err != nil || len(blocks) == 0 {
		t.Fatalf("no planned blocks after the sample synced: %v", err)
	}
	snap, _ := svc.Busy()
	if len(snap.Busy) == 0 {
		t.Error("no busy time from the sample")
	}
	for _, b := range blocks {
		for _, iv := range snap.Busy {
			if b.Start.Before(iv.End) && iv.Start.Before(b.End) {
				t.Errorf("block %v–%v overlaps a sample meeting %v–%v", b.Start, b.End, iv.Start, iv.End)
			}
		}
	}

	// Adding it again (a second click) keeps one sample.
	test.Tap(o.buttons["sample"])
	h.wait()
	if list, _ := svc.Sources.ListSources(); len(list) != 1 || list[0].Config.ID != cfg.ID {
		t.Errorf("sources after adding the sample twice: %+v", list)
	}

	o.goal.SetText("lots")
	test.Tap(o.buttons["finish"])
	h.wait()
	if !o.goalErr.Visible() || svc.Settings().Onboarded || w.Canvas().Overlays().Top() == nil {
		t.Fatalf("bad goal: error shown %v (%q), onboarded %v", o.goalErr.Visible(), o.goalErr.Text, svc.Settings().Onboarded)
	}
	o.goal.SetText("8")
	test.Tap(o.buttons["finish"])
	h.wait()
	st = svc.Settings()
	if !st.Onboarded || st.Plan.WeeklyGoal != 8*time.Hour {
		t.Errorf("after finish: onboarded %v, goal %v", st.Onboarded, st.Plan.WeeklyGoal)
	}
	if w.Canvas().Overlays().Top() != nil {
		t.Error("wizard still shown")
	}
	// Not shown again.
	h.ui.onboarding = nil
	maybeOnboard(h.ui)
	h.wait()
	if w.Canvas().Overlays().Top() != nil || h.ui.onboarding != nil {
		t.Error("onboarding shown again after it was finished")
	}
}

// TestOnboardingGoalOverTheWeek: a goal Lull refuses (more hours than a
// week has) keeps the wizard open and says why under the field.
func TestOnboardingGoalOverTheWeek(t *testing.T) {
	l := openLull(t, berlin(t, 2026, 11, 18, 8, 0))
	o, _, h := startOnboarding(t, l)
	test.Tap(o.buttons["skip"])
	o.goal.SetText("200")
	test.Tap(o.buttons["finish"])
	h.wait()
	if !o.goalErr.Visible() || !strings.Contains(o.goalErr.Text, "168 h") || o.closed || l.svc.Settings().Onboarded {
		t.Errorf("a 200 h goal: error %q (shown %v), closed %v", o.goalErr.Text, o.goalErr.Visible(), o.closed)
	}
}

func TestOnboardingLeaveAtEachStep(t *testing.T) {
	for _, step := range []int{0, 1} {
		l := openLull(t, berlin(t, 2026, 11, 18, 8, 0))
		svc := l.svc
		o, _, h := startOnboarding(t, l)
		if step == 1 {
			test.Tap(o.buttons["skip"])
			if o.step != 1 {
				t.Fatalf("skip went to step %d", o.step)
			}
			o.goal.SetText("20") // typed but not confirmed
		}
		test.Tap(o.buttons["not-now"])
		h.wait()
		st := svc.Settings()
		if !st.Onboarded {
			t.Errorf("step %d: not marked onboarded after leaving", step)
		}
		if st.Plan.WeeklyGoal != 10*time.Hour {
			t.Errorf("step %d: goal %v after leaving, want the default kept", step, st.Plan.WeeklyGoal)
		}
		if list, _ := svc.Sources.ListSources(); len(list) != 0 || st.SampleSource != "" {
			t.Errorf("step %d: sources %v, sample %q after leaving", step, list, st.SampleSource)
		}
		if o.closed != true {
			t.Errorf("step %d: wizard not closed", step)
		}
	}
}

// The sample is busy in any future week: its meetings recur without end,
// in the user's own zone (floating times).
func TestSampleCalendarBusyEveryWeek(t *testing.T) {
	cal, err := ics.Parse("sample", assets.SampleCalendar)
	if err != nil {
		t.Fatal(err)
	}
	if len(cal.Problems) != 0 {
		t.Errorf("problems: %v", cal.Problems)
	}
	for _, zone := range []string{"Europe/Berlin", "America/New_York", "Asia/Tokyo"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		for _, monday := range []time.Time{
			time.Date(2026, 11, 16, 0, 0, 0, 0, loc),
			time.Date(2031, 3, 3, 0, 0, 0, 0, loc),
		} {
			busy := calendar.BusyOf(cal, monday, monday.AddDate(0, 0, 7), calendar.BusyOptions{Location: loc}).Busy
			var perDay [7]time.Duration
			for _, iv := range busy {
				perDay[(int(iv.Start.In(loc).Weekday())+6)%7] += iv.End.Sub(iv.Start)
				if h := iv.Start.In(loc).Hour(); h < 9 || h >= 17 {
					t.Errorf("%s %v: meeting at %v outside working hours", zone, monday, iv.Start.In(loc))
				}
			}
			for d := 0; d < 5; d++ {
				if perDay[d] < 15*time.Minute || perDay[d] > 3*time.Hour {
					t.Errorf("%s week of %v: weekday %d has %v of meetings", zone, monday.Format(time.DateOnly), d, perDay[d])
				}
			}
			if perDay[5] != 0 || perDay[6] != 0 {
				t.Errorf("%s: weekend meetings %v %v", zone, perDay[5], perDay[6])
			}
		}
	}
}

func TestNoOnboardingWhenACalendarExists(t *testing.T) {
	for _, withCalendar := range []bool{false, true} {
		l := openLull(t, time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC))
		if withCalendar {
			ics, _ := filepath.Abs("testdata/week.ics")
			if _, err := l.svc.Data.AddSource(context.Background(), service.AddSource{Kind: calendar.SourceFile, Path: ics}); err != nil {
				t.Fatal(err)
			}
		}
		h := attach(t, l, Options{})
		shown := h.ui.win.Canvas().Overlays().Top() != nil
		if shown == withCalendar {
			t.Errorf("with a calendar connected: %v; onboarding shown: %v", withCalendar, shown)
		}
	}
}
