package calendar

import (
	"math/rand"
	"reflect"
	"sort"
	"testing"
	"time"
	_ "time/tzdata" // the property tests must not depend on the machine's zoneinfo
)

// onGridT reports whether t is on the 5 min grid.
func onGridT(t time.Time) bool { return t.UnixNano()%int64(Grid) == 0 }

// workOf returns the working window of t's local day, computed directly
// from the settings (independently of the planner's own day table).
func workOf(s PlanSettings, loc *time.Location, t time.Time) (Interval, bool) {
	l := t.In(loc)
	h := s.Hours[l.Weekday()]
	if h.Empty() {
		return Interval{}, false
	}
	y, m, d := l.Date()
	return Interval{time.Date(y, m, d, int(h.Start)/60, int(h.Start)%60, 0, 0, loc),
		time.Date(y, m, d, int(h.End)/60, int(h.End)%60, 0, 0, loc)}, true
}

// checkInvariants asserts the hard rules on a plan: busy ± buffer,
// working hours, out-of-office days, tombstones, daily cap, minimum length,
// not in the past, the grid, the horizon, and the buffer between blocks.
// Accepted blocks that are unchanged from in.Existing are the user's own
// and exempt from working hours and the grid.
func checkInvariants(t *testing.T, in PlanInput, out []Block) {
	t.Helper()
	s := in.Settings
	loc := in.Location
	from := in.From.Truncate(Grid)
	if from.Before(in.From) {
		from = from.Add(Grid)
	}
	y, m, d := from.In(loc).Date()
	horizonEnd := time.Date(y, m, d+s.HorizonDays, 0, 0, 0, 0, loc)
	unchanged := map[Block]bool{}
	for _, e := range in.Existing {
		unchanged[e] = true
	}
	oof := map[int]bool{}
	for _, o := range in.OutOfOffice {
		oof[dateKey(o.In(loc))] = true
	}
	perDay := map[int]time.Duration{}
	var live []Block
	for _, b := range out {
		if b.State == StateSkipped {
			if !unchanged[b] {
				t.Errorf("skipped block %s was altered or invented", b.ID)
			}
			continue
		}
		live = append(live, b)
		perDay[dateKey(b.Start.In(loc))] += b.Duration()
		if unchanged[b] && b.State == StateAccepted {
			continue
		}
		if b.Start.Before(from) {
			t.Errorf("block %s starts %v before from %v", b.ID, b.Start, from)
		}
		for _, busy := range in.Busy {
			if (Interval{busy.Start.Add(-s.Buffer), busy.End.Add(s.Buffer)}).Overlaps(b.Interval()) {
				t.Errorf("block %s %v–%v overlaps busy %v–%v ± %v", b.ID, b.Start.In(loc), b.End.In(loc), busy.Start.In(loc), busy.End.In(loc), s.Buffer)
			}
		}
		w, ok := workOf(s, loc, b.Start)
		if !ok || b.Start.Before(w.Start) || b.End.After(w.End) {
			t.Errorf("block %s %v–%v outside working hours %v", b.ID, b.Start.In(loc), b.End.In(loc), w)
		}
		if oof[dateKey(b.Start.In(loc))] {
			t.Errorf("block %s on an out-of-office day", b.ID)
		}
		for _, ts := range in.Tombstones {
			if (Interval{ts.Start, ts.End}).Overlaps(b.Interval()) || ts.ID == b.ID {
				t.Errorf("block %s over tombstone %s", b.ID, ts.ID)
			}
		}
		for _, e := range in.Existing {
			if e.State == StateSkipped && e.Interval().Overlaps(b.Interval()) {
				t.Errorf("block %s over skipped block %s", b.ID, e.ID)
			}
		}
		if b.State == StateProposed {
			if b.Duration() < s.MinBlock {
				t.Errorf("block %s is %v, shorter than the minimum %v", b.ID, b.Duration(), s.MinBlock)
			}
			if b.Duration() > s.PreferredBlock {
				t.Errorf("block %s is %v, longer than the preferred %v", b.ID, b.Duration(), s.PreferredBlock)
			}
			if !onGridT(b.Start) || !onGridT(b.End) {
				t.Errorf("block %s %v–%v off the grid", b.ID, b.Start, b.End)
			}
			if b.End.After(horizonEnd) {
				t.Errorf("block %s beyond the horizon %v", b.ID, horizonEnd)
			}
			if b.Reason == "" {
				t.Errorf("block %s has no reason", b.ID)
			}
		}
	}
	for day, total := range perDay {
		if total > s.DailyCap {
			t.Errorf("day %d has %v of focus, over the cap %v", day, total, s.DailyCap)
		}
	}
	sortBlocks(live)
	ids := map[string]bool{}
	for i, b := range live {
		if ids[b.ID] {
			t.Errorf("duplicate ID %s", b.ID)
		}
		ids[b.ID] = true
		if i > 0 && b.Start.Before(live[i-1].End.Add(s.Buffer)) && !(unchanged[b] && unchanged[live[i-1]]) {
			t.Errorf("blocks %s and %s closer than the buffer", live[i-1].ID, b.ID)
		}
	}
}

