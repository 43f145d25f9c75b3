package calendar

import (
	"fmt"
	"time"
)

// This file is the planner's test oracle: the best plan of each ISO week,
// found by plain searches over the 5-minute grid that share nothing with
// plan_week.go but the rules of PRODUCT.md as Plan documents them. The
// hours oracle (reachable totals and the fewest blocks for each, as bit
// sets) is fast enough for large random calendars; the exact oracle (every
// (total, blocks, lunch used) with its least lunch and off-preference time)
// is for small weeks, and is itself checked against enumerating every
// placement on tiny days.

// oracleDay is one horizon day with working hours, built from the input.
type oracleDay struct {
	date    time.Time
	start   time.Time // start of slot 0
	free    []bool    // a new block may use the slot
	lunch   []bool    // the slot overlaps lunch
	off     []bool    // the slot is outside the preferred time of day
	capLeft int       // slots of new focus the daily cap allows
}

// oracleWeek is one ISO week of the horizon.
type oracleWeek struct {
	key  int
	days []oracleDay
	// need is the goal minus FocusedThisWeek (first week) and the fixed
	// accepted focus after From.
	need time.Duration
}

func (w *oracleWeek) needSlots() int {
	if w.need <= 0 {
		return 0
	}
	return int((w.need + Grid - 1) / Grid)
}

// oracleFrom is From rounded up to the grid.
func oracleFrom(in PlanInput) time.Time {
	f := in.From.Truncate(Grid)
	if f.Before(in.From) {
		f = f.Add(Grid)
	}
	return f
}

// oracleWeeks lays out the horizon's weeks from the input alone. fixed are
// blocks already placed (the accepted and skipped blocks of a result, and
// any proposals a test holds in place): they block their slots ± buffer
// (a skipped block only its own slot, like a tombstone) and, unless
// skipped, count toward their day's cap and the goal.
// Accepted blocks of in.Existing that ended before From count toward the
// cap of their day.
func oracleWeeks(in PlanInput, fixed []Block) []*oracleWeek {
	s, loc := in.Settings, in.Location
	from := oracleFrom(in)
	y, m, d := from.In(loc).Date()
	oof := map[string]bool{}
	for _, o := range in.OutOfOffice {
		oof[o.In(loc).Format("2006-01-02")] = true
	}
	var blocked []Interval
	for _, b := range in.Busy {
		blocked = append(blocked, Interval{b.Start.Add(-s.Buffer), b.End.Add(s.Buffer)})
	}
	for _, ts := range in.Tombstones {
		blocked = append(blocked, Interval{ts.Start, ts.End})
	}
	load := map[string]time.Duration{}
	counted := map[int]time.Duration{}
	for _, b := range fixed {
		if b.State == StateSkipped {
			blocked = append(blocked, b.Interval()) // its own slot, like a tombstone
			continue
		}
		blocked = append(blocked, Interval{b.Start.Add(-s.Buffer), b.End.Add(s.Buffer)})
		load[b.Start.In(loc).Format("2006-01-02")] += b.Duration()
		st := b.Start
		if st.Before(from) {
			st = from
		}
		if b.End.After(st) {
			yy, ww := b.Start.In(loc).ISOWeek()
			counted[yy*100+ww] += b.End.Sub(st)
		}
	}
	seen := map[string]bool{}
	for _, b := range in.Existing {
		if b.State == StateAccepted && !b.End.After(from) && !seen[b.ID] && b.End.After(b.Start) {
			seen[b.ID] = true
			load[b.Start.In(loc).Format("2006-01-02")] += b.Duration()
		}
	}
	var weeks []*oracleWeek
	var prevEnd time.Time // end of the previous day's working hours
	for i := 0; i < s.HorizonDays; i++ {
		date := time.Date(y, m, d+i, 0, 0, 0, 0, loc)
		yy, ww := date.ISOWeek()
		key := yy*100 + ww
		if len(weeks) == 0 || weeks[len(weeks)-1].key != key {
			need := s.WeeklyGoal - counted[key]
			if len(weeks) == 0 {
				need -= in.FocusedThisWeek
			}
			weeks = append(weeks, &oracleWeek{key: key, need: need})
		}
		day := date.Format("2006-01-02")
		h := s.Hours[date.Weekday()]
		// Blocks on two days keep the buffer too: a day starts no earlier
		// than a buffer after the previous day's working hours end.
		dayBlocked := blocked
		if !prevEnd.IsZero() {
			dayBlocked = append(blocked[:len(blocked):len(blocked)], Interval{prevEnd, prevEnd.Add(s.Buffer)})
		}
		prevEnd = time.Time{}
		if h.Empty() || oof[day] {
			continue
		}
		ws := time.Date(y, m, d+i, 0, int(h.Start), 0, 0, loc)
		we := time.Date(y, m, d+i, 0, int(h.End), 0, 0, loc)
		if ws.Before(from) {
			ws = from
		}
		if we.After(ws) {
			prevEnd = we
		}
		if c := ws.Truncate(Grid); c.Before(ws) {
			ws = c.Add(Grid)
		}
		we = we.Truncate(Grid)
		n := int(we.Sub(ws) / Grid)
		if n <= 0 {
			continue
		}
		lunch := Interval{}
		noon := time.Date(y, m, d+i, 12, 0, 0, 0, loc)
		if !s.Lunch.Empty() {
			lunch = Interval{time.Date(y, m, d+i, 0, int(s.Lunch.Start), 0, 0, loc), time.Date(y, m, d+i, 0, int(s.Lunch.End), 0, 0, loc)}
			noon = lunch.Start
		}
		od := oracleDay{date: date, start: ws, free: make([]bool, n), lunch: make([]bool, n), off: make([]bool, n)}
		var today []Interval
		for _, b := range dayBlocked {
			if b.Overlaps(Interval{ws, we}) {
				today = append(today, b)
			}
		}
		for j := 0; j < n; j++ {
			slot := Interval{ws.Add(time.Duration(j) * Grid), ws.Add(time.Duration(j+1) * Grid)}
			od.free[j] = true
			for _, b := range today {
				if b.Overlaps(slot) {
					od.free[j] = false
					break
				}
			}
			od.lunch[j] = lunch.Overlaps(slot)
			switch s.Prefer {
			case PreferMorning:
				od.off[j] = !slot.Start.Before(noon)
			case PreferAfternoon:
				od.off[j] = slot.Start.Before(noon)
			}
		}
		if left := s.DailyCap - load[day]; left > 0 {
			od.capLeft = int(left / Grid)
		}
		weeks[len(weeks)-1].days = append(weeks[len(weeks)-1].days, od)
	}
	return weeks
}

