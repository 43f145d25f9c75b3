package calendar

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// planLoc is the zone of the table tests; the week of Mon 23 Nov 2026 has
// no DST change there.
func planLoc(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// planAt returns day (0 = Mon 23 Nov 2026) at hh:mm in loc.
func planAt(loc *time.Location, day, hh, mm int) time.Time {
	return time.Date(2026, 11, 23+day, hh, mm, 0, 0, loc)
}

// planSpan is day d from h1:m1 to h2:m2.
func planSpan(loc *time.Location, d, h1, m1, h2, m2 int) Interval {
	return Interval{planAt(loc, d, h1, m1), planAt(loc, d, h2, m2)}
}

// oneDay returns settings working only on Monday 09:00–17:00 with a
// one-day horizon, so a test's expected blocks are exact.
func oneDay() PlanSettings {
	s := DefaultPlanSettings()
	s.Zone = "Europe/Berlin"
	s.Hours = [7]Span{}
	s.Hours[time.Monday] = Span{At(9, 0), At(17, 0)}
	s.HorizonDays = 1
	return s
}

// planSpans renders blocks as "Mon 09:00–11:00 proposed" for comparison.
func planSpans(bs []Block, loc *time.Location) string {
	var out []string
	for _, b := range bs {
		out = append(out, fmt.Sprintf("%s–%s %s", b.Start.In(loc).Format("Mon 15:04"), b.End.In(loc).Format("15:04"), b.State))
	}
	return strings.Join(out, ", ")
}

func mustPlan(t *testing.T, in PlanInput) []Block {
	t.Helper()
	bs, err := Plan(in)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	return bs
}

func TestPlanRules(t *testing.T) {
	loc := planLoc(t)
	mon8 := planAt(loc, 0, 8, 0)
	type tc struct {
		name       string
		settings   func(*PlanSettings)
		from       time.Time
		busy       []Interval
		oof        []time.Time
		existing   []Block
		tombstones []Tombstone
		focused    time.Duration
		want       string
		wantReason []string // substrings of each block's reason, in order
	}
	cases := []tc{
		{
			name: "buffer keeps 10 min after and before meetings",
			settings: func(s *PlanSettings) {
				s.Lunch = Span{}
				s.WeeklyGoal = 2 * time.Hour
				s.Hours[time.Monday] = Span{At(9, 0), At(13, 0)}
			},
			busy: []Interval{planSpan(loc, 0, 9, 0, 10, 0), planSpan(loc, 0, 12, 20, 13, 0)},
			want: "Mon 10:10–12:10 proposed",
		},
		{
			name: "no buffer with buffer 0",
			settings: func(s *PlanSettings) {
				s.Lunch = Span{}
				s.Buffer = 0
				s.WeeklyGoal = 2 * time.Hour
				s.Hours[time.Monday] = Span{At(9, 0), At(13, 0)}
			},
			busy: []Interval{planSpan(loc, 0, 9, 0, 10, 0), planSpan(loc, 0, 12, 20, 13, 0)},
			want: "Mon 10:00–12:00 proposed",
		},
		{
			name: "a gap 10 min too short for the buffer is not used",
			settings: func(s *PlanSettings) {
				s.Lunch = Span{}
				s.WeeklyGoal = 2 * time.Hour
				s.Hours[time.Monday] = Span{At(9, 0), At(13, 0)}
			},
			busy: []Interval{planSpan(loc, 0, 9, 0, 10, 0), planSpan(loc, 0, 11, 0, 13, 0)},
			want: "",
		},
		{
			name: "meeting times off the grid round inward",
			settings: func(s *PlanSettings) {
				s.Lunch = Span{}
				s.WeeklyGoal = time.Hour
				s.Hours[time.Monday] = Span{At(9, 0), At(11, 0)}
			},
			busy:       []Interval{planSpan(loc, 0, 9, 0, 9, 3)},
			want:       "Mon 09:15–10:15 proposed",
			wantReason: []string{"to reach the weekly goal"},
		},
		{
			name:       "lunch avoided even when that means shorter blocks",
			settings:   func(s *PlanSettings) { s.WeeklyGoal = 2 * time.Hour },
			busy:       []Interval{planSpan(loc, 0, 9, 0, 10, 50), planSpan(loc, 0, 14, 10, 17, 0)},
			want:       "Mon 11:00–12:00 proposed, Mon 13:00–14:00 proposed",
			wantReason: []string{"only free 1 h on Mon morning", "only free 1 h on Mon after lunch"},
		},
		{
			name:       "lunch used when nothing else is free",
			settings:   func(s *PlanSettings) { s.WeeklyGoal = 2 * time.Hour },
			busy:       []Interval{planSpan(loc, 0, 9, 0, 11, 0), planSpan(loc, 0, 14, 0, 17, 0)},
			want:       "Mon 11:10–13:10 proposed",
			wantReason: []string{"over lunch on Mon"},
		},
		{
			name: "lunch used only after the rest of the week",
			settings: func(s *PlanSettings) {
				s.WeeklyGoal = 3 * time.Hour
				s.Hours[time.Tuesday] = Span{At(9, 0), At(17, 0)}
				s.HorizonDays = 2
			},
			busy: []Interval{planSpan(loc, 0, 9, 0, 11, 0), planSpan(loc, 0, 14, 0, 17, 0),
				planSpan(loc, 1, 9, 0, 15, 50)},
			want:       "Mon 11:10–13:10 proposed, Tue 16:00–17:00 proposed",
			wantReason: []string{"over lunch on Mon", "only free 1 h on Tue after lunch"},
		},
		{
			name:       "daily cap",
			settings:   func(s *PlanSettings) { s.HorizonDays = 7 },
			want:       "Mon 09:00–11:00 proposed, Mon 13:00–15:00 proposed",
			wantReason: []string{"longest free morning gap on Mon", "longest free afternoon gap on Mon"},
		},
		{
			name:       "daily cap shortens the last block",
			settings:   func(s *PlanSettings) { s.DailyCap = 3 * time.Hour },
			want:       "Mon 09:00–11:00 proposed, Mon 13:00–14:00 proposed",
			wantReason: []string{"", "left under the 3 h daily cap on Mon"},
		},
		{
			name:     "nothing shorter than the minimum",
			settings: func(s *PlanSettings) { s.Lunch = Span{}; s.Hours[time.Monday] = Span{At(9, 0), At(9, 55)} },
			want:     "",
		},
		{
			name: "30 min minimum allowed",
			settings: func(s *PlanSettings) {
				s.Lunch = Span{}
				s.MinBlock = 30 * time.Minute
				s.Hours[time.Monday] = Span{At(9, 0), At(9, 55)}
			},
			want:       "Mon 09:00–09:55 proposed",
			wantReason: []string{"only free 55 min on Mon morning"},
		},
		{
			name:       "morning preference",
			settings:   func(s *PlanSettings) { s.WeeklyGoal = 2 * time.Hour; s.Prefer = PreferMorning },
			want:       "Mon 09:00–11:00 proposed",
			wantReason: []string{"longest free morning gap on Mon"},
		},
		{
			name:       "afternoon preference",
			settings:   func(s *PlanSettings) { s.WeeklyGoal = 2 * time.Hour; s.Prefer = PreferAfternoon },
			want:       "Mon 13:00–15:00 proposed",
			wantReason: []string{"longest free afternoon gap on Mon"},
		},
		{
			name:     "afternoon preference without lunch starts at noon",
			settings: func(s *PlanSettings) { s.WeeklyGoal = 2 * time.Hour; s.Prefer = PreferAfternoon; s.Lunch = Span{} },
			want:     "Mon 12:00–14:00 proposed",
		},
		{
			name:       "afternoon preference falls back to the morning",
			settings:   func(s *PlanSettings) { s.WeeklyGoal = 2 * time.Hour; s.Prefer = PreferAfternoon },
			busy:       []Interval{planSpan(loc, 0, 13, 0, 17, 0)},
			want:       "Mon 10:00–12:00 proposed",
			wantReason: []string{"(no free afternoon slot left this week)"},
		},
		{
			name: "a longer block beats the preferred time of day",
			settings: func(s *PlanSettings) {
				s.WeeklyGoal = 2 * time.Hour
				s.Prefer = PreferMorning
			},
			busy: []Interval{planSpan(loc, 0, 10, 40, 12, 0)},
			want: "Mon 13:00–15:00 proposed",
		},
		{
			name: "out-of-office day gets no focus",
			settings: func(s *PlanSettings) {
				s.Hours[time.Tuesday] = s.Hours[time.Monday]
				s.HorizonDays = 2
				s.WeeklyGoal = 4 * time.Hour
			},
			oof:  []time.Time{planAt(loc, 0, 0, 0)},
			want: "Tue 09:00–11:00 proposed, Tue 13:00–15:00 proposed",
		},
		{
			name: "horizon",
			settings: func(s *PlanSettings) {
				s = defaultBerlin(s)
				s.HorizonDays = 3
			},
			want: "Mon 09:00–11:00 proposed, Mon 13:00–15:00 proposed, Tue 09:00–11:00 proposed, " +
				"Tue 13:00–15:00 proposed, Wed 09:00–11:00 proposed",
		},
		{
			name:       "goal met: stops, last block shortened",
			settings:   func(s *PlanSettings) { defaultBerlin(s); s.WeeklyGoal = 3 * time.Hour },
			want:       "Mon 09:00–11:00 proposed, Tue 09:00–10:00 proposed",
			wantReason: []string{"longest free morning gap on Mon", "1 h to reach the weekly goal, Tue morning"},
		},
		{
			name:     "focus already done this week counts",
			settings: func(s *PlanSettings) { defaultBerlin(s); s.HorizonDays = 7 },
			focused:  7 * time.Hour,
			want:     "Mon 09:00–11:00 proposed, Tue 09:00–10:00 proposed",
		},
		{
			name:     "goal already met this week: next week still planned",
			settings: func(s *PlanSettings) { defaultBerlin(s); s.HorizonDays = 8; s.WeeklyGoal = 2 * time.Hour },
			focused:  3 * time.Hour,
			want:     "Mon 09:00–11:00 proposed",
			from:     planAt(loc, 6, 8, 0),
		},
		{
			name:       "spreads across days",
			settings:   func(s *PlanSettings) { defaultBerlin(s); s.WeeklyGoal = 4 * time.Hour; s.Prefer = PreferAfternoon },
			want:       "Mon 13:00–15:00 proposed, Tue 13:00–15:00 proposed",
			wantReason: []string{"longest free afternoon gap on Mon", "longest free afternoon gap on Tue"},
		},
		{
			name:       "tombstone: never the same slot again",
			settings:   func(s *PlanSettings) { s.WeeklyGoal = 2 * time.Hour },
			tombstones: []Tombstone{{ID: "lull-20261123T0800Z", Start: planAt(loc, 0, 9, 0), End: planAt(loc, 0, 11, 0)}},
			want:       "Mon 13:00–15:00 proposed",
		},
		{
			name:       "tombstone of a short block still frees the rest of the morning",
			settings:   func(s *PlanSettings) { s.WeeklyGoal = 2 * time.Hour; s.Lunch = Span{} },
			tombstones: []Tombstone{{ID: "lull-x", Start: planAt(loc, 0, 9, 0), End: planAt(loc, 0, 9, 30)}},
			want:       "Mon 09:30–11:30 proposed",
		},
		{
			name:     "skipped block stays listed and guards its slot",
			settings: func(s *PlanSettings) { s.WeeklyGoal = 2 * time.Hour },
			existing: []Block{{ID: "lull-20261123T0800Z", Start: planAt(loc, 0, 9, 0), End: planAt(loc, 0, 11, 0), State: StateSkipped}},
			want:     "Mon 09:00–11:00 skipped, Mon 13:00–15:00 proposed",
		},
		{
			// Like a tombstone: a skipped block is no focus, so no buffer.
			name: "a skipped block guards only its own slot",
			settings: func(s *PlanSettings) {
				s.WeeklyGoal, s.Lunch = 2*time.Hour, Span{}
				s.Hours[time.Monday] = Span{At(9, 0), At(13, 0)}
			},
			existing: []Block{{ID: "lull-s", Start: planAt(loc, 0, 9, 0), End: planAt(loc, 0, 11, 0), State: StateSkipped}},
			want:     "Mon 09:00–11:00 skipped, Mon 11:00–13:00 proposed",
		},
		{
			name:     "accepted block kept where it is and counted",
			settings: func(s *PlanSettings) { s.WeeklyGoal = 3 * time.Hour },
			existing: []Block{{ID: "lull-a", Start: planAt(loc, 0, 15, 7), End: planAt(loc, 0, 16, 7), State: StateAccepted, Reason: "mine"}},
			want:     "Mon 09:00–11:00 proposed, Mon 15:07–16:07 accepted",
		},
		{
			name:     "accepted block in conflict moves, same day, nearest",
			settings: func(s *PlanSettings) { s.WeeklyGoal = 2 * time.Hour },
			existing: []Block{{ID: "lull-a", Start: planAt(loc, 0, 9, 0), End: planAt(loc, 0, 11, 0), State: StateAccepted}},
			busy:     []Interval{planSpan(loc, 0, 10, 0, 10, 30)},
			want:     "Mon 13:00–15:00 accepted",
			wantReason: []string{
				"moved from Mon 09:00 (now busy) to the nearest free slot"},
		},
		{
			name: "accepted block on a day now out of office moves",
			settings: func(s *PlanSettings) {
				s.Hours[time.Tuesday] = s.Hours[time.Monday]
				s.HorizonDays = 2
				s.WeeklyGoal = 2 * time.Hour
			},
			oof:        []time.Time{planAt(loc, 1, 0, 0)},
			existing:   []Block{{ID: "lull-a", Start: planAt(loc, 1, 9, 0), End: planAt(loc, 1, 11, 0), State: StateAccepted}},
			want:       "Mon 13:00–15:00 accepted", // nearest in time to Tue 09:00
			wantReason: []string{"moved from Tue 09:00 (now out of office)"},
		},
		{
			name:     "accepted block already running is left alone",
			settings: func(s *PlanSettings) { s.WeeklyGoal = 2 * time.Hour },
			from:     planAt(loc, 0, 10, 0),
			busy:     []Interval{planSpan(loc, 0, 10, 30, 10, 45)},
			existing: []Block{{ID: "lull-a", Start: planAt(loc, 0, 9, 0), End: planAt(loc, 0, 11, 0), State: StateAccepted}},
			want:     "Mon 09:00–11:00 accepted, Mon 13:00–14:00 proposed",
		},
		{
			name:     "accepted blocks beyond the horizon are kept, proposals there dropped",
			settings: func(s *PlanSettings) { s.WeeklyGoal = 0 },
			existing: []Block{{ID: "lull-a", Start: planAt(loc, 3, 9, 0), End: planAt(loc, 3, 11, 0), State: StateAccepted},
				{ID: "lull-p", Start: planAt(loc, 4, 9, 0), End: planAt(loc, 4, 11, 0), State: StateProposed}},
			want: "Thu 09:00–11:00 accepted",
		},
		{
			name:     "a proposal no longer needed for the goal is dropped",
			settings: func(s *PlanSettings) { s.WeeklyGoal = 2 * time.Hour },
			focused:  2 * time.Hour,
			existing: []Block{{ID: "lull-p", Start: planAt(loc, 0, 9, 0), End: planAt(loc, 0, 11, 0), State: StateProposed}},
			want:     "",
		},
		{
			name:     "a proposal still valid stays even where Lull would now choose otherwise",
			settings: func(s *PlanSettings) { s.WeeklyGoal = 2 * time.Hour },
			existing: []Block{{ID: "lull-p", Start: planAt(loc, 0, 14, 0), End: planAt(loc, 0, 16, 0), State: StateProposed, Reason: "earlier"}},
			want:     "Mon 14:00–16:00 proposed",
		},
		{
			name:     "ended blocks are history but count toward the daily cap",
			settings: func(s *PlanSettings) { s.WeeklyGoal = 10 * time.Hour; s.DailyCap = 3 * time.Hour },
			from:     planAt(loc, 0, 12, 0),
			existing: []Block{{ID: "lull-a", Start: planAt(loc, 0, 9, 0), End: planAt(loc, 0, 11, 0), State: StateAccepted}},
			want:     "Mon 13:00–14:00 proposed",
		},
		{
			name:     "not in the past, start rounded up to the grid",
			settings: func(s *PlanSettings) { s.WeeklyGoal = 2 * time.Hour },
			from:     planAt(loc, 0, 9, 2),
			want:     "Mon 09:05–11:05 proposed",
		},
		{
			// Two blocks either way; 2 h + 1 h would pass the goal by 40 min,
			// so the two blocks share the 2 h 20 min instead.
			name:       "a goal just over one block is reached exactly with two",
			settings:   func(s *PlanSettings) { s.WeeklyGoal = 2*time.Hour + 20*time.Minute },
			want:       "Mon 09:00–10:20 proposed, Mon 10:30–11:30 proposed",
			wantReason: []string{"1 h 20 min to reach the weekly goal, Mon morning", "1 h to reach the weekly goal, Mon morning"},
		},
		{
			name:       "a goal short by less than the minimum still gets a minimum block",
			settings:   func(s *PlanSettings) { s.WeeklyGoal = 2 * time.Hour },
			focused:    time.Hour + 40*time.Minute,
			want:       "Mon 09:00–10:00 proposed",
			wantReason: []string{"1 h (the minimum block) to reach the weekly goal, Mon morning"},
		},
		{
			name: "the buffer holds across midnight",
			settings: func(s *PlanSettings) {
				s.Lunch = Span{}
				s.Hours[time.Monday] = Span{At(20, 0), At(24, 0)}
				s.Hours[time.Tuesday] = Span{At(0, 0), At(4, 0)}
				s.HorizonDays = 2
				s.PreferredBlock, s.WeeklyGoal = 4*time.Hour, 8*time.Hour
			},
			want: "Mon 20:00–00:00 proposed, Tue 00:10–04:00 proposed",
		},
		{
			// The Sunday block is planned before Monday's week decides to
			// keep its proposal: the proposal must already keep the buffer.
			name: "a proposal right after the previous week's working hours is re-planned",
			settings: func(s *PlanSettings) {
				s.Lunch = Span{}
				s.Hours = [7]Span{}
				s.Hours[time.Sunday] = Span{At(20, 0), At(24, 0)}
				s.Hours[time.Monday] = Span{At(0, 0), At(4, 0)}
				s.HorizonDays = 2
				s.PreferredBlock, s.WeeklyGoal = 4*time.Hour, 4*time.Hour
			},
			from:     planAt(loc, 6, 8, 0),
			existing: []Block{{ID: "lull-p", Start: planAt(loc, 7, 0, 0), End: planAt(loc, 7, 4, 0), State: StateProposed}},
			want:     "Sun 20:00–00:00 proposed, Mon 00:10–04:00 proposed",
		},
		{
			name:     "zero goal plans nothing",
			settings: func(s *PlanSettings) { s.WeeklyGoal = 0 },
			want:     "",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := oneDay()
			if c.settings != nil {
				c.settings(&s)
			}
			from := c.from
			if from.IsZero() {
				from = mon8
			}
			in := PlanInput{From: from, Settings: s, Location: loc, Busy: c.busy, OutOfOffice: c.oof,
				Existing: c.existing, Tombstones: c.tombstones, FocusedThisWeek: c.focused}
			bs := mustPlan(t, in)
			if got := planSpans(bs, loc); got != c.want {
				t.Fatalf("blocks:\n got %s\nwant %s", got, c.want)
			}
			for i, w := range c.wantReason {
				if !strings.Contains(bs[i].Reason, w) {
					t.Errorf("block %d reason %q, want it to contain %q", i, bs[i].Reason, w)
				}
			}
			for _, b := range bs {
				for _, ts := range c.tombstones {
					if b.ID == ts.ID {
						t.Errorf("block reuses tombstoned ID %s", b.ID)
					}
				}
				if b.Reason == "" && b.State == StateProposed {
					t.Errorf("block %s has no reason", b.ID)
				}
			}
			for _, e := range c.existing {
				if e.State == StateAccepted && e.End.After(from) {
					found := false
					for _, b := range bs {
						found = found || b.ID == e.ID
					}
					if !found {
						t.Errorf("accepted block %s vanished", e.ID)
					}
				}
			}
			checkInvariants(t, in, bs)
			fresh := true
			for _, e := range c.existing {
				fresh = fresh && e.State != StateProposed
			}
			if fresh {
				checkOptimal(t, in, bs)
			}
		})
	}
}

