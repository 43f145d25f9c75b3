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
	// free is true for a slot no block may overlap none of: busy time ±
	// buffer, tombstones, skipped blocks, Lull's other blocks ± buffer.
	free    []bool
	lunch   []bool // the slot overlaps lunch
	offPref []bool // the slot lies outside the preferred time of day
	// place is each slot's rank for the earliness tie-break: its place in
	// the day, or with an afternoon preference its distance from noon.
	place   []int
	capLeft int // slots of new focus the daily cap still allows
	load    int // slots of focus the day already holds (spreading)
	index   int // the day's place in the week, 0 for Monday
	// lunchFree is true when some free slot overlaps lunch, so allowing
	// lunch can change the day's answer.
	lunchFree bool
}

// slotAt returns the instant slot i starts.
func (g *dayGrid) slotAt(i int) time.Time { return g.start.Add(time.Duration(i) * Grid) }

// daySolution is the day's dynamic programme for one lunch mode: best[t] is
// the least cost of new blocks totalling exactly t slots (costInf when no
// placement gives t), and the arrays let blocks() rebuild that placement.
type daySolution struct {
	g       *dayGrid
	noLunch bool
	tmax    int
	mask    []bool // slots a block may use in this mode
	best    []int64
	from    []int32 // per (pos, t): -1 when slot pos-1 is left empty, else the end slot of the block arriving
	start   []int32 // per (end, t): start slot of the best block ending there
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
		fr := s.from[pos*w+t]
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
// allocates them once.
type dpScratch struct {
	f, gv, hv []int64
	dqHead    []int32
	dqLen     []int32
	dq        []int32
}

func grow64(b []int64, n int) []int64 {
	if cap(b) < n {
		return make([]int64, n)
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
// a difference of prefix sums; the part that depends on s alone is folded
// into gv, so the best start for each end is a sliding-window minimum along
// the diagonal s − t (one deque per diagonal): O(slots × tmax) whatever the
// block lengths.
func solveDay(g *dayGrid, noLunch bool, tmax, minS, prefS, bufS int, sc *dpScratch) *daySolution {
	n := g.n
	w := tmax + 1
	sol := &daySolution{g: g, noLunch: noLunch, tmax: tmax, mask: make([]bool, n), best: make([]int64, w),
		from: make([]int32, (n+1)*w), start: make([]int32, (n+1)*w)}
	mask := sol.mask
	for i := range mask {
		mask[i] = g.free[i] && !(noLunch && g.lunch[i])
	}
	runStart := make([]int, n)
	for i := range n {
		switch {
		case !mask[i]:
			runStart[i] = -1
		case i > 0 && mask[i-1]:
			runStart[i] = runStart[i-1]
		default:
			runStart[i] = i
		}
	}
	// q[i] is the lunch, off-preference and place cost of slots [0, i).
	q := make([]int64, n+1)
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
	gv := grow64(sc.gv, (n+1)*w)
	hv := grow64(sc.hv, (n+1)*w)
	sc.f, sc.gv, sc.hv = f, gv, hv
	for i := range f {
		f[i], gv[i], hv[i] = costInf, costInf, costInf
	}
	win := prefS - minS // starts a short block ending at e may have
	diags := n + w      // diagonal k = e − t + tmax, in [0, n+tmax]
	var dqHead, dqLen, dq []int32
	if win > 0 {
		dqHead = grow32(sc.dqHead, diags)
		dqLen = grow32(sc.dqLen, diags)
		dq = grow32(sc.dq, diags*win)
		sc.dqHead, sc.dqLen, sc.dq = dqHead, dqLen, dq
		for i := range dqHead {
			dqHead[i], dqLen[i] = 0, 0
		}
	}
	// val returns gv at start s on diagonal k.
	val := func(k, s int) int64 { return gv[s*w+s-k+tmax] }
	for e := 0; e <= n; e++ {
		if e >= minS && mask[e-1] {
			rs := runStart[e-1]
			lo := max(e-prefS+1, rs)
			psi := costBlock + q[e]
			for t2 := minS; t2 <= tmax; t2++ {
				best, bs := costInf, int32(-1)
				if win > 0 {
					k := e - t2 + tmax
					ring := dq[k*win : (k+1)*win]
					h, l := int(dqHead[k]), int(dqLen[k])
					for l > 0 && int(ring[h]) < lo {
						h = (h + 1) % win
						l--
					}
					if s := e - minS; s >= rs {
						if v := gv[s*w+t2-minS]; v != costInf {
							for l > 0 && val(k, int(ring[(h+l-1)%win])) > v {
								l--
							}
							ring[(h+l)%win] = int32(s)
							l++
						}
					}
					dqHead[k], dqLen[k] = int32(h), int32(l)
					if l > 0 {
						s := int(ring[h])
						best, bs = val(k, s)+psi+costShort, int32(s)
					}
				}
				if s := e - prefS; s >= rs && t2 >= prefS {
					if v := gv[s*w+t2-prefS]; v != costInf && v+psi < best {
						best, bs = v+psi, int32(s)
					}
				}
				hv[e*w+t2], sol.start[e*w+t2] = best, bs
			}
		}
		for t := 0; t <= tmax; t++ {
			v, fr := costInf, int32(-1)
			if e > 0 {
				v = f[(e-1)*w+t]
			}
			lo, hi := e-bufS, e-bufS
			if e == n {
				lo, hi = max(0, n-bufS), n
			}
			for a := max(lo, 0); a <= hi; a++ {
				if hv[a*w+t] < v {
					v, fr = hv[a*w+t], int32(a)
				}
			}
			if e == 0 && t == 0 {
				v = 0
			}
			f[e*w+t], sol.from[e*w+t] = v, fr
			if e < n && v != costInf {
				gv[e*w+t] = v - q[e]
			}
		}
	}
	copy(sol.best, f[n*w:])
	return sol
}

// weekPlan is the optimiser's answer for one ISO week.
type weekPlan struct {
	grids  []*dayGrid
	need   int // slots missing of the goal
	target int // slots: min(need, the most the week allows)
	total  int // slots planned
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
	for i, d := range p.days {
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
		blocked := p.blocked(d.work)
		for _, b := range extra {
			if p.dayOf(b.Start) == d {
				load += b.Duration()
			}
			blocked = append(blocked, Interval{b.Start.Add(-p.s.Buffer), b.End.Add(p.s.Buffer)})
		}
		// Working hours that reach within a buffer of the next day's: a
		// block at the end of one day and at the start of the next would be
		// closer than the buffer, so the next day starts a buffer later.
		if i > 0 && p.days[i-1].work.Duration() > 0 {
			prevEnd := p.days[i-1].work.End
			blocked = append(blocked, Interval{prevEnd, prevEnd.Add(p.s.Buffer)})
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
			g.lunchFree = g.lunchFree || (g.lunch[j] && g.free[j])
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

// solveWeek plans ISO week w from scratch, given need (what is missing of
// the goal) and extra blocks to treat as already placed. See Plan for the
// order of the rules it follows.
func (p *planner) solveWeek(w int, need time.Duration, extra []Block) weekPlan {
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
	noLunch := make([]*daySolution, len(grids))
	withLunch := make([]*daySolution, len(grids))
	m0, m := 0, 0
	for i, g := range grids {
		free := 0
		for _, f := range g.free {
			if f {
				free++
			}
		}
		tmax := min(g.capLeft, free, bound)
		if tmax < minS {
			continue
		}
		noLunch[i] = solveDay(g, true, tmax, minS, prefS, bufS, &p.scratch)
		withLunch[i] = noLunch[i]
		if g.lunchFree {
			withLunch[i] = solveDay(g, false, tmax, minS, prefS, bufS, &p.scratch)
		}
		m0 += noLunch[i].maxT()
		m += withLunch[i].maxT()
	}
	wp := weekPlan{grids: grids, need: needS, target: min(needS, m)}
	if wp.target == 0 {
		return wp
	}
	sols := noLunch
	if m0 < wp.target {
		sols, wp.lunchNeeded = withLunch, true
	}
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
