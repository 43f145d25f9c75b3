package ics

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// seriesCase is a recurring series the override property test moves: its
// RRULE and an independent list of its instances' starts (wall clock in the
// series' zone), written out by hand from the rule.
type seriesCase struct {
	rule      string
	instances func(first time.Time) []time.Time
}

func everyNDays(n, count int) func(time.Time) []time.Time {
	return func(first time.Time) []time.Time {
		var out []time.Time
		for i := range count {
			out = append(out, first.AddDate(0, 0, n*i))
		}
		return out
	}
}

// TestOverridesAcrossWindowEdges: a RANGE=THISANDFUTURE or single
// RECURRENCE-ID override that moves instances by −3 to +4 days (and by
// hours) gives exactly the instances a brute-force expansion gives, for
// windows whose edges fall before, on, inside and after both the original
// and the moved times (issue 12: an instance moved into the window from
// beyond its edge was lost, and a focus block was planned over it).
func TestOverridesAcrossWindowEdges(t *testing.T) {
	series := []seriesCase{
		{"FREQ=DAILY;COUNT=12", everyNDays(1, 12)},
		{"FREQ=WEEKLY;COUNT=6", everyNDays(7, 6)},
		{"FREQ=DAILY;INTERVAL=2", everyNDays(2, 40)}, // open-ended: 40 instances cover every window used
		{"FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20240412T235959Z", func(first time.Time) []time.Time {
			var out []time.Time
			for d := first; d.Before(time.Date(2024, 4, 13, 0, 0, 0, 0, time.UTC)); d = d.AddDate(0, 0, 1) {
				if wd := d.Weekday(); wd == time.Monday || wd == time.Wednesday || wd == time.Friday {
					out = append(out, d)
				}
			}
			return out
		}},
	}
	shifts := []struct{ days, hours int }{{-3, 0}, {-2, 0}, {-1, 0}, {1, 0}, {2, 0}, {3, 0}, {4, 0}, {0, 2}, {-1, -3}, {4, 5}}
	zones := []string{"UTC", "Europe/Berlin"}
	checked := 0
	for _, zone := range zones {
		loc := mustLoc(t, zone)
		// Monday 4 March 2024, 15:00–16:00; Berlin changes to summer time
		// on 31 March, inside several series.
		first := time.Date(2024, 3, 4, 15, 0, 0, 0, loc)
		for _, sc := range series {
			orig := sc.instances(first)
			for _, k := range []int{0, 3} {
				for i, sh := range shifts {
					for _, future := range []bool{true, false} {
						// The moved instances keep their length or
						// double it, in turn.
						newLen := time.Duration(1+(i+k)%2) * time.Hour
						checked += checkOverride(t, zone, loc, sc.rule, orig, k, sh.days, sh.hours, future, newLen)
					}
				}
			}
		}
	}
	t.Logf("%d windows checked", checked)
	if checked < 5000 {
		t.Fatalf("only %d windows checked", checked)
	}
}

// checkOverride builds the calendar for one case, expands it over windows
// with edges around the moved instance and the next one, and compares with
// the brute-force expectation. It returns the number of windows checked.
func checkOverride(t *testing.T, zone string, loc *time.Location, rule string, orig []time.Time, k, days, hours int, future bool, newLen time.Duration) int {
	t.Helper()
	wall := func(tm time.Time) string { return tm.Format("20060102T150405") }
	move := func(tm time.Time) time.Time {
		y, m, d := tm.Date()
		h, mi, s := tm.Clock()
		return time.Date(y, m, d+days, h+hours, mi, s, 0, loc) // wall-clock move, as the producer meant
	}
	rid := orig[k]
	rng := ""
	if future {
		rng = ";RANGE=THISANDFUTURE"
	}
	tz := ";TZID=" + zone
	body := fmt.Sprintf("BEGIN:VEVENT\nUID:s\nSUMMARY:S\nDTSTART%[1]s:%[2]s\nDTEND%[1]s:%[3]s\nRRULE:%[4]s\nEND:VEVENT\n"+
		"BEGIN:VEVENT\nUID:s\nSUMMARY:moved\nRECURRENCE-ID%[1]s%[5]s:%[6]s\nDTSTART%[1]s:%[7]s\nDTEND%[1]s:%[8]s\nEND:VEVENT",
		tz, wall(orig[0]), wall(orig[0].Add(time.Hour)), rule, rng, wall(rid), wall(move(rid)), wall(move(rid).Add(newLen)))
	cal, err := Parse("t.ics", ics(body))
	if err != nil || len(cal.Problems) > 0 {
		t.Fatalf("%s: %v %v", body, err, cal.Problems)
	}
	type occ struct {
		start, end time.Time
		summary    string
	}
	var all []occ
	for i, s := range orig {
		switch {
		case i == k || (future && i > k):
			ms := move(s)
			all = append(all, occ{ms, ms.Add(newLen), "moved"})
		default:
			all = append(all, occ{s, s.Add(time.Hour), "S"})
		}
	}
	// Window edges around the original and moved times of instance k and
	// the one after it.
	var points []time.Time
	for _, i := range []int{k, k + 1} {
		if i >= len(orig) {
			continue
		}
		for _, base := range []time.Time{orig[i], move(orig[i])} {
			for _, d := range []time.Duration{-time.Minute, 0, 30 * time.Minute, newLen} {
				points = append(points, base.Add(d))
			}
		}
	}
	slices.SortFunc(points, func(a, b time.Time) int { return a.Compare(b) })
	points = slices.CompactFunc(points, func(a, b time.Time) bool { return a.Equal(b) })
	n := 0
	for i, from := range points {
		for _, to := range points[i+1:] {
			var want []string
			for _, o := range all {
				if o.start.Before(to) && o.end.After(from) {
					want = append(want, fmt.Sprintf("%s %s %s", o.start.UTC().Format(time.RFC3339), o.end.UTC().Format(time.RFC3339), o.summary))
				}
			}
			var got []string
			for _, o := range expandOK(t, cal, from, to, ExpandOptions{Location: loc}) {
				got = append(got, fmt.Sprintf("%s %s %s", o.Start.UTC().Format(time.RFC3339), o.End.UTC().Format(time.RFC3339), o.Summary))
			}
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("%s %s, override of instance %d by %dd%+dh (future %v, length %v), window %v – %v:\n got %s\nwant %s",
					zone, rule, k, days, hours, future, newLen, from, to, strings.Join(got, "; "), strings.Join(want, "; "))
			}
			n++
		}
	}
	return n
}
