package focus

import (
	"testing"
	"time"
)

// TestQuietLogRecoverAfterKill: spans a kill -9 left open are closed when
// Lull starts again: a meeting at its planned end (or now, if that has not
// come), a presentation at its last sign of life; nothing is left open.
func TestQuietLogRecoverAfterKill(t *testing.T) {
	db := mustOpenDB(t, true)
	l, err := OpenQuietLog(db)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	past, _ := l.Begin(QuietMeeting, "Standup", t0, t0.Add(15*time.Minute))
	running, _ := l.Begin(QuietMeeting, "Design review", t0.Add(30*time.Minute), t0.Add(3*time.Hour))
	pres, _ := l.Begin(QuietPresenting, "fullscreen window", t0.Add(40*time.Minute), time.Time{})
	if err := l.Touch(pres.ID, t0.Add(52*time.Minute)); err != nil {
		t.Fatal(err)
	}
	// kill -9 here: reopen the database's log as a new run would.
	now := t0.Add(time.Hour)
	l2, err := OpenQuietLog(db)
	if err != nil {
		t.Fatal(err)
	}
	got, err := l2.Recover(now)
	if err != nil || len(got) != 3 {
		t.Fatalf("recovered %+v, %v", got, err)
	}
	want := map[string]time.Time{past.ID: t0.Add(15 * time.Minute), running.ID: now, pres.ID: t0.Add(52 * time.Minute)}
	spans, err := l2.Spans(t0.Add(-time.Hour), now.Add(time.Hour), now.Add(time.Hour))
	if err != nil || len(spans) != 3 {
		t.Fatalf("spans %+v, %v", spans, err)
	}
	for _, q := range spans {
		if !q.End.Equal(want[q.ID]) || !q.Crashed {
			t.Errorf("%s %q ended %v (crashed %v), want %v", q.Kind, q.Title, q.End, q.Crashed, want[q.ID])
		}
	}
	if again, _ := l2.Recover(now.Add(time.Hour)); len(again) != 0 {
		t.Errorf("recovered twice: %+v", again)
	}
}

// TestReportQuietTime: the report counts meeting and presenting time from
// the quiet log, merged, clipped to the week, and without the time that
// was focus (focus wins); none of it is focus time.
func TestReportQuietTime(t *testing.T) {
	db := mustOpenDB(t, true)
	l, err := OpenLog(db)
	if err != nil {
		t.Fatal(err)
	}
	ql, err := OpenQuietLog(db)
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig(time.UTC)
	w := cfg.WeekOf(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)) // W48, Mon 23 Nov
	mon := w.Start
	span := func(kind QuietKind, start time.Time, d time.Duration) {
		t.Helper()
		q, err := ql.Begin(kind, "x", start, start.Add(d))
		if err != nil {
			t.Fatal(err)
		}
		if err := ql.End(q.ID, start.Add(d)); err != nil {
			t.Fatal(err)
		}
	}
	span(QuietMeeting, mon.Add(-30*time.Minute), time.Hour)                  // 30 min inside the week
	span(QuietMeeting, mon.Add(10*time.Hour), time.Hour)                     // 10–11, focus 10:30–11 → 30 min
	span(QuietMeeting, mon.Add(14*time.Hour), 30*time.Minute)                // 14:00–14:30
	span(QuietMeeting, mon.Add(14*time.Hour+15*time.Minute), 30*time.Minute) // overlaps: to 14:45
	span(QuietPresenting, mon.Add(14*time.Hour+10*time.Minute), 20*time.Minute)
	span(QuietMeeting, w.End.Add(time.Hour), time.Hour) // next week
	writeSession(t, l, mon.Add(10*time.Hour+30*time.Minute), 2*time.Hour)

	now := w.End.Add(48 * time.Hour)
	r, err := BuildReport(l, cfg, Deps{}, w, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := 30*time.Minute + 30*time.Minute + 45*time.Minute; r.InMeetings != want || r.MeetingStretches != 3 {
		t.Errorf("in meetings %v in %d, want %v in 3", r.InMeetings, r.MeetingStretches, want)
	}
	if r.Presenting != 20*time.Minute || r.Presentations != 1 {
		t.Errorf("presenting %v in %d", r.Presenting, r.Presentations)
	}
	if r.Focus != 2*time.Hour {
		t.Errorf("focus %v: quiet time must not count as focus", r.Focus)
	}
	if got, want := QuietLine(r), "1 h 45 min held quiet in 3 meetings · presenting 20 min (1 time)"; got != want {
		t.Errorf("line %q, want %q", got, want)
	}
}
