package calendar

import (
	"math/rand"
	"testing"
	"time"
)

// smallWeekInput builds a small random planning problem the exact oracle
// solves quickly: a horizon of one to seven days, working days of one to
// six hours, a few meetings, and every rule varied: minimum and preferred
// lengths, daily cap, buffer (also off the grid), lunch, preferred time of
// day, out-of-office days, tombstones, accepted blocks (some now in
// conflict, some ended before From), skipped blocks and focus already done.
func smallWeekInput(r *rand.Rand) PlanInput {
	zones := []string{"Europe/Berlin", "America/New_York", "UTC", "Asia/Kathmandu", "Australia/Lord_Howe"}
	loc, _ := time.LoadLocation(zones[r.Intn(len(zones))])
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, loc).AddDate(0, 0, r.Intn(730))
	from := day.Add(time.Duration(r.Intn(14*60))*time.Minute + time.Duration(r.Intn(60))*time.Second)
	mins := func(lo, hi int) time.Duration { return time.Duration(lo+5*r.Intn((hi-lo)/5+1)) * time.Minute }

	s := DefaultPlanSettings()
	s.Zone = loc.String()
	s.HorizonDays = 1 + r.Intn(7)
	s.MinBlock = []time.Duration{30 * time.Minute, 35 * time.Minute, 45 * time.Minute, time.Hour, 75 * time.Minute}[r.Intn(5)]
	s.PreferredBlock = s.MinBlock + mins(0, 90)
	s.DailyCap = s.MinBlock + mins(0, 4*60)
	s.Buffer = []time.Duration{0, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 7 * time.Minute}[r.Intn(5)]
	s.Prefer = []TimeOfDay{PreferAny, PreferMorning, PreferAfternoon}[r.Intn(3)]
	s.WeeklyGoal = mins(0, 6*60)
	if r.Intn(3) == 0 {
		s.Lunch = Span{}
	} else {
		st := At(11, 0) + DayTime(5*r.Intn(25))
		s.Lunch = Span{st, st + DayTime(30+5*r.Intn(13))}
	}
	for d := range s.Hours {
		if r.Intn(5) == 0 {
			s.Hours[d] = Span{}
			continue
		}
		st := At(7, 0) + DayTime(5*r.Intn(12*7))
		s.Hours[d] = Span{st, st + DayTime(60+5*r.Intn(12*5))}
	}
	in := PlanInput{From: from, Settings: s, Location: loc}
	y, m, d := from.Date()
	for i := 0; i < s.HorizonDays; i++ {
		h := s.Hours[time.Date(y, m, d+i, 0, 0, 0, 0, loc).Weekday()]
		at := func() time.Time {
			return time.Date(y, m, d+i, 0, int(h.Start)-60+r.Intn(int(h.End-h.Start)+60), 0, 0, loc)
		}
		if h.Empty() {
			continue
		}
		for j := r.Intn(4); j > 0; j-- {
			st := at()
			in.Busy = append(in.Busy, Interval{st, st.Add(time.Duration(10+r.Intn(110)) * time.Minute)})
		}
		if r.Intn(10) == 0 {
			in.OutOfOffice = append(in.OutOfOffice, time.Date(y, m, d+i, 0, 0, 0, 0, loc))
		}
		if r.Intn(6) == 0 {
			st := at().Truncate(Grid)
			in.Tombstones = append(in.Tombstones, Tombstone{ID: "lull-t" + st.UTC().Format("0102T1504"), Start: st, End: st.Add(mins(30, 90))})
		}
		if r.Intn(5) == 0 {
			st := at().Truncate(Grid)
			state := StateAccepted
			if r.Intn(3) == 0 {
				state = StateSkipped
			}
			l := mins(30, int(min(2*time.Hour, s.DailyCap)/time.Minute)) // the user's own blocks keep the cap too
			in.Existing = append(in.Existing, Block{ID: "lull-e" + st.UTC().Format("0102T1504"), Start: st, End: st.Add(l), State: state})
		}
	}
	if s.WeeklyGoal > 0 && r.Intn(3) == 0 {
		in.FocusedThisWeek = time.Duration(r.Int63n(int64(s.WeeklyGoal)))
	}
	return in
}

// fixedOf returns the blocks of a plan the oracle must take as placed: the
// accepted (kept or moved) and the skipped ones.
func fixedOf(out []Block) []Block {
	var fixed []Block
	for _, b := range out {
		if b.State != StateProposed {
			fixed = append(fixed, b)
		}
	}
	return fixed
}

// TestPlanOracleAgreesWithBruteForce checks the exact oracle itself: on
// tiny random days its table equals enumerating every placement.
func TestPlanOracleAgreesWithBruteForce(t *testing.T) {
	r := rand.New(rand.NewSource(12))
	for i := 0; i < 300; i++ {
		n := 6 + r.Intn(30)
		d := oracleDay{free: make([]bool, n), lunch: make([]bool, n), off: make([]bool, n), capLeft: r.Intn(n + 5)}
		busyFrom, busyTo := r.Intn(n), r.Intn(n)
		lunchFrom := r.Intn(n)
		for j := range n {
			d.free[j] = !(j >= busyFrom && j < busyTo) && r.Intn(15) > 0
			d.lunch[j] = j >= lunchFrom && j < lunchFrom+6
			d.off[j] = j >= n/2
		}
		minS := 6 + r.Intn(4)
		prefS, bufS := minS+r.Intn(8), r.Intn(4)
		got, want := oracleExactDay(d, minS, prefS, bufS), oracleBruteDay(d, minS, prefS, bufS)
		if len(got) != len(want) {
			t.Fatalf("day %d: %d outcomes, brute force %d", i, len(got), len(want))
		}
		for k, c := range want {
			if got[k] != c {
				t.Fatalf("day %d %+v: oracle %+v, brute force %+v", i, k, got[k], c)
			}
		}
	}
}

