package calendar

import (
	"math"
	"sort"
	"time"
)

// The planner finds, for each ISO week, the best set of new blocks exactly:
// one dynamic programme per day over the Grid slots of its working hours,
// then one over the week's days on the total focus. A day's cost is a
// single int64 whose bit fields, from the most significant, are compared in
// the order of the rules (see Plan):
//
//	blocks    bits 52–60  new blocks (fewest)
//	lunch     bits 40–51  slots over lunch (least, once lunch is needed)
//	offPref   bits 28–39  slots outside the preferred time of day
//	short     bits 19–27  blocks shorter than the preferred length
//	early     bits  0–18  sum over the focus slots of their place in the day
//
// The week picks the total between blocks and lunch, and ranks spreading
// and then earlier days between short and early. The field widths hold any
// week Validate allows: at most 7 days of at most 300 slots (25 h on a DST
// day) and blocks of at least 30 min (6 slots), so at most 350 blocks,
// 2,100 lunch or off-preference slots and a place sum below 2^19; sums of
// valid costs never carry from one field into the next.
const (
	costEarly   int64 = 1
	costShort   int64 = 1 << 19
	costOffPref int64 = 1 << 28
	costLunch   int64 = 1 << 40
	costBlock   int64 = 1 << 52
	// costLowBits are the bits below the short field: early, which the week
	// keeps apart so spreading can rank above it.
	costLowBits = 19
	// costBlocksHi is where the blocks field starts once a cost is shifted
	// right by costLowBits.
	costBlocksHi = 52 - costLowBits
	costInf      = int64(math.MaxInt64)
	// spreadShift places spreading above the day order (at most 2,100
	// slots × day 6, below 2^14) in the week's low key.
	spreadShift = costLowBits + 21
)

// dayGrid is one day's working hours cut into Grid slots: what is free and
// what each slot costs.
type dayGrid struct {
	day   *planDay
	start time.Time // start of slot 0
	n     int       // slots
	// free is true for a slot clear of everything a new block must avoid:
	// busy time ± buffer, tombstones, skipped blocks, Lull's other blocks ±
	// buffer, the buffer after the previous day's working hours.
	free    []bool
	lunch   []bool // the slot overlaps lunch
	offPref []bool // the slot lies outside the preferred time of day
	// place is each slot's rank for the earliness tie-break: its place in
	// the day, or with an afternoon preference its distance from noon.
	place   []int
	capLeft int // slots of new focus the daily cap still allows
	load    int // slots of focus the day already holds (spreading)
	index   int // the day's place in the week, 0 for Monday
	// lunchOpen is true when some free slot overlaps lunch, so allowing
	// lunch can change the day's answer.
	lunchOpen bool
}

// slotAt returns the instant slot i starts.
func (g *dayGrid) slotAt(i int) time.Time { return g.start.Add(time.Duration(i) * Grid) }

// daySolution is the day's dynamic programme for one lunch mode: best[t] is
// the least cost of new blocks totalling exactly t slots (costInf when no
// placement gives t), and the arrays let blocks() rebuild that placement.
type daySolution struct {
	g    *dayGrid
	tmax int
	mask []bool // slots a block may use in this mode
	best []int64
	// row is the row of from (and of the programme's states) position pos
	// uses; alias[pos] is true when position pos only repeats pos-1 (slot
	// pos-1 is not free and no block ends there), which costs nothing.
	row   []int32
	alias []bool
	from  []int32 // per (row, t): -1 when slot pos-1 is left empty, else the end slot of the block arriving
	start []int32 // per (end, t): start slot of the best block ending there
}

// maxT returns the most slots of focus the day can hold in this mode.
func (s *daySolution) maxT() int {
	for t := s.tmax; t > 0; t-- {
		if s.best[t] != costInf {
			return t
		}
	}
	return 0
}

// span is a block as slot indices [s, e) of a dayGrid.
type span struct{ s, e int }

