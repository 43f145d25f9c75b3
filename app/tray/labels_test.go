package tray

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lullapp/lull/assets"
	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/api"
)

// t0 is Monday 30 November 2026, 08:00 UTC.
var t0 = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

func block(start time.Time) *calendar.Block {
	return &calendar.Block{ID: "b", Start: start, End: start.Add(2 * time.Hour), State: calendar.StateAccepted}
}

func TestStatusLine(t *testing.T) {
	now := t0
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
			if got := StatusLine(tc.st, tc.next, now, time.UTC); got != tc.want {
				t.Errorf("StatusLine = %q, want %q", got, tc.want)
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

func TestItemLabels(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{deliverLabel(0), "Deliver digest now (none held)"},
		{deliverLabel(1), "Deliver digest now (1 held)"},
		{deliverLabel(14), "Deliver digest now (14 held)"},
		{lengthLabel(25 * time.Minute), "25 min"},
		{lengthLabel(90 * time.Minute), "90 min"},
		{resumeLabel(40 * time.Minute), "Resume block — 40 min left"},
		{resumeLabel(39*time.Minute + time.Second), "Resume block — 40 min left"},
		{resumeLabel(90 * time.Minute), "Resume block — 1 h 30 min left"},
		{resumeLabel(2 * time.Hour), "Resume block — 2 h left"},
		{resumeLabel(time.Minute + time.Millisecond), "Resume block — 2 min left"},
	} {
		if tc.got != tc.want {
			t.Errorf("label %q, want %q", tc.got, tc.want)
		}
	}
}

func TestModelOf(t *testing.T) {
	stopped := &focus.Block{ID: "b", Start: t0.Add(-time.Hour), End: t0.Add(40 * time.Minute)}
	for _, tc := range []struct {
		name string
		st   State
		want Model
	}{
		{"idle", State{}, Model{Status: "Not focusing"}},
		{"focusing with held", State{Focus: focus.State{Focusing: true, Start: t0, PlannedEnd: t0.Add(25 * time.Minute)}, Held: 3},
			Model{Status: "Focusing — 25 min left", Focusing: true, Held: 3}},
		{"a block stopped early", State{Resumable: stopped, Next: block(t0.Add(-time.Hour))},
			Model{Status: "Not focusing", Resume: "Resume block — 40 min left"}},
		{"resumable but focusing again", State{Resumable: stopped, Focus: focus.State{Focusing: true, Start: t0, PlannedEnd: t0.Add(50 * time.Minute)}},
			Model{Status: "Focusing — 50 min left", Focusing: true}},
		{"a stopped block that has ended", State{Resumable: &focus.Block{ID: "b", End: t0}}, Model{Status: "Not focusing"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.st.Now, tc.st.Loc = t0, time.UTC
			if got := ModelOf(tc.st); got != tc.want {
				t.Errorf("ModelOf = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// menuShape renders a menu as one line per item: label, "(off)" when
// disabled, "▸ a | b" for a submenu, "—" for a separator.
func menuShape(items []Item) []string {
	var out []string
	for _, it := range items {
		if it.Separator {
			out = append(out, "—")
			continue
		}
		s := it.Label
		if it.Disabled {
			s += " (off)"
		}
		if it.Sub != nil {
			var sub []string
			for _, c := range it.Sub {
				sub = append(sub, c.Label)
			}
			s += " ▸ " + strings.Join(sub, " | ")
		}
		out = append(out, s)
	}
	return out
}

func TestMenu(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    Model
		want []string
	}{
		{"idle, nothing held", Model{Status: "Not focusing"}, []string{
			"Not focusing (off)", "—",
			"Start focus ▸ 25 min | 50 min | 90 min | Until next meeting",
			"Stop focus (off)",
			"Deliver digest now (none held) (off)", "Presenting", "—",
			"Open Lull", "Weekly report", "—", "Quit",
		}},
		{"focusing, 3 held", Model{Status: "Focusing — 34 min left", Focusing: true, Held: 3}, []string{
			"Focusing — 34 min left (off)", "—",
			"Start focus (off) ▸ 25 min | 50 min | 90 min | Until next meeting",
			"Stop focus",
			"Deliver digest now (3 held)", "Presenting", "—",
			"Open Lull", "Weekly report", "—", "Quit",
		}},
		{"a block stopped early", Model{Status: "Not focusing", Resume: "Resume block — 40 min left", Held: 1}, []string{
			"Not focusing (off)", "—",
			"Start focus ▸ 25 min | 50 min | 90 min | Until next meeting",
			"Stop focus (off)",
			"Resume block — 40 min left",
			"Deliver digest now (1 held)", "Presenting", "—",
			"Open Lull", "Weekly report", "—", "Quit",
		}},
		{"presenting by hand", Model{Status: "Presenting — only urgent, VIP and repeats get through", Presenting: true}, []string{
			"Presenting — only urgent, VIP and repeats get through (off)", "—",
			"Start focus ▸ 25 min | 50 min | 90 min | Until next meeting",
			"Stop focus (off)",
			"Deliver digest now (none held) (off)", "✓ Presenting", "—",
			"Open Lull", "Weekly report", "—", "Quit",
		}},
		{"presenting fullscreen", Model{Status: "x", Presenting: true, PresentingFullscreen: true}, []string{
			"x (off)", "—",
			"Start focus ▸ 25 min | 50 min | 90 min | Until next meeting",
			"Stop focus (off)",
			"Deliver digest now (none held) (off)", "✓ Presenting (fullscreen window) (off)", "—",
			"Open Lull", "Weekly report", "—", "Quit",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := menuShape(Menu(tc.m))
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("menu:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestMenuActions: every item does what its label says.
func TestMenuActions(t *testing.T) {
	var got []string
	var walk func([]Item)
	walk = func(items []Item) {
		for _, it := range items {
			if !it.Separator && it.Action.Do != None {
				line := it.Label + " → " + doNames[it.Action.Do] + " " + it.Action.Length.String()
				if it.Action.Do == Present {
					line = it.Label + " → " + doNames[it.Action.Do] + fmt.Sprintf(" on=%v", it.Action.On)
				}
				got = append(got, line)
			}
			walk(it.Sub)
		}
	}
	walk(Menu(Model{Status: "Not focusing", Resume: "Resume block — 5 min left", Held: 2}))
	want := []string{
		"25 min → start 25m0s", "50 min → start 50m0s", "90 min → start 1h30m0s", "Until next meeting → until 0s",
		"Stop focus → stop 0s", "Resume block — 5 min left → resume 0s", "Deliver digest now (2 held) → deliver 0s",
		"Presenting → present on=true",
		"Open Lull → open 0s", "Weekly report → report 0s", "Quit → quit 0s",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("actions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

var doNames = map[Do]string{StartFocus: "start", UntilMeeting: "until", StopFocus: "stop", Resume: "resume",
	Deliver: "deliver", Open: "open", Report: "report", Quit: "quit", Present: "present"}

func TestNextRefresh(t *testing.T) {
	now := t0
	for _, tc := range []struct {
		name string
		st   State
		want time.Duration
	}{
		{"idle, nothing ahead: no timer", State{}, 0},
		{"whole minutes left", State{Focus: focus.State{Focusing: true, Start: now, PlannedEnd: now.Add(50 * time.Minute)}}, time.Minute},
		{"34m20s left changes in 20 s", State{Focus: focus.State{Focusing: true, Start: now, PlannedEnd: now.Add(34*time.Minute + 20*time.Second)}}, 20 * time.Second},
		{"overdue: look again in a minute", State{Focus: focus.State{Focusing: true, Start: now.Add(-time.Hour), PlannedEnd: now.Add(-time.Second)}}, time.Minute},
		{"open-ended at 10 s rounds up at 30 s", State{Focus: focus.State{Focusing: true, Start: now.Add(-10 * time.Second)}}, 20 * time.Second},
		{"open-ended at 45 s next changes at 1m30s", State{Focus: focus.State{Focusing: true, Start: now.Add(-45 * time.Second)}}, 45 * time.Second},
		{"open-ended exactly on :30", State{Focus: focus.State{Focusing: true, Start: now.Add(-90 * time.Second)}}, time.Minute},
		{"resume item 39m50s left", State{Resumable: &focus.Block{End: now.Add(39*time.Minute + 50*time.Second)}}, 50 * time.Second},
		{"next block today: at its start", State{Next: block(now.Add(90 * time.Minute))}, 90 * time.Minute},
		{"next block tomorrow: at midnight", State{Next: block(now.Add(30 * time.Hour))}, 16 * time.Hour},
		{"the soonest of resume and next block", State{Next: block(now.Add(30 * time.Hour)), Resumable: &focus.Block{End: now.Add(3 * time.Minute)}}, time.Minute},
		{"in a meeting, 19m30s left", State{Quiet: api.Quiet{Meeting: true, MeetingEnd: now.Add(19*time.Minute + 30*time.Second)}}, 30 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.st.Now, tc.st.Loc = now, time.UTC
			got := nextRefresh(tc.st)
			if got != tc.want {
				t.Fatalf("nextRefresh = %v, want %v", got, tc.want)
			}
			if got == 0 || tc.name == "overdue: look again in a minute" {
				return
			}
			// The model really changes at the tick and not just before it.
			at := func(d time.Duration) Model { st := tc.st; st.Now = now.Add(d); return ModelOf(st) }
			if before, after := at(got-time.Millisecond), at(got); before != ModelOf(tc.st) || after == before {
				t.Errorf("model %+v just before the tick, %+v at it (now %+v)", before, after, ModelOf(tc.st))
			}
		})
	}
}

func TestICOFromPNG(t *testing.T) {
	png := assets.TrayIdle
	ico := icoFromPNG(png)
	le := binary.LittleEndian
	if le.Uint16(ico[0:]) != 0 || le.Uint16(ico[2:]) != 1 || le.Uint16(ico[4:]) != 1 {
		t.Fatalf("ICO header % x", ico[:6])
	}
	if ico[6] != 64 || ico[7] != 64 || le.Uint16(ico[10:]) != 1 || le.Uint16(ico[12:]) != 32 {
		t.Fatalf("ICO entry % x, want a 64×64 32-bit image", ico[6:22])
	}
	if size, off := le.Uint32(ico[14:]), le.Uint32(ico[18:]); int(size) != len(png) || off != 22 || string(ico[off:]) != string(png) {
		t.Fatalf("ICO entry says %d bytes at %d; the PNG is %d bytes", size, off, len(png))
	}
}

// TestShownMenuUpdate: a new Model of the same shape updates the items
// whose label or state changed, in place; one that adds, removes or
// re-purposes an item rebuilds the menu.
func TestShownMenuUpdate(t *testing.T) {
	idle := Model{Status: "Not focusing"}
	focusing := Model{Status: "Focusing — 25 min left", Focusing: true}
	labels := func(items []Item, idx []int) []string {
		flat := flatten(items)
		var out []string
		for _, i := range idx {
			out = append(out, flat[i].Label)
		}
		return out
	}
	for _, tc := range []struct {
		name        string
		from, to    Model
		rebuild     bool
		wantChanged []string
	}{
		{"first menu", Model{}, idle, true, nil},
		{"nothing changed", idle, idle, false, nil},
		{"a minute ticks", focusing, Model{Status: "Focusing — 24 min left", Focusing: true}, false, []string{"Focusing — 24 min left"}},
		{"focus starts", idle, focusing, false, []string{"Focusing — 25 min left", "Start focus", "Stop focus"}},
		{"a notification is held", focusing, Model{Status: focusing.Status, Focusing: true, Held: 1}, false, []string{"Deliver digest now (1 held)"}},
		{"the resume item appears", idle, Model{Status: "Not focusing", Resume: "Resume block — 5 min left"}, true, nil},
		{"the resume item counts down", Model{Status: "Not focusing", Resume: "Resume block — 5 min left"},
			Model{Status: "Not focusing", Resume: "Resume block — 4 min left"}, false, []string{"Resume block — 4 min left"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s shownMenu
			if tc.from != (Model{}) {
				s.update(Menu(tc.from))
			}
			items := Menu(tc.to)
			rebuild, changed := s.update(items)
			if rebuild != tc.rebuild || strings.Join(labels(items, changed), "|") != strings.Join(tc.wantChanged, "|") {
				t.Fatalf("update: rebuild %v, changed %q; want %v, %q", rebuild, labels(items, changed), tc.rebuild, tc.wantChanged)
			}
		})
	}
}

// TestQuietStatusLine: the tray says a meeting with its minutes left
// (rounded up), presenting before anything else, and focus before a
// meeting (focus wins).
func TestQuietStatusLine(t *testing.T) {
	now := t0
	focusing := focus.State{Focusing: true, Start: now, PlannedEnd: now.Add(25 * time.Minute)}
	for _, tc := range []struct {
		name string
		st   State
		want string
	}{
		{"in a meeting", State{Quiet: api.Quiet{Meeting: true, MeetingTitle: "Sync", MeetingEnd: now.Add(20 * time.Minute)}}, "In a meeting — 20 min left"},
		{"in a meeting, rounds up", State{Quiet: api.Quiet{Meeting: true, MeetingEnd: now.Add(19*time.Minute + time.Second)}}, "In a meeting — 20 min left"},
		{"in a long meeting", State{Quiet: api.Quiet{Meeting: true, MeetingEnd: now.Add(90 * time.Minute)}}, "In a meeting — 1 h 30 min left"},
		{"meeting wins over the next block", State{Next: block(now.Add(time.Hour)), Quiet: api.Quiet{Meeting: true, MeetingEnd: now.Add(5 * time.Minute)}}, "In a meeting — 5 min left"},
		{"focus wins over a meeting", State{Focus: focusing, Quiet: api.Quiet{Meeting: true, MeetingEnd: now.Add(time.Hour)}}, "Focusing — 25 min left"},
		{"presenting by hand", State{Quiet: api.Quiet{Presenting: true, PresentingBy: api.PresentingByUser}}, "Presenting — only urgent, VIP and repeats get through"},
		{"presenting fullscreen, in focus", State{Focus: focusing, Quiet: api.Quiet{Presenting: true, PresentingBy: api.PresentingByFullscreen}}, "Presenting (fullscreen) — only urgent, VIP and repeats get through"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.st.Now, tc.st.Loc = now, time.UTC
			if got := ModelOf(tc.st).Status; got != tc.want {
				t.Errorf("status %q, want %q", got, tc.want)
			}
		})
	}
}