// oracleSlots returns the minimum, preferred and buffer lengths in slots.
func oracleSlots(s PlanSettings) (minS, prefS, bufS int) {
	return int(s.MinBlock / Grid), int(s.PreferredBlock / Grid), int((s.Buffer + Grid - 1) / Grid)
}

// ---- hours oracle -------------------------------------------------------

// oracleMinBlocks returns, for each total t (slots) the day can hold, the
// fewest blocks giving exactly t: without lunch (noLunch) and with lunch
// allowed (any); -1 where t cannot be reached. It walks the slots keeping,
// for each (blocks so far, lunch used), the set of reachable totals as a
// bit set.
func oracleMinBlocks(d oracleDay, minS, prefS, bufS int) (noLunch, any []int) {
	n, tcap := len(d.free), d.capLeft
	noLunch, any = make([]int, tcap+1), make([]int, tcap+1)
	for t := range noLunch {
		noLunch[t], any[t] = -1, -1
	}
	noLunch[0], any[0] = 0, 0
	kmax := tcap / minS
	if kmax == 0 {
		return noLunch, any
	}
	words := tcap/64 + 1
	at := func(pos, k, l int) int { return ((pos*(kmax+1)+k)*2 + l) * words }
	reach := make([]uint64, (n+1)*(kmax+1)*2*words)
	reach[at(0, 0, 0)] = 1
	for pos := 0; pos < n; pos++ {
		for k := 0; k <= kmax; k++ {
			for l := 0; l < 2; l++ {
				src := reach[at(pos, k, l) : at(pos, k, l)+words]
				empty := true
				for _, x := range src {
					empty = empty && x == 0
				}
				if empty {
					continue
				}
				dst := reach[at(pos+1, k, l) : at(pos+1, k, l)+words]
				for i := range src {
					dst[i] |= src[i]
				}
				if k == kmax {
					continue
				}
				usesLunch := 0
				for L := 1; L <= prefS && pos+L <= n && d.free[pos+L-1]; L++ {
					if d.lunch[pos+L-1] {
						usesLunch = 1
					}
					if L < minS {
						continue
					}
					next := min(pos+L+bufS, n)
					dst := reach[at(next, k+1, l|usesLunch) : at(next, k+1, l|usesLunch)+words]
					orShifted(dst, src, L, tcap)
				}
			}
		}
	}
	for k := kmax; k >= 0; k-- {
		for l := 0; l < 2; l++ {
			set := reach[at(n, k, l) : at(n, k, l)+words]
			for t := 0; t <= tcap; t++ {
				if set[t/64]&(1<<(t%64)) == 0 {
					continue
				}
				any[t] = k
				if l == 0 {
					noLunch[t] = k
				}
			}
		}
	}
	return noLunch, any
}

