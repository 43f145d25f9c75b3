package calendar

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestPlanReachesReachableGoal reproduces the four ways the greedy planner
// (before the exact week optimiser) left focus on the table, each on a
// constructed week: the plan now reaches what the rules allow, and equals
// the exact oracle's optimum.
func TestPlanReachesReachableGoal(t *testing.T) {
	loc := planLoc(t)
	week := func(goal time.Duration) PlanSettings {
		s := DefaultPlanSettings()
		s.Zone = "Europe/Berlin"
		s.HorizonDays = 5
		s.WeeklyGoal = goal
		return s
	}
	// busyBut makes day d busy 09:00–17:00 except the free stretches
	// [from, to) given as "HH:MM-HH:MM" (the 10 min buffer is outside them).
	busyBut := func(d int, free ...string) []Interval {
		var out []Interval
		cur := planAt(loc, d, 8, 0)
		for _, f := range free {
			var h1, m1, h2, m2 int
			if _, err := fmt.Sscanf(f, "%d:%d-%d:%d", &h1, &m1, &h2, &m2); err != nil {
				t.Fatal(err)
			}
			out = append(out, Interval{cur, planAt(loc, d, h1, m1).Add(-10 * time.Minute)})
			cur = planAt(loc, d, h2, m2).Add(10 * time.Minute)
		}
		return append(out, Interval{cur, planAt(loc, d, 18, 0)})
	}
	cases := []struct {
		name     string
		settings PlanSettings
		busy     []Interval
		want     string
		total    time.Duration
		lunch    bool // the goal needs a block over lunch
	}{
		{
			// Greedy: 2 h in each 2 h 50 min gap, the 40 min left is below
			// the minimum: 4 × 2 h + 1 h 50 = 9 h 50 of a 10 h 40 goal.
			name:     "2 h blocks first leave leftovers below the minimum",
			settings: week(10*time.Hour + 40*time.Minute),
			busy: concat(busyBut(0, "09:00-11:50"), busyBut(1, "09:00-11:50"), busyBut(2, "09:00-11:50"),
				busyBut(3, "09:00-11:50"), busyBut(4, "13:00-14:50")),
			total: 10*time.Hour + 40*time.Minute,
		},
		{
			// Greedy: 13:00–14:00 first (clear of lunch), then 12:00–12:50
			// is too short: 1 h where the whole 12:00–14:00 was free.
			name:     "a block at 13:00–14:00 before considering 12:00–14:00",
			settings: week(2 * time.Hour),
			busy:     concat(busyBut(0, "12:00-14:00"), busyBut(1), busyBut(2), busyBut(3), busyBut(4)),
			want:     "Mon 12:00–14:00 proposed",
			total:    2 * time.Hour,
			lunch:    true,
		},
		{
			// Greedy: 09:00–11:00, then the 50 min left before lunch is too
			// short, so 11:10–12:10 over lunch; two blocks clear of lunch
			// reach the goal.
			name:     "lunch used when a lunch-free plan reaches the goal",
			settings: week(2*time.Hour + 50*time.Minute),
			busy:     concat(busyBut(0, "09:00-13:00"), busyBut(1), busyBut(2), busyBut(3), busyBut(4)),
			want:     "Mon 09:00–10:50 proposed, Mon 11:00–12:00 proposed",
			total:    2*time.Hour + 50*time.Minute,
		},
		{
			// All of it at once on a dense week with a 10 h goal: greedy
			// books 5 h (2 h + 1 h + 2 h), the rules allow 7 h 25 min
			// (2 h 40 + 2 h over lunch + 2 h 45; Thursday's and Friday's
			// gaps are below the minimum).
			name:     "a dense week gets the most the rules allow",
			settings: week(10 * time.Hour),
			busy: concat(busyBut(0, "09:00-11:50"), busyBut(1, "12:00-14:00"), busyBut(2, "09:00-11:55"),
				busyBut(3, "11:10-12:00", "14:00-14:40"), busyBut(4, "09:00-09:35", "15:00-15:55")),
			total: 7*time.Hour + 25*time.Minute,
			lunch: true,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := PlanInput{From: planAt(loc, 0, 8, 0), Settings: c.settings, Location: loc, Busy: c.busy}
			bs := mustPlan(t, in)
			var total time.Duration
			for _, b := range bs {
				total += b.Duration()
			}
			if total != c.total {
				t.Errorf("planned %s, want %s: %s", DurationText(total), DurationText(c.total), planSpans(bs, loc))
			}
			if c.want != "" && planSpans(bs, loc) != c.want {
				t.Errorf("blocks:\n got %s\nwant %s", planSpans(bs, loc), c.want)
			}
			checkInvariants(t, in, bs)
			checkOptimal(t, in, bs)
			overLunch := false
			for _, b := range bs {
				overLunch = overLunch || strings.Contains(b.Reason, "over lunch")
			}
			if overLunch != c.lunch {
				t.Errorf("a block over lunch: %v, want %v: %s", overLunch, c.lunch, planSpans(bs, loc))
			}
		})
	}
}

func concat(parts ...[]Interval) []Interval {
	var out []Interval
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
