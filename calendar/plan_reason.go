package calendar

import (
	"fmt"
	"time"
)

// reason says in one line why the optimiser placed pb where it is: over
// lunch because the goal needs it; a preferred-length block in the day's
// longest (or another) free gap; a shorter one because the gap, the daily
// cap or the goal set its length, or because shorter blocks fit more focus
// into the gap. A block outside the preferred time of day says why.
func (p *planner) reason(wp weekPlan, pb plannedBlock) string {
	g := pb.g
	d := g.day
	day := d.date.Format("Mon")
	start := g.slotAt(pb.sp.s)
	morning := start.Before(d.noon)
	period := "afternoon"
	if morning {
		period = "morning"
	}
	when := day + " " + period
	if !morning && d.lunch.Duration() > 0 {
		when = day + " after lunch"
	}
	l := time.Duration(pb.sp.e-pb.sp.s) * Grid
	overLunch := false
	for j := pb.sp.s; j < pb.sp.e; j++ {
		overLunch = overLunch || g.lunch[j]
	}
	runs := maskRuns(pb.sol.mask)
	var run span
	for _, r := range runs {
		if r.s <= pb.sp.s && pb.sp.e <= r.e {
			run = r
		}
	}
	var r string
	switch {
	case overLunch && wp.target == wp.need:
		return fmt.Sprintf("over lunch on %s: the weekly goal cannot be reached without it", day)
	case overLunch:
		return fmt.Sprintf("over lunch on %s: without it the week falls further short of the goal", day)
	case l == p.s.PreferredBlock:
		longest := true
		for _, o := range runs {
			if o != run && g.slotAt(o.s).Before(d.noon) == morning && o.e-o.s > run.e-run.s {
				longest = false
			}
		}
		if longest {
			r = fmt.Sprintf("longest free %s gap on %s", period, day)
		} else {
			r = fmt.Sprintf("%s in a free %s gap on %s", DurationText(l), period, day)
		}
	case run.e-run.s == pb.sp.e-pb.sp.s:
		r = fmt.Sprintf("only free %s on %s", DurationText(l), when)
	case pb.capped:
		r = fmt.Sprintf("%s left under the %s daily cap on %s %s", DurationText(l), DurationText(p.s.DailyCap), day, period)
	case wp.target == wp.need && l == p.s.MinBlock && wp.total > wp.target:
		r = fmt.Sprintf("%s (the minimum block) to reach the weekly goal, %s %s", DurationText(l), day, period)
	case wp.target == wp.need:
		r = fmt.Sprintf("%s to reach the weekly goal, %s %s", DurationText(l), day, period)
	default:
		r = fmt.Sprintf("%s so the free time on %s holds the most focus", DurationText(l), when)
	}
	if p.s.Prefer != PreferAny && g.offPref[pb.sp.s] {
		if p.preferredLeft(wp) {
			r += " (fewer blocks this way)"
		} else {
			r += fmt.Sprintf(" (no free %s slot left this week)", p.s.Prefer)
		}
	}
	return r
}

// maskRuns returns the runs of true slots in mask.
func maskRuns(mask []bool) []span {
	var out []span
	for i := 0; i < len(mask); {
		if !mask[i] {
			i++
			continue
		}
		j := i
		for j < len(mask) && mask[j] {
			j++
		}
		out = append(out, span{i, j})
		i = j
	}
	return out
}

// preferredLeft reports whether a block of the minimum length still fits
// in the preferred time of day somewhere in the week next to wp's blocks.
func (p *planner) preferredLeft(wp weekPlan) bool {
	minS := int(p.s.MinBlock / Grid)
	bufS := int((p.s.Buffer + Grid - 1) / Grid)
	for _, g := range wp.grids {
		used := 0
		ok := make([]bool, g.n)
		for j := range ok {
			ok[j] = g.free[j] && !g.offPref[j] && (wp.lunchNeeded || !g.lunch[j])
		}
		for _, pb := range wp.blocks {
			if pb.g != g {
				continue
			}
			used += pb.sp.e - pb.sp.s
			for j := max(pb.sp.s-bufS, 0); j < min(pb.sp.e+bufS, g.n); j++ {
				ok[j] = false
			}
		}
		if g.capLeft-used < minS {
			continue
		}
		for _, r := range maskRuns(ok) {
			if r.e-r.s >= minS {
				return true
			}
		}
	}
	return false
}