// defaultBerlin turns s back into the default week (Mon–Fri 09–17) in
// Berlin with the default horizon.
func defaultBerlin(s *PlanSettings) *PlanSettings {
	d := DefaultPlanSettings()
	d.Zone = "Europe/Berlin"
	d.HorizonDays = 5
	*s = d
	return s
}

func TestPlanIDs(t *testing.T) {
	loc := planLoc(t)
	s := oneDay()
	s.WeeklyGoal = 2 * time.Hour
	bs := mustPlan(t, PlanInput{From: planAt(loc, 0, 8, 0), Settings: s, Location: loc})
	if len(bs) != 1 || bs[0].ID != "lull-20261123T0800Z" {
		t.Fatalf("want one block with ID lull-20261123T0800Z (09:00 Berlin = 08:00Z), got %+v", bs)
	}
	// A moved block keeps its ID; a new block at its old start gets a suffix.
	moved := Block{ID: "lull-20261123T0800Z", Start: planAt(loc, 0, 14, 0), End: planAt(loc, 0, 16, 0), State: StateAccepted}
	s.WeeklyGoal = 4 * time.Hour
	bs = mustPlan(t, PlanInput{From: planAt(loc, 0, 8, 0), Settings: s, Location: loc, Existing: []Block{moved}})
	if got := planSpans(bs, loc); got != "Mon 09:00–11:00 proposed, Mon 14:00–16:00 accepted" {
		t.Fatalf("got %s", got)
	}
	if bs[0].ID != "lull-20261123T0800Z-2" || bs[1].ID != moved.ID {
		t.Fatalf("IDs %s, %s: want lull-20261123T0800Z-2 for the new one and the moved one unchanged", bs[0].ID, bs[1].ID)
	}
}

