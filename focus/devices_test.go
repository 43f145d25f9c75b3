package focus

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/lullapp/lull/calendar"
)

// fakeRemote is an in-memory RemoteSource.
type fakeRemote []RemoteSession

func (f fakeRemote) RemoteSessions(from, to time.Time) ([]RemoteSession, error) {
	var out []RemoteSession
	for _, s := range f {
		if s.Start.Before(to) && s.End.After(from) {
			out = append(out, s)
		}
	}
	return out, nil
}

// recordSession writes a finished session to the log.
func recordSession(t *testing.T, l *Log, start, end time.Time) {
	t.Helper()
	s := &Session{Kind: Manual, Start: start, LastAlive: end}
	if err := l.begin(s); err != nil {
		t.Fatal(err)
	}
	s.End, s.Outcome = end, Completed
	if err := l.put(s); err != nil {
		t.Fatal(err)
	}
}

// TestReportMergesOtherDevices: other devices' sessions count in the week,
// the days and the trend, a moment focused on two devices counts once, and
// the split says who focused how long.
func TestReportMergesOtherDevices(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	at := func(day, h, m int) time.Time { return time.Date(2026, 11, day, h, m, 0, 0, loc) }
	l, err := OpenLog(mustOpenDB(t, true))
	if err != nil {
		t.Fatal(err)
	}
	recordSession(t, l, at(16, 9, 0), at(16, 10, 0)) // Mon 1h
	recordSession(t, l, at(17, 9, 0), at(17, 11, 0)) // Tue 2h
	remote := fakeRemote{
		{Device: "desktop", Start: at(16, 9, 30), End: at(16, 10, 30)}, // overlaps Mon by 30m
		{Device: "desktop", Start: at(18, 14, 0), End: at(18, 15, 0)},  // Wed 1h
		{Device: "tablet", Start: at(18, 14, 30), End: at(18, 15, 30)}, // overlaps desktop by 30m
		{Device: "desktop", Start: at(10, 9, 0), End: at(10, 12, 0)},   // the week before: 3h
	}
	cfg := DefaultConfig(loc)
	cfg.WeeklyGoal = 2 * time.Hour
	w := cfg.WeekOf(at(16, 12, 0))
	now := at(23, 12, 0)
	for _, tc := range []struct {
		name      string
		deps      Deps
		focus     time.Duration
		sessions  int
		devices   string
		prevWeek  time.Duration
		mondayHas time.Duration
	}{
		{"this device only", Deps{DeviceName: func() string { return "laptop" }}, 3 * time.Hour, 2, "", 0, time.Hour},
		{"three devices", Deps{DeviceName: func() string { return "laptop" }, Remote: remote}, 3*time.Hour + 30*time.Minute + 90*time.Minute, 5,
			"laptop 3 h in 2 sessions (this one), desktop 2 h in 2 sessions, tablet 1 h in 1 session", 3 * time.Hour, 90 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := BuildReport(l, cfg, tc.deps, w, now)
			if err != nil {
				t.Fatal(err)
			}
			if r.Focus != tc.focus || r.Sessions != tc.sessions {
				t.Errorf("focus %v in %d sessions, want %v in %d", r.Focus, r.Sessions, tc.focus, tc.sessions)
			}
			if got := DevicesLine(r); got != tc.devices {
				t.Errorf("devices line %q, want %q", got, tc.devices)
			}
			if r.Days[0].Focus != tc.mondayHas {
				t.Errorf("Monday %v, want %v", r.Days[0].Focus, tc.mondayHas)
			}
			if got := r.Trend[len(r.Trend)-2].Focus; got != tc.prevWeek {
				t.Errorf("last week's trend %v, want %v", got, tc.prevWeek)
			}
			var txt bytes.Buffer
			if err := WriteReportText(&txt, r); err != nil {
				t.Fatal(err)
			}
			if has := strings.Contains(txt.String(), "Devices "); has != (tc.devices != "") {
				t.Errorf("text report devices line present=%v:\n%s", has, txt.String())
			}
			var sum time.Duration
			for _, d := range r.Devices {
				sum += d.Focus
			}
			if tc.devices != "" && sum < r.Focus {
				t.Errorf("the devices' shares %v add up to less than the week %v", sum, r.Focus)
			}
		})
	}
}

// SplitDevices counts each moment once however the devices overlap.
func TestSplitDevicesUnion(t *testing.T) {
	base := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	h := func(a, b int) calendar.Interval {
		return calendar.Interval{Start: base.Add(time.Duration(a) * time.Hour), End: base.Add(time.Duration(b) * time.Hour)}
	}
	span := h(0, 24)
	all, devs := SplitDevices("a", []calendar.Interval{h(1, 3)}, 1, []RemoteSession{
		{Device: "b", Start: h(2, 4).Start, End: h(2, 4).End},
		{Device: "b", Start: h(2, 4).Start, End: h(2, 4).End},
		{Device: "c", Start: h(23, 26).Start, End: h(23, 26).End},
	}, span)
	if got := overlap(all, []calendar.Interval{span}); got != 4*time.Hour {
		t.Errorf("union %v, want 4h (1-4 and 23-24)", got)
	}
	if len(devs) != 3 || devs[1].Focus != 2*time.Hour || devs[2].Focus != time.Hour {
		t.Errorf("split %+v", devs)
	}
}