var propZones = []string{"Europe/Berlin", "America/New_York", "UTC", "Asia/Kathmandu", "Australia/Lord_Howe",
	"America/St_Johns", "Asia/Tokyo", "Pacific/Chatham", "America/Sao_Paulo"}

// dstStarts are dates just before DST changes in Berlin and New York.
var dstStarts = []string{"2026-03-26", "2026-10-22", "2026-03-05", "2026-10-29", "2027-03-25", "2027-10-28", "2027-03-11", "2027-11-04"}

// randomInput builds a random but valid planning problem.
func randomInput(r *rand.Rand) PlanInput {
	zone := propZones[r.Intn(len(propZones))]
	var from time.Time
	loc, _ := time.LoadLocation(zone)
	if r.Intn(3) == 0 {
		// A DST week in Berlin or New York.
		if r.Intn(2) == 0 {
			zone = "Europe/Berlin"
		} else {
			zone = "America/New_York"
		}
		loc, _ = time.LoadLocation(zone)
		day, _ := time.ParseInLocation("2006-01-02", dstStarts[r.Intn(len(dstStarts))], loc)
		from = day.Add(time.Duration(r.Intn(24*60)) * time.Minute)
	} else {
		from = time.Date(2026, 1, 1, 0, 0, 0, 0, loc).Add(time.Duration(r.Intn(700*24*60)) * time.Minute)
	}
	from = from.Add(time.Duration(r.Intn(60)) * time.Second)

	s := DefaultPlanSettings()
	s.Zone = zone
	mins := func(lo, hi int) time.Duration { return time.Duration(lo+5*r.Intn((hi-lo)/5+1)) * time.Minute }
	s.WeeklyGoal = mins(0, 20*60)
	s.MinBlock = mins(30, 90)
	s.PreferredBlock = s.MinBlock + mins(0, 120)
	s.DailyCap = s.MinBlock + mins(0, 6*60)
	s.Buffer = mins(0, 15)
	s.Prefer = []TimeOfDay{PreferAny, PreferMorning, PreferAfternoon}[r.Intn(3)]
	s.HorizonDays = 1 + r.Intn(21)
	if r.Intn(4) == 0 {
		s.Lunch = Span{}
	} else {
		st := At(11, 0) + DayTime(5*r.Intn(25))
		s.Lunch = Span{st, st + DayTime(30+5*r.Intn(7))}
	}
	for d := range s.Hours {
		switch {
		case r.Intn(5) == 0:
			s.Hours[d] = Span{}
		case r.Intn(10) == 0:
			s.Hours[d] = Span{0, At(23, 30)} // crosses the 02:00 DST change
		default:
			st := DayTime(5 * r.Intn(12*12)) // 00:00–11:55
			s.Hours[d] = Span{st, st + DayTime(120+5*r.Intn(12*10))}
			if s.Hours[d].End > At(23, 30) {
				s.Hours[d].End = At(23, 30)
			}
		}
	}
	in := PlanInput{From: from, Settings: s, Location: loc}
	y, m, d := from.In(loc).Date()
	density := r.Intn(14)
	for i := -1; i <= s.HorizonDays; i++ {
		n := r.Intn(density + 1)
		for j := 0; j < n; j++ {
			st := time.Date(y, m, d+i, 6+r.Intn(14), r.Intn(60), 0, 0, loc)
			in.Busy = append(in.Busy, Interval{st, st.Add(time.Duration(15+r.Intn(180)) * time.Minute)})
		}
		if r.Intn(12) == 0 {
			in.OutOfOffice = append(in.OutOfOffice, time.Date(y, m, d+i, 0, 0, 0, 0, loc))
		}
		if r.Intn(8) == 0 {
			st := time.Date(y, m, d+i, 7+r.Intn(10), 5*r.Intn(12), 0, 0, loc)
			in.Tombstones = append(in.Tombstones, Tombstone{ID: "lull-" + st.UTC().Format("20060102T1504Z"), Start: st, End: st.Add(time.Hour)})
		}
	}
	if s.WeeklyGoal > 0 && r.Intn(3) == 0 {
		in.FocusedThisWeek = time.Duration(r.Int63n(int64(s.WeeklyGoal)))
	}
	return in
}

const propCalendars = 600

