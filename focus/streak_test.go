package focus

import (
	"testing"
	"time"
)

// writeSession records a finished session directly in the log.
func writeSession(t *testing.T, l *Log, start time.Time, d time.Duration) {
	t.Helper()
	s := Session{Kind: Manual, Start: start, PlannedEnd: start.Add(d), LastAlive: start, Outcome: Running}
	if err := l.begin(&s); err != nil {
		t.Fatal(err)
	}
	s.End, s.LastAlive, s.Outcome = start.Add(d), start.Add(d), Completed
	if err := l.put(&s); err != nil {
		t.Fatal(err)
	}
}

// TestStreak: 30 consecutive weeks meet the goal (longer than one history
// chunk), the week before them does not; the current week counts once it has
// met the goal, and a completed week's report counts back from itself.
func TestStreak(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	cfg := DefaultConfig(loc)
	l, err := OpenLog(mustOpenDB(t, true))
	if err != nil {
		t.Fatal(err)
	}
	cur := cfg.WeekOf(time.Date(2026, 11, 18, 12, 0, 0, 0, loc)) // W47
	w := cur
	for i := 0; i < 30; i++ {
		w = w.Prev(cfg)
		// 11 h as 5 × 2h12m on Mon–Fri at 09:00 local.
		for d := 0; d < 5; d++ {
			writeSession(t, l, w.Start.AddDate(0, 0, d).Add(9*time.Hour), 132*time.Minute)
		}
	}
	// The week before the run: 9h59m, just short.
	w = w.Prev(cfg)
	writeSession(t, l, w.Start.Add(9*time.Hour), 599*time.Minute)
	// And one more good week before that, which must not count.
	w = w.Prev(cfg)
	writeSession(t, l, w.Start.Add(9*time.Hour), 11*time.Hour)

	now := cur.Start.AddDate(0, 0, 2).Add(12 * time.Hour) // Wed noon
	r, err := BuildReport(l, cfg, Deps{}, cur, now)
	if err != nil {
		t.Fatal(err)
	}
	if r.Streak != 30 || r.StreakIncludesCurrent || r.Focus != 0 {
		t.Errorf("current week, nothing yet: streak %d (current %v) focus %v, want 30", r.Streak, r.StreakIncludesCurrent, r.Focus)
	}
	if r.Trend[7].Week != cur || r.Trend[6].Focus != 11*time.Hour || r.Trend[0].Week.String() != "2026-W40" {
		t.Errorf("trend %+v", r.Trend)
	}

	// 10 h on Monday–Tuesday of the current week: it now counts.
	writeSession(t, l, cur.Start.Add(8*time.Hour), 10*time.Hour)
	r, err = BuildReport(l, cfg, Deps{}, cur, now)
	if err != nil {
		t.Fatal(err)
	}
	if r.Streak != 31 || !r.StreakIncludesCurrent {
		t.Errorf("current week met: streak %d (current %v), want 31 true", r.Streak, r.StreakIncludesCurrent)
	}

	// A completed week 10 weeks back counts itself and the 19 before it.
	past := cur
	for i := 0; i < 10; i++ {
		past = past.Prev(cfg)
	}
	r, err = BuildReport(l, cfg, Deps{}, past, now)
	if err != nil {
		t.Fatal(err)
	}
	if r.Streak != 21 || r.StreakIncludesCurrent || !r.Complete {
		t.Errorf("past week: streak %d (current %v complete %v), want 21", r.Streak, r.StreakIncludesCurrent, r.Complete)
	}
}

// TestOverlappingRecordsCountedOnce: even if the log held overlapping
// sessions (e.g. written by two versions), focus is their union.
func TestOverlappingRecordsCountedOnce(t *testing.T) {
	cfg := DefaultConfig(time.UTC)
	l, err := OpenLog(mustOpenDB(t, true))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 17, 9, 0, 0, 0, time.UTC)
	writeSession(t, l, start, 2*time.Hour)
	writeSession(t, l, start.Add(time.Hour), 2*time.Hour)
	w := cfg.WeekOf(start)
	r, err := BuildReport(l, cfg, Deps{Blocks: &fakeBlocks{blocks: []Block{{ID: "B", Start: start, End: start.Add(4 * time.Hour)}}}}, w, w.End)
	if err != nil {
		t.Fatal(err)
	}
	if r.Focus != 3*time.Hour || r.Kept != 3*time.Hour || r.Trend[7].Focus != 3*time.Hour {
		t.Errorf("focus %v kept %v trend %v, want 3h", r.Focus, r.Kept, r.Trend[7].Focus)
	}
}