// orShifted ORs src shifted up by sh bits into dst, dropping bits above top.
func orShifted(dst, src []uint64, sh, top int) {
	ws, bs := sh/64, uint(sh%64)
	for i := len(dst) - 1; i >= ws; i-- {
		v := src[i-ws] << bs
		if bs > 0 && i-ws-1 >= 0 {
			v |= src[i-ws-1] >> (64 - bs)
		}
		dst[i] |= v
	}
	last := len(dst) - 1
	if keep := top - 64*last + 1; keep < 64 {
		dst[last] &= 1<<uint(keep) - 1
	}
}

// oracleHours is what the best plan of a week gets in hours: the most the
// week can hold without and with lunch, the target, whether lunch is
// needed, and the fewest blocks and then the least total reaching the
// target.
type oracleHours struct {
	max0, max, target int
	lunchNeeded       bool
	blocks, total     int
}

func (w *oracleWeek) hours(s PlanSettings) oracleHours {
	minS, prefS, bufS := oracleSlots(s)
	// Week tables: fewest blocks for each total, without and with lunch.
	week0, weekAny := []int{0}, []int{0}
	add := func(week, day []int) []int {
		out := make([]int, len(week)+len(day)-1)
		for i := range out {
			out[i] = -1
		}
		for a, ka := range week {
			for b, kb := range day {
				if ka >= 0 && kb >= 0 && (out[a+b] < 0 || ka+kb < out[a+b]) {
					out[a+b] = ka + kb
				}
			}
		}
		return out
	}
	for _, d := range w.days {
		d0, da := oracleMinBlocks(d, minS, prefS, bufS)
		week0, weekAny = add(week0, d0), add(weekAny, da)
	}
	var h oracleHours
	for t, k := range week0 {
		if k >= 0 {
			h.max0 = t
		}
	}
	for t, k := range weekAny {
		if k >= 0 {
			h.max = t
		}
	}
	h.target = min(w.needSlots(), h.max)
	table := week0
	if h.max0 < h.target {
		table, h.lunchNeeded = weekAny, true
	}
	h.blocks = -1
	if h.target == 0 {
		h.blocks = 0
		return h
	}
	for t := h.target; t < len(table); t++ {
		if table[t] >= 0 && (h.blocks < 0 || table[t] < h.blocks) {
			h.blocks, h.total = table[t], t
		}
	}
	return h
}

// ---- exact oracle -------------------------------------------------------

// oracleCost is what the rules rank after reaching the target and the
// total: blocks, lunch slots used, slots outside the preferred time of day.
// For a fixed total, sums of costs compare lexicographically, so each day
// and the week keep only the least cost per (total, lunch used).
type oracleCost struct{ blocks, lunch, off int }

func (a oracleCost) less(b oracleCost) bool {
	if a.blocks != b.blocks {
		return a.blocks < b.blocks
	}
	return a.lunch < b.lunch || (a.lunch == b.lunch && a.off < b.off)
}

func (a oracleCost) plus(b oracleCost) oracleCost {
	return oracleCost{a.blocks + b.blocks, a.lunch + b.lunch, a.off + b.off}
}

// oracleKey is a plan's total slots and whether it uses lunch.
type oracleKey struct {
	total int
	lunch bool
}

// oracleExactDay returns, for every (total, lunch used) the day can hold,
// the least cost, by a forward search over (slot, total, lunch used) that
// tries every block length at every free slot.
func oracleExactDay(d oracleDay, minS, prefS, bufS int) map[oracleKey]oracleCost {
	n := len(d.free)
	// at[pos] holds the plans whose next block may start at pos.
	at := make([]map[oracleKey]oracleCost, n+1)
	for i := range at {
		at[i] = map[oracleKey]oracleCost{}
	}
	at[0][oracleKey{}] = oracleCost{}
	relax := func(pos int, k oracleKey, c oracleCost) {
		if old, ok := at[pos][k]; !ok || c.less(old) {
			at[pos][k] = c
		}
	}
	for pos := 0; pos < n; pos++ {
		for st, c := range at[pos] {
			relax(pos+1, st, c)
			cost, lunch := c, st.lunch
			cost.blocks++
			for L := 1; L <= prefS && pos+L <= n && d.free[pos+L-1] && st.total+L <= d.capLeft; L++ {
				if d.lunch[pos+L-1] {
					cost.lunch++
					lunch = true
				}
				if d.off[pos+L-1] {
					cost.off++
				}
				if L >= minS {
					relax(min(pos+L+bufS, n), oracleKey{st.total + L, lunch}, cost)
				}
			}
		}
	}
	return at[n]
}