func TestPlanProperties(t *testing.T) {
	r := rand.New(rand.NewSource(20261122))
	weeksShort, weeksMet := 0, 0
	for i := 0; i < propCalendars; i++ {
		in := randomInput(r)
		if err := in.Settings.Validate(); err != nil {
			t.Fatalf("calendar %d: generator made bad settings: %v", i, err)
		}
		out := mustPlan(t, in)
		checkInvariants(t, in, out)
		short, met := checkHours(t, in, out)
		weeksShort += short
		weeksMet += met

		// Deterministic, whatever the order of the busy list.
		shuffled := in
		shuffled.Busy = append([]Interval(nil), in.Busy...)
		r.Shuffle(len(shuffled.Busy), func(a, b int) { shuffled.Busy[a], shuffled.Busy[b] = shuffled.Busy[b], shuffled.Busy[a] })
		if again := mustPlan(t, shuffled); !reflect.DeepEqual(again, out) {
			t.Fatalf("calendar %d: same input, different plan:\n%v\n%v", i, planSpans(out, in.Location), planSpans(again, in.Location))
		}
		// Stable: planning again with the plan as existing blocks changes nothing.
		withOut := in
		withOut.Existing = out
		if again := mustPlan(t, withOut); !reflect.DeepEqual(again, out) {
			t.Fatalf("calendar %d: re-plan of a plan changed it:\n%v\n%v", i, planSpans(out, in.Location), planSpans(again, in.Location))
		}
		if t.Failed() {
			t.Fatalf("calendar %d (zone %s, from %v, settings %+v) failed", i, in.Settings.Zone, in.From, in.Settings)
		}
	}
	t.Logf("%d calendars; %d weeks met the goal, %d fell short for lack of free time", propCalendars, weeksMet, weeksShort)
	if weeksMet < 100 || weeksShort < 100 {
		t.Errorf("generator too one-sided: %d weeks met, %d short", weeksMet, weeksShort)
	}
}

// TestReplanProperties: on random calendars, accept some blocks, add
// meetings, re-plan: accepted blocks that do not conflict with the new
// meetings are kept exactly, conflicting ones keep their ID and state, and
// the result obeys every hard rule. Proposals that do not conflict are kept
// exactly when their week, with them in place, still reaches the target
// (computed without them), passes the goal by less than a minimum block
// and uses lunch only when the target needs it; otherwise that week is
// planned afresh. Every week reaches its target either way.
func TestReplanProperties(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	replanned := 0
	for i := 0; i < propCalendars/2; i++ {
		in := randomInput(r)
		first := mustPlan(t, in)
		for j := range first {
			if r.Intn(2) == 0 {
				first[j].State = StateAccepted
			}
		}
		var added []Interval
		for j := 0; j < 1+r.Intn(3); j++ {
			if len(first) > 0 && r.Intn(3) > 0 {
				b := first[r.Intn(len(first))]
				st := b.Start.Add(time.Duration(r.Int63n(int64(b.Duration()))))
				added = append(added, Interval{st, st.Add(time.Duration(10+r.Intn(90)) * time.Minute)})
			} else {
				st := in.From.Add(time.Duration(r.Intn(in.Settings.HorizonDays*24*60)) * time.Minute)
				added = append(added, Interval{st, st.Add(time.Duration(10+r.Intn(120)) * time.Minute)})
			}
		}
		in.Busy = append(append([]Interval(nil), in.Busy...), added...)
		c, err := Replan(first, in)
		if err != nil {
			t.Fatal(err)
		}
		kept := map[string]bool{}
		for _, k := range c.Keep {
			kept[k.ID] = true
		}
		hit := func(b Block) bool {
			for _, a := range added {
				if (Interval{a.Start.Add(-in.Settings.Buffer), a.End.Add(in.Settings.Buffer)}).Overlaps(b.Interval()) {
					return true
				}
			}
			return false
		}
		after := c.Blocks()
		stay := stayingProposals(in, first, after, hit)
		for _, b := range first {
			switch {
			case hit(b) && kept[b.ID]:
				t.Errorf("calendar %d: block %s conflicts with a new meeting but was kept", i, b.ID)
			case !hit(b) && b.State == StateAccepted && !kept[b.ID]:
				t.Errorf("calendar %d: accepted block %s does not conflict with the new meetings but was not kept", i, b.ID)
			case !hit(b) && b.State == StateProposed && kept[b.ID] != stay[b.ID]:
				t.Errorf("calendar %d: proposal %s kept %v, want %v", i, b.ID, kept[b.ID], stay[b.ID])
			case !hit(b) && b.State == StateProposed && !kept[b.ID]:
				replanned++
			}
		}
		checkReplanHours(t, in, after)
		for _, mv := range c.Move {
			if mv.From.State != StateAccepted || mv.To.State != StateAccepted || mv.From.ID != mv.To.ID {
				t.Errorf("calendar %d: bad move %+v", i, mv)
			}
		}
		for _, a := range c.Add {
			if a.State != StateProposed {
				t.Errorf("calendar %d: added block %s is %s", i, a.ID, a.State)
			}
		}
		withPrev := in
		withPrev.Existing = first
		checkInvariants(t, withPrev, c.Blocks())
		if t.Failed() {
			t.Fatalf("calendar %d (zone %s, from %v) failed", i, in.Settings.Zone, in.From)
		}
	}
	t.Logf("%d proposals clear of the new meetings were planned afresh", replanned)
}