// checkOptimal compares every week of a fresh plan with the exact oracle:
// the same total (the target reached, passed by less than a minimum
// block), lunch only when the oracle needs it, the same number of blocks,
// the same time over lunch and outside the preferred time of day.
func checkOptimal(t *testing.T, in PlanInput, out []Block) {
	t.Helper()
	for _, w := range oracleWeeks(in, fixedOf(out)) {
		best := w.exact(in.Settings, oracleExactDay)
		got := measureWeek(w, in, out)
		if got.total != best.total || got.cost != best.cost || (got.usesLunch && !best.lunchNeeded) {
			t.Errorf("week %d (need %v): plan has %d blocks, %d slots, %d over lunch, %d off-preference; optimum: %v",
				w.key, w.need, got.cost.blocks, got.total, got.cost.lunch, got.cost.off, best)
		}
		if got.total > 0 && time.Duration(got.total)*Grid-w.need >= in.Settings.MinBlock {
			t.Errorf("week %d: %d slots pass the goal (need %v) by a minimum block or more", w.key, got.total, w.need)
		}
	}
}

// TestPlanOptimalSmallWeeks: on hundreds of small random weeks the plan
// equals the exact optimum in every ranked respect and obeys every rule.
func TestPlanOptimalSmallWeeks(t *testing.T) {
	r := rand.New(rand.NewSource(20261212))
	weeks, lunch, short := 0, 0, 0
	for i := 0; i < 500; i++ {
		in := smallWeekInput(r)
		if err := in.Settings.Validate(); err != nil {
			t.Fatalf("week %d: generator made bad settings: %v", i, err)
		}
		out := mustPlan(t, in)
		checkInvariants(t, in, out)
		checkOptimal(t, in, out)
		for _, w := range oracleWeeks(in, fixedOf(out)) {
			h := w.hours(in.Settings)
			weeks++
			if h.lunchNeeded {
				lunch++
			}
			if h.target < w.needSlots() {
				short++
			}
		}
		if t.Failed() {
			t.Fatalf("week %d failed: from %v (%s), settings %+v\nbusy %v\noof %v\nexisting %v\ntombstones %v\nfocused %v\nplan %s",
				i, in.From, in.Location, in.Settings, in.Busy, in.OutOfOffice, in.Existing, in.Tombstones, in.FocusedThisWeek, planSpans(out, in.Location))
		}
	}
	t.Logf("%d weeks: %d needed lunch, %d could not reach the goal", weeks, lunch, short)
	if lunch < 20 || short < 50 || weeks-short < 50 {
		t.Errorf("generator too one-sided: %d weeks, %d needed lunch, %d short", weeks, lunch, short)
	}
}

// checkHours compares every week of a plan with the hours oracle: the
// target min(goal, most the rules allow) is reached and passed by less
// than a minimum block, lunch is used only when the target needs it, and
// the blocks are as few as possible, with the least total among those.
// It returns how many weeks could not reach the goal and how many could.
func checkHours(t *testing.T, in PlanInput, out []Block) (short, met int) {
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
		case got.cost.blocks != h.blocks || got.total != h.total:
			t.Errorf("week %d: %d blocks for %d slots; the fewest reaching %d are %d blocks for %d slots", w.key, got.cost.blocks, got.total, h.target, h.blocks, h.total)
		}
		if h.target < w.needSlots() {
			short++
		} else {
			met++
		}
	}
	return short, met
}

// TestPlanDenseCalendar plans 14 days from 80 dates across the dense
// five-year calendar of BenchmarkPlan, with the default rules and with
// 30 min blocks, a morning preference and a 12 h goal: every week reaches
// the hours oracle's target with the fewest blocks.
func TestPlanDenseCalendar(t *testing.T) {
	loc := planLoc(t)
	all := denseBusy(loc)
	r := rand.New(rand.NewSource(5))
	short := 0
	for i := 0; i < 80; i++ {
		from := time.Date(2022, 1, 3, 0, 0, 0, 0, loc).AddDate(0, 0, 22*i).Add(time.Duration(r.Intn(24*60)) * time.Minute)
		s := DefaultPlanSettings()
		s.Zone = "Europe/Berlin"
		if i%2 == 1 {
			s.MinBlock, s.Prefer, s.WeeklyGoal = 30*time.Minute, PreferMorning, 12*time.Hour
		}
		var busy []Interval
		for _, b := range all {
			if b.End.After(from.AddDate(0, 0, -1)) && b.Start.Before(from.AddDate(0, 0, 16)) {
				busy = append(busy, b)
			}
		}
		in := PlanInput{From: from, Settings: s, Location: loc, Busy: busy}
		out := mustPlan(t, in)
		checkInvariants(t, in, out)
		n, _ := checkHours(t, in, out)
		short += n
		if t.Failed() {
			t.Fatalf("plan from %v failed: %s", from, planSpans(out, loc))
		}
	}
	if short == 0 {
		t.Error("no week of the dense calendar fell short of the goal: the test does not reach the limit")
	}
}