// oracleBruteDay enumerates every placement of blocks on the day (for tiny
// days only) and returns the same table as oracleExactDay.
func oracleBruteDay(d oracleDay, minS, prefS, bufS int) map[oracleKey]oracleCost {
	out := map[oracleKey]oracleCost{}
	n := len(d.free)
	var walk func(from, t int, l bool, c oracleCost)
	walk = func(from, t int, l bool, c oracleCost) {
		key := oracleKey{t, l}
		if old, ok := out[key]; !ok || c.less(old) {
			out[key] = c
		}
		for s := from; s < n; s++ {
		lengths:
			for L := minS; L <= prefS && s+L <= n && t+L <= d.capLeft; L++ {
				nc, nl := c, l
				nc.blocks++
				for j := s; j < s+L; j++ {
					if !d.free[j] {
						break lengths
					}
					if d.lunch[j] {
						nc.lunch++
						nl = true
					}
					if d.off[j] {
						nc.off++
					}
				}
				walk(s+L+bufS, t+L, nl, nc)
			}
		}
	}
	walk(0, 0, false, oracleCost{})
	return out
}

// oracleBest is the week's best plan by the full order of the rules.
type oracleBest struct {
	max0, max, target int
	lunchNeeded       bool
	total             int
	cost              oracleCost
	usesLunch         bool
}

func (b oracleBest) String() string {
	return fmt.Sprintf("target %d slots (max %d, lunch-free %d), %d blocks, %d slots, %d over lunch, %d off-preference",
		b.target, b.max, b.max0, b.cost.blocks, b.total, b.cost.lunch, b.cost.off)
}

// exact returns the week's best plan: reach the target; no lunch unless no
// lunch-free plan reaches it; fewest blocks; least total; least lunch;
// least time outside the preferred time of day.
func (w *oracleWeek) exact(s PlanSettings, day func(oracleDay, int, int, int) map[oracleKey]oracleCost) oracleBest {
	minS, prefS, bufS := oracleSlots(s)
	week := map[oracleKey]oracleCost{{}: {}}
	for _, d := range w.days {
		next := map[oracleKey]oracleCost{}
		table := day(d, minS, prefS, bufS)
		for a, ca := range week {
			for b, cb := range table {
				k := oracleKey{a.total + b.total, a.lunch || b.lunch}
				c := ca.plus(cb)
				if old, ok := next[k]; !ok || c.less(old) {
					next[k] = c
				}
			}
		}
		week = next
	}
	var b oracleBest
	for k := range week {
		b.max = max(b.max, k.total)
		if !k.lunch {
			b.max0 = max(b.max0, k.total)
		}
	}
	b.target = min(w.needSlots(), b.max)
	b.lunchNeeded = b.max0 < b.target
	if b.target == 0 {
		return b
	}
	found := false
	for k, c := range week {
		if k.total < b.target || (k.lunch && !b.lunchNeeded) {
			continue
		}
		better := !found || c.blocks < b.cost.blocks ||
			(c.blocks == b.cost.blocks && (k.total < b.total || (k.total == b.total && c.less(b.cost))))
		if better {
			found, b.total, b.cost, b.usesLunch = true, k.total, c, k.lunch
		}
	}
	return b
}

// ---- what a plan did ----------------------------------------------------

// planWeekStats measures the proposals a plan put in week w: blocks, total
// slots, slots over lunch and off the preferred time, and whether any
// overlaps lunch.
type planWeekStats struct {
	total     int
	cost      oracleCost
	usesLunch bool
}

func measureWeek(w *oracleWeek, in PlanInput, out []Block) planWeekStats {
	var st planWeekStats
	for _, b := range out {
		if b.State != StateProposed {
			continue
		}
		yy, ww := b.Start.In(in.Location).ISOWeek()
		if yy*100+ww != w.key {
			continue
		}
		st.cost.blocks++
		st.total += int(b.Duration() / Grid)
		for _, d := range w.days {
			if d.date.Format("2006-01-02") != b.Start.In(in.Location).Format("2006-01-02") {
				continue
			}
			for j := range d.free {
				slot := d.start.Add(time.Duration(j) * Grid)
				if slot.Before(b.Start) || !slot.Before(b.End) {
					continue
				}
				if d.lunch[j] {
					st.cost.lunch++
					st.usesLunch = true
				}
				if d.off[j] {
					st.cost.off++
				}
			}
		}
	}
	return st
}