// stayingProposals says which proposals of previous that the hit function
// leaves clear should be kept: in each week, in start order, those needed
// while the week is short of its goal, when with them in place the week
// still reaches the target it has without them (by the hours oracle),
// passes the goal by less than a minimum block and uses lunch only when
// that target needs it.
func stayingProposals(in PlanInput, previous, after []Block, hit func(Block) bool) map[string]bool {
	loc := in.Location
	fixed := fixedOf(after)
	byWeek := map[int][]Block{}
	for _, b := range previous {
		if b.State == StateProposed && !hit(b) {
			y, w := b.Start.In(loc).ISOWeek()
			byWeek[y*100+w] = append(byWeek[y*100+w], b)
		}
	}
	stay := map[string]bool{}
	for _, w := range oracleWeeks(in, fixed) {
		held := byWeek[w.key]
		sortBlocks(held)
		var prefix []Block
		var cum time.Duration
		for _, b := range held {
			if cum >= w.need {
				break
			}
			prefix = append(prefix, b)
			cum += b.Duration()
		}
		if len(prefix) == 0 {
			continue
		}
		scratch := w.hours(in.Settings)
		lunch := false
		for _, b := range prefix {
			if !in.Settings.Lunch.Empty() {
				y, m, d := b.Start.In(loc).Date()
				l := Interval{time.Date(y, m, d, 0, int(in.Settings.Lunch.Start), 0, 0, loc), time.Date(y, m, d, 0, int(in.Settings.Lunch.End), 0, 0, loc)}
				lunch = lunch || l.Overlaps(b.Interval())
			}
		}
		var rest oracleHours
		for _, w2 := range oracleWeeks(in, append(append([]Block(nil), fixed...), prefix...)) {
			if w2.key == w.key {
				rest = w2.hours(in.Settings)
			}
		}
		total := cum + time.Duration(rest.total)*Grid
		lunch = lunch || (rest.target > 0 && rest.lunchNeeded)
		if total >= time.Duration(scratch.target)*Grid && total-w.need < in.Settings.MinBlock && (!lunch || scratch.lunchNeeded) {
			for _, b := range prefix {
				stay[b.ID] = true
			}
		}
	}
	return stay
}

// checkReplanHours checks every week of a re-plan that may have kept
// earlier proposals: the target (computed without the proposals) is
// reached and passed by less than a minimum block, and lunch is used only
// when the target needs it.
func checkReplanHours(t *testing.T, in PlanInput, out []Block) {
	t.Helper()
	for _, w := range oracleWeeks(in, fixedOf(out)) {
		h := w.hours(in.Settings)
		got := measureWeek(w, in, out)
		switch {
		case got.total < h.target:
			t.Errorf("week %d: %d slots planned, target %d (need %v, the rules allow %d)", w.key, got.total, h.target, w.need, h.max)
		case got.total > 0 && time.Duration(got.total)*Grid-w.need >= in.Settings.MinBlock:
			t.Errorf("week %d: %d slots pass the goal (need %v) by a minimum block or more", w.key, got.total, w.need)
		case got.usesLunch && !h.lunchNeeded:
			t.Errorf("week %d: lunch used, but %d lunch-free slots reach the target %d", w.key, h.max0, h.target)
		}
	}
}

// TestPlanIndependentOfExistingOrder: the order of existing blocks does not
// matter.
func TestPlanIndependentOfExistingOrder(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for i := 0; i < 50; i++ {
		in := randomInput(r)
		in.Existing = mustPlan(t, in)
		for j := range in.Existing {
			if j%2 == 0 {
				in.Existing[j].State = StateAccepted
			}
		}
		a := mustPlan(t, in)
		rev := append([]Block(nil), in.Existing...)
		sort.Slice(rev, func(x, y int) bool { return rev[x].Start.After(rev[y].Start) })
		in.Existing = rev
		if b := mustPlan(t, in); !reflect.DeepEqual(a, b) {
			t.Fatalf("calendar %d: plan depends on the order of existing blocks", i)
		}
	}
}
