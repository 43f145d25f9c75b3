package app

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus"
)

func TestTrayStatus(t *testing.T) {
	now := uiT0 // Monday 08:00 UTC
	block := func(start time.Time) *calendar.Block {
		return &calendar.Block{ID: "b", Start: start, End: start.Add(2 * time.Hour), State: calendar.StateAccepted}
	}
	for _, tc := range []struct {
		name string
		st   focus.State
		next *calendar.Block
		want string
	}{
		{"idle, nothing planned", focus.State{}, nil, "Not focusing"},
		{"focusing 34 min left", focus.State{Focusing: true, Start: now.Add(-16 * time.Minute), PlannedEnd: now.Add(34 * time.Minute)}, nil, "Focusing — 34 min left"},
		{"focusing rounds up", focus.State{Focusing: true, Start: now, PlannedEnd: now.Add(33*time.Minute + time.Second)}, nil, "Focusing — 34 min left"},
		{"focusing hours", focus.State{Focusing: true, Start: now, PlannedEnd: now.Add(90 * time.Minute)}, nil, "Focusing — 1 h 30 min left"},
		{"focusing wins over the next block", focus.State{Focusing: true, Start: now, PlannedEnd: now.Add(25 * time.Minute)}, block(now.Add(time.Hour)), "Focusing — 25 min left"},
		{"open-ended", focus.State{Focusing: true, Start: now.Add(-65 * time.Minute)}, nil, "Focusing (open-ended) — 1 h 5 min so far"},
		{"next block today", focus.State{}, block(now.Add(6 * time.Hour)), "Next block 14:00"},
		{"next block tomorrow", focus.State{}, block(now.Add(30 * time.Hour)), "Next block Tue 14:00"},
		{"next block next week", focus.State{}, block(now.Add(8*24*time.Hour + 6*time.Hour)), "Next block Tue 8 Dec 14:00"},
		{"block running but stopped by hand", focus.State{}, block(now.Add(-time.Hour)), "Not focusing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := trayStatus(tc.st, tc.next, now, time.UTC); got != tc.want {
				t.Errorf("trayStatus = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestWhenLabelUsesTheUsersZone(t *testing.T) {
	loc := time.FixedZone("UTC+10", 10*3600)
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) // 22:00 Monday there
	// 15:00 UTC is 01:00 Tuesday in UTC+10: tomorrow there, today in UTC.
	at := time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)
	if got := whenLabel(at, now, loc); got != "Tue 01:00" {
		t.Errorf("whenLabel in UTC+10 = %q, want Tue 01:00", got)
	}
	if got := whenLabel(at, now, time.UTC); got != "15:00" {
		t.Errorf("whenLabel in UTC = %q, want 15:00", got)
	}
}

func TestDeliverLabel(t *testing.T) {
	for n, want := range map[int]string{
		0:  "Deliver digest now (none held)",
		1:  "Deliver digest now (1 held)",
		14: "Deliver digest now (14 held)",
	} {
		if got := deliverLabel(n); got != want {
			t.Errorf("deliverLabel(%d) = %q, want %q", n, got, want)
		}
	}
}

// menuShape renders a menu as one line per item: label, "(off)" when
// disabled, "▸ a | b" for a submenu, "—" for a separator.
func menuShape(m *fyne.Menu) []string {
	var out []string
	for _, it := range m.Items {
		if it.IsSeparator {
			out = append(out, "—")
			continue
		}
		s := it.Label
		if it.Disabled {
			s += " (off)"
		}
		if it.ChildMenu != nil {
			var sub []string
			for _, c := range it.ChildMenu.Items {
				sub = append(sub, c.Label)
			}
			s += " ▸ " + strings.Join(sub, " | ")
		}
		out = append(out, s)
	}
	return out
}

func TestTrayMenu(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    trayModel
		want []string
	}{
		{"idle, nothing held", trayModel{Status: "Not focusing"}, []string{
			"Not focusing (off)", "—",
			"Start focus ▸ 25 min | 50 min | 90 min | Until next meeting",
			"Stop focus (off)",
			"Deliver digest now (none held) (off)", "—",
			"Open Lull", "Weekly report", "—", "Quit",
		}},
		{"focusing, 3 held", trayModel{Status: "Focusing — 34 min left", Focusing: true, Held: 3}, []string{
			"Focusing — 34 min left (off)", "—",
			"Start focus (off) ▸ 25 min | 50 min | 90 min | Until next meeting",
			"Stop focus",
			"Deliver digest now (3 held)", "—",
			"Open Lull", "Weekly report", "—", "Quit",
		}},
		{"idle with a block ahead and held items", trayModel{Status: "Next block Tue 14:00", Held: 1}, []string{
			"Next block Tue 14:00 (off)", "—",
			"Start focus ▸ 25 min | 50 min | 90 min | Until next meeting",
			"Stop focus (off)",
			"Deliver digest now (1 held)", "—",
			"Open Lull", "Weekly report", "—", "Quit",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := menuShape(trayMenu(tc.m, trayActions{}))
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("menu:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestTrayMenuActions(t *testing.T) {
	var calls []string
	act := trayActions{
		Start:        func(d time.Duration) { calls = append(calls, "start "+d.String()) },
		UntilMeeting: func() { calls = append(calls, "until meeting") },
		Stop:         func() { calls = append(calls, "stop") },
		Deliver:      func() { calls = append(calls, "deliver") },
		Open:         func() { calls = append(calls, "open") },
		Report:       func() { calls = append(calls, "report") },
		Quit:         func() { calls = append(calls, "quit") },
	}
	m := trayMenu(trayModel{Status: "Not focusing", Held: 2}, act)
	for _, it := range m.Items {
		if it.ChildMenu != nil {
			for _, c := range it.ChildMenu.Items {
				c.Action()
			}
		} else if it.Action != nil {
			it.Action()
		}
	}
	want := "start 25m0s, start 50m0s, start 1h30m0s, until meeting, stop, deliver, open, report, quit"
	if got := strings.Join(calls, ", "); got != want {
		t.Errorf("actions ran %q, want %q", got, want)
	}
	if last := m.Items[len(m.Items)-1]; !last.IsQuit {
		t.Error("Quit is not marked IsQuit, so Fyne would add a second one")
	}
}

func TestNextTick(t *testing.T) {
	now := uiT0
	for _, tc := range []struct {
		name string
		st   focus.State
		want time.Duration
	}{
		{"idle: no timer", focus.State{}, 0},
		{"whole minutes left", focus.State{Focusing: true, Start: now, PlannedEnd: now.Add(50 * time.Minute)}, time.Minute},
		{"34m20s left changes in 20 s", focus.State{Focusing: true, Start: now, PlannedEnd: now.Add(34*time.Minute + 20*time.Second)}, 20 * time.Second},
		{"overdue: check again in a minute", focus.State{Focusing: true, Start: now.Add(-time.Hour), PlannedEnd: now.Add(-time.Second)}, time.Minute},
		{"open-ended at 10 s rounds up at 30 s", focus.State{Focusing: true, Start: now.Add(-10 * time.Second)}, 20 * time.Second},
		{"open-ended at 45 s next changes at 1m30s", focus.State{Focusing: true, Start: now.Add(-45 * time.Second)}, 45 * time.Second},
		{"open-ended exactly on :30", focus.State{Focusing: true, Start: now.Add(-90 * time.Second)}, time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := nextTick(tc.st, now)
			if got != tc.want {
				t.Fatalf("nextTick = %v, want %v", got, tc.want)
			}
			// The label really changes at the tick and not just before it.
			if got > 0 && tc.st.Focusing && tc.name != "overdue: check again in a minute" {
				before := focus.StatusLine(tc.st, now.Add(got-time.Millisecond))
				at := focus.StatusLine(tc.st, now.Add(got))
				if before != focus.StatusLine(tc.st, now) || at == before {
					t.Errorf("status %q just before the tick, %q at it (now %q)", before, at, focus.StatusLine(tc.st, now))
				}
			}
		})
	}
}