func TestPlanDSTWorkingHours(t *testing.T) {
	// Sun 29 Mar 2026 02:00 → 03:00 in Berlin: a Sunday worked 00:00–06:00
	// has five real hours, and blocks stay on real wall-clock times.
	loc := planLoc(t)
	s := oneDay()
	s.Hours = [7]Span{}
	s.Hours[time.Sunday] = Span{At(0, 0), At(6, 0)}
	s.DailyCap = 6 * time.Hour
	s.PreferredBlock = 6 * time.Hour
	s.Lunch = Span{}
	from := time.Date(2026, 3, 29, 0, 0, 0, 0, loc)
	bs := mustPlan(t, PlanInput{From: from, Settings: s, Location: loc})
	if len(bs) != 1 || bs[0].Duration() != 5*time.Hour {
		t.Fatalf("want one 5 h block on the DST night, got %s", planSpans(bs, loc))
	}
	if got := bs[0].End.In(loc).Format("15:04"); got != "06:00" {
		t.Fatalf("ends %s, want 06:00", got)
	}
}

func TestPlanBadSettings(t *testing.T) {
	s := DefaultPlanSettings()
	s.MinBlock = 10 * time.Minute
	_, err := Plan(PlanInput{Settings: s})
	if err == nil || !strings.Contains(err.Error(), "minimum block") {
		t.Fatalf("Plan with a 10 min minimum: %v", err)
	}
}