// blocks rebuilds the placement behind best[t].
func (s *daySolution) blocks(t int) []span {
	w := s.tmax + 1
	var out []span
	pos := s.g.n
	for pos > 0 {
		if s.alias[pos] {
			pos--
			continue
		}
		fr := s.from[int(s.row[pos])*w+t]
		if fr < 0 {
			pos--
			continue
		}
		e := int(fr)
		st := int(s.start[e*w+t])
		out = append(out, span{st, e})
		t -= e - st
		pos = st
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// dpScratch holds the large per-day arrays between days so one Plan call
// allocates them about once. The arena holds the solutions' back pointers
// for one week at a time (planWeek resets it).
type dpScratch struct {
	f, hv    []int64
	dqState  []int64
	dq       []int32
	dqVal    []int64
	q        []int64
	skip     []int32
	runStart []int
	reach    []int
	arena    []int32
	used     int
}

// skipRow returns w copies of -1.
func (sc *dpScratch) skipRow(w int) []int32 {
	if len(sc.skip) < w {
		sc.skip = make([]int32, w)
		for i := range sc.skip {
			sc.skip[i] = -1
		}
	}
	return sc.skip[:w]
}

// carve returns n int32s of the arena (not zeroed). A full arena is
// replaced; slices carved before keep the old one.
func (sc *dpScratch) carve(n int) []int32 {
	if sc.used+n > len(sc.arena) {
		sc.arena = make([]int32, max(2*len(sc.arena), n, 1<<14))
		sc.used = 0
	}
	out := sc.arena[sc.used : sc.used+n : sc.used+n]
	sc.used += n
	return out
}

func grow64(b []int64, n int) []int64 {
	if cap(b) < n {
		return make([]int64, n)
	}
	return b[:n]
}

func growInt(b []int, n int) []int {
	if cap(b) < n {
		return make([]int, n)
	}
	return b[:n]
}

func grow32(b []int32, n int) []int32 {
	if cap(b) < n {
		return make([]int32, n)
	}
	return b[:n]
}

// solveDay runs the day's programme: blocks of minS to prefS slots inside
// free slots (and outside lunch when noLunch), bufS empty slots between two
// blocks, at most tmax slots in all. State (pos, t): t slots placed and the
// next block may start at pos. A block [s, e) costs costBlock, costShort
// below prefS and the lunch, off-preference and place costs of its slots,
// a difference of prefix sums q[e] − q[s]; what depends on the start alone
// (the cost of state (s, t) less q[s]) is what the deques rank, so the best
// start for each end is a sliding-window minimum along the diagonal s − t
// (one deque per diagonal): O(slots × tmax) whatever the block lengths.
// Positions after a busy slot where no block ends repeat the previous
// position's row at no cost.
func solveDay(g *dayGrid, noLunch bool, tmax, minS, prefS, bufS int, sc *dpScratch) *daySolution {
	n := g.n
	w := tmax + 1
	sol := &daySolution{g: g, tmax: tmax, mask: make([]bool, n), best: make([]int64, w),
		from: sc.carve((n + 1) * w), start: sc.carve((n + 1) * w), row: sc.carve(n + 1), alias: make([]bool, n+1)}
	mask := sol.mask
	for i := range mask {
		mask[i] = g.free[i] && !(noLunch && g.lunch[i])
	}
	// runStart[i] is where the free run holding slot i starts; reach[e] is
	// the most focus slots [0, e) can hold (their free slots, at most
	// tmax): states beyond it are unreachable and never touched.
	runStart := growInt(sc.runStart, n)
	reach := growInt(sc.reach, n+1)
	sc.runStart, sc.reach = runStart, reach
	reach[0] = 0
	for i := range n {
		reach[i+1] = reach[i]
		switch {
		case !mask[i]:
			runStart[i] = -1
			continue
		case i > 0 && mask[i-1]:
			runStart[i] = runStart[i-1]
		default:
			runStart[i] = i
		}
		reach[i+1] = min(reach[i]+1, tmax)
	}
	// q[i] is the lunch, off-preference and place cost of slots [0, i).
	q := grow64(sc.q, n+1)
	sc.q = q
	q[0] = 0
	for i := range n {
		q[i+1] = q[i] + costEarly*int64(g.place[i])
		if g.lunch[i] {
			q[i+1] += costLunch
		}
		if g.offPref[i] {
			q[i+1] += costOffPref
		}
	}
	f := grow64(sc.f, (n+1)*w)
	hv := grow64(sc.hv, (n+1)*w)
	sc.f, sc.hv = f, hv
	// Each diagonal's deque is a ring of a power of two at least win long.
	win := prefS - minS // starts a short block ending at e may have
	ringLen := 1
	for ringLen < win {
		ringLen <<= 1
	}
	ringMask := ringLen - 1
	diags := n + w // diagonal k = e − t + tmax, in [0, n+tmax]
	// dqState holds each deque's head (high half) and length.
	var dq []int32
	var dqVal, dqState []int64
	if win > 0 {
		dqState = grow64(sc.dqState, diags)
		dq = grow32(sc.dq, diags*ringLen)
		dqVal = grow64(sc.dqVal, diags*ringLen)
		sc.dqState, sc.dq, sc.dqVal = dqState, dq, dqVal
		clear(dqState)
	}
	rows := sol.row
	skip := sc.skipRow(w) // a row of -1: "slot pos-1 left empty"
	next := int32(0)
	for e := 0; e <= n; e++ {
		re := reach[e]
		lo, hi := e-bufS, e-bufS
		if e == n {
			lo, hi = max(0, n-bufS), n
		}
		if e > 0 && !mask[e-1] {
			arrivals := false
			for a := max(lo, 0); a <= hi; a++ {
				arrivals = arrivals || (a >= minS && mask[a-1])
			}
			if !arrivals {
				rows[e], sol.alias[e] = rows[e-1], true
				continue
			}
		}
		rows[e] = next
		next++
		if e >= minS && mask[e-1] {
			rs := runStart[e-1]
			lo := max(e-prefS+1, rs)
			psi := costBlock + q[e]
			// The newest start a short block may have, and the one start a
			// block of the preferred length has, with their rows of f.
			sNew, sFull := e-minS, e-prefS
			newOK, fullOK := win > 0 && sNew >= rs, sFull >= rs
			var fNew, fFull []int64
			var qNew, qFull int64
			if newOK {
				fNew, qNew = f[int(rows[sNew])*w:int(rows[sNew])*w+w], q[sNew]
			}
			if fullOK {
				fFull, qFull = f[int(rows[sFull])*w:int(rows[sFull])*w+w], q[sFull]
			}
			hrow, srow := hv[e*w:e*w+w], sol.start[e*w:e*w+w]
			for t2 := minS; t2 <= re; t2++ {
				best, bs := costInf, int32(-1)
				if win > 0 {
					k := e - t2 + tmax
					ring := dq[k*ringLen : (k+1)*ringLen]
					vals := dqVal[k*ringLen : (k+1)*ringLen]
					hl := dqState[k]
					h, l := int(hl>>32), int(uint32(hl))
					for l > 0 && int(ring[h]) < lo {
						h = (h + 1) & ringMask
						l--
					}
					if newOK {
						if v := fNew[t2-minS]; v != costInf {
							v -= qNew
							for l > 0 && vals[(h+l-1)&ringMask] > v {
								l--
							}
							ring[(h+l)&ringMask], vals[(h+l)&ringMask] = int32(sNew), v
							l++
						}
					}
					dqState[k] = int64(h)<<32 | int64(l)
					if l > 0 {
						best, bs = vals[h]+psi+costShort, ring[h]
					}
				}
				if fullOK && t2 >= prefS {
					if v := fFull[t2-prefS]; v != costInf && v-qFull+psi < best {
						best, bs = v-qFull+psi, int32(sFull)
					}
				}
				hrow[t2], srow[t2] = best, bs
			}
		}
		// State (e, t): slot e-1 left empty (state (e-1, t)), or a block
		// ending at a with a+bufS = e (clamped to the day's end).
		cur := int(rows[e]) * w
		fr, fe := sol.from[cur:cur+re+1], f[cur:cur+re+1]
		copy(fr, skip)
		if e == 0 {
			fe[0] = 0
		} else {
			prev := int(rows[e-1]) * w
			rp := min(reach[e-1], re)
			copy(fe, f[prev:prev+rp+1])
			for t := rp + 1; t <= re; t++ {
				fe[t] = costInf
			}
		}
		for a := max(lo, 0); a <= hi; a++ {
			if a < minS || !mask[a-1] {
				continue
			}
			row := hv[a*w : a*w+reach[a]+1]
			for t := minS; t < len(row) && t <= re; t++ {
				if row[t] < fe[t] {
					fe[t], fr[t] = row[t], int32(a)
				}
			}
		}
	}
	for t := range sol.best {
		sol.best[t] = costInf
		if t <= reach[n] {
			sol.best[t] = f[int(rows[n])*w+t]
		}
	}
	return sol
}

// weekPlan is the optimiser's answer for one ISO week.
type weekPlan struct {
	grids  []*dayGrid
	sols   []*daySolution // per grid, nil for a day that holds no block
	need   int            // slots missing of the goal
	target int            // slots: min(need, the most the week allows)
	total  int            // slots planned
	// lunchNeeded is true when no lunch-free plan reaches the target.
	lunchNeeded bool
	usesLunch   bool
	blocks      []plannedBlock
}

// plannedBlock is one new block and what its reason needs to know.
type plannedBlock struct {
	g      *dayGrid
	sol    *daySolution
	sp     span
	dayT   int  // slots of new focus on its day
	capped bool // the day reached its cap
}

// weekGrids cuts the week's working days into slot grids, with extra blocks
// (proposals being kept) counted as Lull's own.
func (p *planner) weekGrids(w int, extra []Block) []*dayGrid {
	var out []*dayGrid
	for _, d := range p.days {
		if d.week != w || d.work.Duration() <= 0 {
			continue
		}
		start, end := ceilGrid(d.work.Start), floorGrid(d.work.End)
		n := int(end.Sub(start) / Grid)
		if n < 1 {
			continue
		}
		g := &dayGrid{day: d, start: start, n: n, free: make([]bool, n), lunch: make([]bool, n), offPref: make([]bool, n),
			place: make([]int, n), index: (int(d.date.Weekday()) + 6) % 7}
		load := d.load
		blocked := p.dayBlocked(d)
		for _, b := range extra {
			if p.dayOf(b.Start) == d {
				load += b.Duration()
			}
			blocked = append(blocked, Interval{b.Start.Add(-p.s.Buffer), b.End.Add(p.s.Buffer)})
		}
		for i := range g.free {
			g.free[i] = true
		}
		for _, b := range blocked {
			lo := int(b.Start.Sub(start) / Grid)
			if b.Start.Before(start) {
				lo = 0
			}
			hi := n
			if b.End.Before(end) {
				hi = int((b.End.Sub(start) + Grid - 1) / Grid)
			}
			for j := max(lo, 0); j < hi; j++ {
				g.free[j] = false
			}
		}
		for j := range n {
			slot := Interval{g.slotAt(j), g.slotAt(j + 1)}
			g.lunch[j] = d.lunch.Duration() > 0 && slot.Overlaps(d.lunch)
			g.place[j] = int(slot.Start.Sub(d.date) / Grid)
			switch p.s.Prefer {
			case PreferMorning:
				g.offPref[j] = !slot.Start.Before(d.noon)
			case PreferAfternoon:
				g.offPref[j] = slot.Start.Before(d.noon)
				if g.offPref[j] {
					g.place[j] = int(d.noon.Sub(slot.End) / Grid)
				} else {
					g.place[j] = int(slot.Start.Sub(d.noon) / Grid)
				}
			}
			g.lunchOpen = g.lunchOpen || (g.lunch[j] && g.free[j])
		}
		if left := p.s.DailyCap - load; left > 0 {
			g.capLeft = int(left / Grid)
		}
		if load > 0 {
			g.load = int(load / Grid)
		}
		out = append(out, g)
	}
	return out
}

// weekDays prepares ISO week w for the optimiser, given need (what is
// missing of the goal) and extra blocks to treat as already placed: each
// day's programme without lunch, the target, and whether the target needs
// lunch (then the days' programmes with lunch allowed). choose then picks
// the blocks.
func (p *planner) weekDays(w int, need time.Duration, extra []Block) weekPlan {
	if need <= 0 {
		return weekPlan{}
	}
	minS, prefS := int(p.s.MinBlock/Grid), int(p.s.PreferredBlock/Grid)
	bufS := int((p.s.Buffer + Grid - 1) / Grid)
	needS := int((need + Grid - 1) / Grid)
	// No day needs more than needS+minS-1 slots: the chosen total is below
	// that, and a day that could hold more can also hold some total in
	// [needS, needS+minS) (fewer or shorter blocks), so the week's maximum
	// is decided correctly within the bound.
	bound := needS + minS - 1
	grids := p.weekGrids(w, extra)
	wp := weekPlan{grids: grids, need: needS, sols: make([]*daySolution, len(grids))}
	tmax := make([]int, len(grids))
	m0 := 0
	for i, g := range grids {
		free := 0
		for _, f := range g.free {
			if f {
				free++
			}
		}
		tmax[i] = min(g.capLeft, free, bound)
		if tmax[i] < minS {
			continue
		}
		wp.sols[i] = solveDay(g, true, tmax[i], minS, prefS, bufS, &p.scratch)
		m0 += wp.sols[i].maxT()
	}
	wp.target = min(needS, m0)
	if m0 >= needS {
		return wp
	}
	// Lunch-free days fall short: allowing lunch may reach further, and is
	// what the target then needs.
	noLunch := append([]*daySolution(nil), wp.sols...)
	m := 0
	for i, g := range grids {
		if wp.sols[i] == nil {
			continue
		}
		if g.lunchOpen {
			wp.sols[i] = solveDay(g, false, tmax[i], minS, prefS, bufS, &p.scratch)
		}
		m += wp.sols[i].maxT()
	}
	wp.target = min(needS, m)
	wp.lunchNeeded = m0 < wp.target
	if !wp.lunchNeeded {
		wp.sols = noLunch // lunch adds nothing
	}
	return wp
}

// choose picks the week's blocks from the day programmes weekDays made:
// the total from the target up, fewest blocks first, then the least total,
// then the rest of the cost (see Plan).
func (p *planner) choose(wp weekPlan) weekPlan {
	if wp.target == 0 {
		return wp
	}
	minS := int(p.s.MinBlock / Grid)
	grids, sols := wp.grids, wp.sols
	// Week programme over the total: key (hi, lo) per total, hi the fields
	// above early, lo spreading then early.
	type key struct{ hi, lo int64 }
	inf := key{costInf, costInf}
	less := func(a, b key) bool { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo) }
	fcap := wp.target + minS - 1
	dp := make([]key, fcap+1)
	for i := range dp {
		dp[i] = inf
	}
	dp[0] = key{}
	choice := make([][]int32, len(grids))
	for i, sol := range sols {
		if sol == nil {
			continue
		}
		g := grids[i]
		next := make([]key, fcap+1)
		ch := make([]int32, fcap+1)
		for j := range next {
			next[j], ch[j] = inf, 0
		}
		for tot, k := range dp {
			if k == inf {
				continue
			}
			for t := 0; t <= sol.tmax && tot+t <= fcap; t++ {
				c := sol.best[t]
				if c == costInf {
					continue
				}
				// Spreading ranks first in lo (the squares of the days'
				// focus, least when even), then focus on earlier days.
				spread := int64((g.load+t)*(g.load+t) - g.load*g.load)
				nk := key{k.hi + c>>costLowBits, k.lo + spread<<spreadShift + int64(t*g.index)<<costLowBits + c&(1<<costLowBits-1)}
				if less(nk, next[tot+t]) {
					next[tot+t], ch[tot+t] = nk, int32(t)
				}
			}
		}
		dp, choice[i] = next, ch
	}
	bestTot := -1
	for tot := wp.target; tot <= fcap; tot++ {
		if dp[tot] == inf {
			continue
		}
		if bestTot < 0 || dp[tot].hi>>costBlocksHi < dp[bestTot].hi>>costBlocksHi {
			bestTot = tot
		}
	}
	if bestTot < 0 {
		// Unreachable: the target is at most the week's maximum.
		return weekPlan{}
	}
	wp.total = bestTot
	tot := bestTot
	dayT := make([]int, len(grids))
	for i := len(grids) - 1; i >= 0; i-- {
		if sols[i] == nil {
			continue
		}
		dayT[i] = int(choice[i][tot])
		tot -= dayT[i]
	}
	for i, sol := range sols {
		if sol == nil || dayT[i] == 0 {
			continue
		}
		for _, sp := range sol.blocks(dayT[i]) {
			pb := plannedBlock{g: grids[i], sol: sol, sp: sp, dayT: dayT[i], capped: dayT[i] == grids[i].capLeft}
			for j := sp.s; j < sp.e; j++ {
				wp.usesLunch = wp.usesLunch || grids[i].lunch[j]
			}
			wp.blocks = append(wp.blocks, pb)
		}
	}
	sort.Slice(wp.blocks, func(a, b int) bool {
		return wp.blocks[a].g.slotAt(wp.blocks[a].sp.s).Before(wp.blocks[b].g.slotAt(wp.blocks[b].sp.s))
	})
	return wp
}
