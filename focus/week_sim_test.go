package focus

import (
	"errors"
	"testing"
	"time"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/internal/clock"
)

// simWeek runs week 2026-W47 (Mon 16 – Sun 22 Nov, Europe/Berlin) on the
// fake clock and returns the engine, clock and stats fake, with the clock at
// Mon 23 Nov 04:00. Hand-computed figures are in TestSimulatedWeek.
func simWeek(t *testing.T) (*Engine, *clock.Fake, *fakeStats, *stateLog) {
	t.Helper()
	loc := mustLoc(t, "Europe/Berlin")
	at := func(day, h, m int) time.Time { return time.Date(2026, 11, day, h, m, 0, 0, loc) }
	iv := func(day, h1, m1, h2, m2 int) calendar.Interval {
		return calendar.Interval{Start: at(day, h1, m1), End: at(day, h2, m2)}
	}
	blocks := &fakeBlocks{}
	blocks.set(
		Block{ID: "B1", Start: at(16, 9, 0), End: at(16, 11, 0)},
		Block{ID: "B2", Start: at(17, 10, 0), End: at(17, 12, 0)},
		Block{ID: "B3", Start: at(18, 9, 0), End: at(18, 11, 0)},
		Block{ID: "B4", Start: at(19, 14, 0), End: at(19, 16, 0)},
		Block{ID: "B5", Start: at(20, 9, 0), End: at(20, 11, 0)}, // Friday: out of office
	)
	busy := fakeBusy{
		iv(16, 13, 0, 14, 0), iv(16, 16, 30, 17, 0), // Mon 1h30m
		iv(17, 9, 0, 10, 0),                                                // Tue 1h
		iv(18, 11, 0, 12, 0), iv(18, 14, 0, 14, 30), iv(18, 15, 0, 16, 30), // Wed 3h, gaps 30m+30m
		iv(19, 9, 20, 10, 0), // Thu 40m, gap 20m
		iv(20, 10, 0, 11, 0), // Fri: out of office, not counted
	}
	stats := &fakeStats{batched: 42, digests: 9}
	deps := Deps{
		Blocks: blocks, Busy: busy, NotifyStats: stats,
		WorkingHours: weekdayHours(loc, 9, 17),
		OutOfOffice:  func(day time.Time) bool { y, m, d := day.In(loc).Date(); return y == 2026 && m == 11 && d == 20 },
	}
	cfg := DefaultConfig(loc)
	cfg.OnError = func(err error) { t.Errorf("background error: %v", err) }
	clk := clock.NewFake(at(16, 8, 0))
	e, err := Open(mustOpenDB(t, true), clk, cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	states := &stateLog{}
	e.Subscribe(states.add)

	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	expectFocus := func(when string, want bool, block string) {
		t.Helper()
		st := e.State()
		if st.Focusing != want || (want && st.BlockID != block) {
			t.Fatalf("%s: state %+v, want focusing=%v block %q", when, st, want, block)
		}
	}

	// Monday: B1 runs by itself 09:00–11:00; a breakthrough at 10:00; one
	// outside focus at 12:00 is ignored; a manual 25 min at 14:00.
	clk.Set(at(16, 9, 0))
	expectFocus("Mon 09:00", true, "B1")
	clk.Set(at(16, 10, 0))
	id, err := e.RecordInterruption(Interruption{ID: "n1", Source: "pager", Title: "Prod down", Reason: "VIP: pager"})
	must(err)
	if id != e.State().SessionID {
		t.Fatalf("interruption attached to %q, want running session", id)
	}
	clk.Set(at(16, 11, 0))
	expectFocus("Mon 11:00", false, "")
	clk.Set(at(16, 12, 0))
	if id, err := e.RecordInterruption(Interruption{ID: "n2", Source: "mail", Title: "lunch?"}); err != nil || id != "" {
		t.Fatalf("idle interruption: id %q err %v, want ignored", id, err)
	}
	clk.Set(at(16, 14, 0))
	_, err = e.Start(25 * time.Minute)
	must(err)
	if _, err := e.Start(time.Hour); !errors.Is(err, ErrAlreadyFocusing) {
		t.Fatalf("second Start: %v, want ErrAlreadyFocusing", err)
	}
	clk.Set(at(16, 14, 25))
	expectFocus("Mon 14:25", false, "")

	// Tuesday: manual 50 min at 09:30 (to 10:20); B2 starts 10:00 and is
	// merged: same session, B2's id, planned end 12:00.
	clk.Set(at(17, 9, 30))
	st, err := e.Start(50 * time.Minute)
	must(err)
	manualID := st.SessionID
	clk.Set(at(17, 10, 0))
	expectFocus("Tue 10:00", true, "B2")
	if st := e.State(); st.SessionID != manualID || !st.PlannedEnd.Equal(at(17, 12, 0)) || st.Kind != Manual {
		t.Fatalf("Tue merge: %+v, want session %s until 12:00", st, manualID)
	}
	clk.Set(at(17, 10, 30))
	expectFocus("Tue 10:30 (past the manual end)", true, "B2")
	clk.Set(at(17, 12, 0))
	expectFocus("Tue 12:00", false, "")

	// Wednesday: B3 starts at 09:00, the user stops it at 10:15; it does not
	// start again.
	clk.Set(at(18, 10, 15))
	expectFocus("Wed 10:15", true, "B3")
	s, err := e.Stop()
	must(err)
	if s.Outcome != StoppedEarly || s.BlockID != "B3" {
		t.Fatalf("Wed stop: %+v, want stopped-early B3", s)
	}
	if _, err := e.Stop(); !errors.Is(err, ErrNotFocusing) {
		t.Fatalf("second Stop: %v, want ErrNotFocusing", err)
	}
	must(e.Refresh())
	clk.Set(at(18, 10, 59))
	expectFocus("Wed 10:59 after early stop", false, "")

	// Thursday: B4 14:00–16:00 extended by 30 min at 15:30.
	clk.Set(at(19, 15, 30))
	expectFocus("Thu 15:30", true, "B4")
	_, err = e.Extend(30 * time.Minute)
	must(err)
	clk.Set(at(19, 16, 15))
	expectFocus("Thu 16:15", true, "B4")
	clk.Set(at(19, 16, 30))
	expectFocus("Thu 16:30", false, "")

	// Friday: out of office, B5 never starts.
	clk.Set(at(20, 10, 0))
	expectFocus("Fri 10:00", false, "")

	// Saturday 23:00: open-ended across midnight, stopped Sun 01:00; a CI
	// breakthrough at 23:30.
	clk.Set(at(21, 23, 0))
	_, err = e.StartOpen()
	must(err)
	if _, err := e.Extend(15 * time.Minute); !errors.Is(err, ErrOpenEnded) {
		t.Fatalf("Extend open-ended: %v, want ErrOpenEnded", err)
	}
	clk.Set(at(21, 23, 30))
	_, err = e.RecordInterruption(Interruption{ID: "n3", Source: "ci", Title: "Build failed"})
	must(err)
	clk.Set(at(22, 1, 0))
	s, err = e.Stop()
	must(err)
	if s.Outcome != Completed {
		t.Fatalf("open-ended stop outcome %v, want completed", s.Outcome)
	}

	// Sunday 23:30: until next meeting, none within 4 h: capped at the daily
	// maximum, so it runs to Mon 23 Nov 03:30 across the week boundary.
	clk.Set(at(22, 23, 30))
	st, err = e.StartUntilNextMeeting()
	must(err)
	if !st.PlannedEnd.Equal(at(23, 3, 30)) {
		t.Fatalf("until next meeting ends %v, want Mon 03:30", st.PlannedEnd)
	}
	clk.Set(at(23, 4, 0))
	expectFocus("Mon 23 04:00", false, "")
	return e, clk, stats, states
}

func TestSimulatedWeek(t *testing.T) {
	e, clk, stats, states := simWeek(t)
	loc := e.Config().Location
	at := func(day, h, m int) time.Time { return time.Date(2026, 11, day, h, m, 0, 0, loc) }
	w, err := e.Config().ParseWeek("2026-W47", clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.Report(w)
	if err != nil {
		t.Fatal(err)
	}
	hm := func(h, m int) time.Duration { return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute }
	checks := []struct {
		name      string
		got, want time.Duration
	}{
		// Mon 2h+25m, Tue 2h30m, Wed 1h15m, Thu 2h30m, Sat 1h, Sun 1h+30m.
		{"focus", r.Focus, hm(11, 10)},
		{"planned (B1–B4, Fri out of office)", r.Planned, hm(8, 0)},
		{"kept 2h+2h+1h15m+2h", r.Kept, hm(7, 15)},
		{"working Mon–Thu", r.Working, hm(32, 0)},
		{"meetings 1h30m+1h+3h+40m", r.Meetings, hm(6, 10)},
		{"available", r.Available, hm(25, 50)},
		{"fragmented Wed 30m+30m, Thu 20m", r.Fragmented, hm(1, 20)},
		{"goal", r.Goal, hm(10, 0)},
		{"baseline", r.Baseline, time.Duration(11.7 * float64(time.Hour))},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	wantDays := []struct{ focus, goal, meetings, fragmented time.Duration }{
		{hm(2, 25), hm(2, 30), hm(1, 30), 0},
		{hm(2, 30), hm(2, 30), hm(1, 0), 0},
		{hm(1, 15), hm(2, 30), hm(3, 0), hm(1, 0)},
		{hm(2, 30), hm(2, 30), hm(0, 40), hm(0, 20)},
		{0, 0, 0, 0},
		{hm(1, 0), 0, 0, 0},
		{hm(1, 30), 0, 0, 0},
	}
	for i, d := range r.Days {
		wd := wantDays[i]
		if d.Focus != wd.focus || d.Goal != wd.goal || d.Meetings != wd.meetings || d.Fragmented != wd.fragmented {
			t.Errorf("day %s: focus %v goal %v meetings %v fragmented %v, want %+v", d.Date.Format("Mon 2"), d.Focus, d.Goal, d.Meetings, d.Fragmented, wd)
		}
	}
	if r.Sessions != 7 || !r.Complete {
		t.Errorf("sessions %d complete %v, want 7 true", r.Sessions, r.Complete)
	}
	if len(r.Interruptions) != 2 || r.Interruptions[0].Source != "pager" || !r.Interruptions[0].At.Equal(at(16, 10, 0)) ||
		r.Interruptions[1].Source != "ci" || !r.Interruptions[1].At.Equal(at(21, 23, 30)) {
		t.Errorf("interruptions = %+v", r.Interruptions)
	}
	if r.Batched != 42 || r.Digests != 9 || !stats.from.Equal(w.Start) || !stats.to.Equal(w.End) {
		t.Errorf("notify stats %d/%d asked %v–%v", r.Batched, r.Digests, stats.from, stats.to)
	}
	if len(r.Trend) != TrendWeeks || r.Trend[7].Week.String() != "2026-W47" || r.Trend[7].Focus != hm(11, 10) ||
		!r.Trend[7].MetGoal || r.Trend[6].Focus != 0 || r.Trend[0].Week.String() != "2026-W40" {
		t.Errorf("trend = %+v", r.Trend)
	}
	if r.Streak != 1 || r.StreakIncludesCurrent {
		t.Errorf("streak %d (current %v), want 1 (false)", r.Streak, r.StreakIncludesCurrent)
	}
	keptByBlock := map[string]time.Duration{"B1": hm(2, 0), "B2": hm(2, 0), "B3": hm(1, 15), "B4": hm(2, 0)}
	if len(r.Blocks) != 4 {
		t.Errorf("blocks = %+v", r.Blocks)
	}
	for _, b := range r.Blocks {
		if b.Kept != keptByBlock[b.ID] {
			t.Errorf("block %s kept %v, want %v", b.ID, b.Kept, keptByBlock[b.ID])
		}
	}

	// The current week so far: the Sunday session's 3h30m after midnight.
	cur, err := e.Report(e.Config().WeekOf(clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if cur.Focus != hm(3, 30) || cur.Complete || cur.Streak != 1 || cur.StreakIncludesCurrent {
		t.Errorf("W48 so far: focus %v complete %v streak %d/%v", cur.Focus, cur.Complete, cur.Streak, cur.StreakIncludesCurrent)
	}

	// The log holds each session once, with kind, block and outcome.
	ss, err := e.Sessions(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		kind    Kind
		block   string
		outcome Outcome
		dur     time.Duration
	}
	want := []row{
		{Scheduled, "B1", Completed, hm(2, 0)},
		{Manual, "", Completed, hm(0, 25)},
		{Manual, "B2", Completed, hm(2, 30)},
		{Scheduled, "B3", StoppedEarly, hm(1, 15)},
		{Scheduled, "B4", Completed, hm(2, 30)},
		{Manual, "", Completed, hm(2, 0)},
		{Manual, "", Completed, hm(4, 0)},
	}
	if len(ss) != len(want) {
		t.Fatalf("%d sessions, want %d: %+v", len(ss), len(want), ss)
	}
	for i, s := range ss {
		if got := (row{s.Kind, s.BlockID, s.Outcome, s.Duration()}); got != want[i] {
			t.Errorf("session %d = %+v, want %+v", i, got, want[i])
		}
	}

	// Subscribers saw every start and end, in order, alternating.
	sts := states.all()
	starts, ends := 0, 0
	for i, st := range sts {
		if st.Focusing {
			starts++
		} else {
			ends++
			if i == 0 || !sts[i-1].Focusing || sts[i-1].SessionID != st.SessionID {
				t.Errorf("state %d: end of %s not preceded by its start", i, st.SessionID)
			}
		}
	}
	if ends != 7 || starts < 7 {
		t.Errorf("states: %d starts/changes, %d ends; want ≥7 and 7", starts, ends)
	}
}

// TestFutureWeek checks ParseWeek and Report refuse a week not yet begun.
func TestFutureWeek(t *testing.T) {
	e, clk, _, _ := simWeek(t)
	if _, err := e.Config().ParseWeek("2026-W49", clk.Now()); !errors.Is(err, ErrFutureWeek) {
		t.Errorf("ParseWeek(W49) = %v, want ErrFutureWeek", err)
	}
	w, _ := e.Config().Week(2026, 50)
	if _, err := e.Report(w); !errors.Is(err, ErrFutureWeek) {
		t.Errorf("Report(W50) = %v, want ErrFutureWeek", err)
	}
}