func TestReplanMovesOnlyConflicting(t *testing.T) {
	loc := planLoc(t)
	s := DefaultPlanSettings()
	s.Zone = "Europe/Berlin"
	in := PlanInput{From: planAt(loc, 0, 8, 0), Settings: s, Location: loc,
		Busy: []Interval{planSpan(loc, 0, 9, 30, 10, 0), planSpan(loc, 2, 14, 0, 15, 0)}}
	first := mustPlan(t, in)
	// The user accepts two blocks; then a meeting lands on one accepted
	// and one proposed block.
	first[1].State = StateAccepted
	first[2].State = StateAccepted
	hitAccepted, hitProposed := first[1], first[3]
	in.Busy = append(in.Busy, Interval{hitAccepted.Start.Add(30 * time.Minute), hitAccepted.Start.Add(time.Hour)},
		Interval{hitProposed.End.Add(-time.Hour), hitProposed.End.Add(-30 * time.Minute)})
	c, err := Replan(first, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Move) != 1 || c.Move[0].From.ID != hitAccepted.ID || c.Move[0].To.ID != hitAccepted.ID || c.Move[0].To.State != StateAccepted {
		t.Fatalf("want exactly the accepted conflicting block moved, got %+v", c.Move)
	}
	if len(c.Remove) != 1 || c.Remove[0].ID != hitProposed.ID {
		t.Fatalf("want exactly the conflicting proposal removed, got %+v", c.Remove)
	}
	if len(c.Keep) != len(first)-2 {
		t.Fatalf("kept %d of %d, want all but the two conflicting", len(c.Keep), len(first))
	}
	for _, k := range c.Keep {
		if k == hitAccepted || k == hitProposed {
			t.Fatalf("conflicting block %s kept", k.ID)
		}
	}
	var lost time.Duration
	for _, a := range c.Add {
		lost += a.Duration()
	}
	if lost != hitProposed.Duration() {
		t.Errorf("added %v of proposals, want %v to replace the removed one", lost, hitProposed.Duration())
	}
	in.Existing = first
	checkInvariants(t, in, c.Blocks())
	// Re-planning with no change keeps everything.
	again, err := Replan(c.Blocks(), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Move)+len(again.Add)+len(again.Remove) != 0 {
		t.Fatalf("re-plan without a change altered the plan: %+v", again)
	}
}

func TestReplanAcceptedWithNoRoomIsRemoved(t *testing.T) {
	loc := planLoc(t)
	s := oneDay()
	acc := Block{ID: "lull-a", Start: planAt(loc, 0, 9, 0), End: planAt(loc, 0, 11, 0), State: StateAccepted}
	past := Block{ID: "lull-old", Start: planAt(loc, -7, 9, 0), End: planAt(loc, -7, 11, 0), State: StateAccepted}
	in := PlanInput{From: planAt(loc, 0, 8, 0), Settings: s, Location: loc, Busy: []Interval{planSpan(loc, 0, 8, 0, 18, 0)}}
	c, err := Replan([]Block{acc, past}, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Remove) != 1 || c.Remove[0].ID != "lull-a" || len(c.Keep)+len(c.Move)+len(c.Add) != 0 {
		t.Fatalf("want only lull-a removed (the past block is history), got %+v", c)
	}
}
