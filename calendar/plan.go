package calendar

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// BlockState says where a focus block stands with the user.
type BlockState string

// The states of a focus block.
const (
	// StateProposed is a block Lull suggests; the user has not answered.
	StateProposed BlockState = "proposed"
	// StateAccepted is a block the user accepted (or placed by hand); Lull
	// publishes it and keeps it where it is unless the calendar now
	// conflicts with it.
	StateAccepted BlockState = "accepted"
	// StateSkipped is a block the user declined; it stays listed, counts
	// for nothing, and Lull never plans over its slot again.
	StateSkipped BlockState = "skipped"
)

// Block is one focus block Lull owns.
type Block struct {
	// ID is stable for the block's whole life: "lull-" and the UTC start
	// at creation ("lull-20261124T0900Z"), with "-2", "-3"… appended when
	// that is taken. A block moved later keeps its ID, so a publisher
	// updates the same calendar object instead of deleting and re-creating.
	ID     string     `json:"id"`
	Start  time.Time  `json:"start"`
	End    time.Time  `json:"end"`
	State  BlockState `json:"state"`
	Reason string     `json:"reason"`
}

// Interval returns the block's time span.
func (b Block) Interval() Interval { return Interval{Start: b.Start, End: b.End} }

// Duration returns End - Start.
func (b Block) Duration() time.Duration { return b.End.Sub(b.Start) }

// Tombstone records a block the user deleted. The planner never places a
// block that overlaps a tombstone's [Start, End) — "the same slot" — and
// never reuses its ID; the rest of that day stays available, so deleting
// one block does not cost the whole day's focus. Skipped blocks act as
// tombstones for their own slot too.
type Tombstone struct {
	ID      string    `json:"id"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Deleted time.Time `json:"deleted"`
}

// PlanInput is everything Plan looks at. Plan is a pure function of it.
type PlanInput struct {
	// From is "now": no block starts before it (rounded up to Grid). The
	// horizon starts on From's date in Location.
	From time.Time
	// Settings are the user's rules; Plan validates them.
	Settings PlanSettings
	// Location is the user's zone; nil means Settings.Zone.
	Location *time.Location
	// Busy is the merged busy time of all sources (need not be merged or
	// sorted; anything outside the horizon is ignored).
	Busy []Interval
	// OutOfOffice are the days (any instant of the day in Location, e.g.
	// OutOfOfficeDays' midnights) the user is away: no focus on them.
	OutOfOffice []time.Time
	// Existing are Lull's blocks from the store. Accepted blocks stay where
	// they are unless they now overlap busy time ± buffer or fall on an
	// out-of-office day; only those move (keeping ID and state) to the
	// free slot nearest in time, same length when possible; one already
	// running at From is never moved. Proposed blocks that still obey every
	// rule stay too, so a calendar change does not reshuffle the plan,
	// unless their week could then no longer reach its target (see Plan);
	// pass only accepted and skipped blocks to re-plan the proposals from
	// scratch (after a settings change).
	// Skipped blocks are listed unchanged and guard their slot. Blocks that
	// ended before From are history: not listed, but they count toward
	// today's daily cap.
	Existing []Block
	// Tombstones are blocks the user deleted (see Tombstone).
	Tombstones []Tombstone
	// FocusedThisWeek is focus already done this ISO week before From; it
	// counts toward the current week's goal.
	FocusedThisWeek time.Duration
}

// Plan places focus blocks in the free time of the horizon and returns them
// sorted by start, together with the kept and moved existing blocks. It is
// deterministic: the same input gives the same output.
//
// Hard rules (PRODUCT.md): never over busy time ± buffer, a tombstone or a
// skipped block; inside the day's working hours and not before From; never
// on an out-of-office day; at most the daily cap of focus per day (accepted
// blocks, the day's earlier blocks and new ones); new blocks between the
// minimum and the preferred length, on the 5 min Grid, with the buffer
// between any two blocks (working hours that reach within a buffer of the
// next day's make that day start a buffer later).
//
// The goal: each ISO week (Monday–Sunday in the user's zone) has a target,
// what is missing of the weekly goal after FocusedThisWeek and the accepted
// blocks, or the most focus the hard rules allow that week if that is less.
// The week's proposals reach the target and pass the goal by less than one
// minimum block (20 min missing and a 1 h minimum: one 1 h block). Among the
// plans that do, Plan finds the best exactly, ranked in this order:
//
//  1. no block over lunch, unless no lunch-free plan reaches the target;
//  2. the fewest blocks;
//  3. the least total (past the goal only as far as the minimum forces);
//  4. the least time over lunch;
//  5. the least time outside the preferred time of day (morning is before
//     noon: the start of lunch, or 12:00 without lunch; afternoon from then);
//  6. the fewest blocks shorter than the preferred length;
//  7. focus spread over the days (least sum of squares of each day's
//     focus), then on earlier days;
//  8. earlier in the day (with an afternoon preference: nearer noon).
//
// Each new block gets one reason: over lunch because the goal needs it; the
// longest (or another) free gap for a block of the preferred length; or
// what made it shorter: the gap, the daily cap, what the goal still
// needed, or fitting more focus into the gap; plus why it lies outside the
// preferred time of day when it does.
//
// Existing blocks are kept as PlanInput.Existing says. Earlier proposals
// that still obey every rule stay (in start order, while the week is short
// of its goal) when their week, with them in place and new blocks filling
// what is missing, still reaches the target it would have without them,
// passes the goal by less than a minimum block and uses lunch only if the
// target needs it; otherwise the week's proposals are planned afresh:
// reaching the goal wins over stability.
//
// Each week is solved by a dynamic programme per day over the grid slots
// of its working hours (totals up to the cap, lunch-free first, with lunch
// only when the lunch-free week falls short) and one over the week's days
// on the total (plan_week.go); 14 days take about a millisecond.
func Plan(in PlanInput) ([]Block, error) {
	if err := in.Settings.Validate(); err != nil {
		return nil, err
	}
	loc := in.Location
	if loc == nil {
		var err error
		if loc, err = in.Settings.Location(); err != nil {
			return nil, err
		}
	}
	p := newPlanner(in, loc)
	p.run(in)
	sortBlocks(p.out)
	return p.out, nil
}

// sortBlocks orders blocks by start, then ID.
func sortBlocks(bs []Block) {
	sort.Slice(bs, func(i, j int) bool {
		if !bs[i].Start.Equal(bs[j].Start) {
			return bs[i].Start.Before(bs[j].Start)
		}
		return bs[i].ID < bs[j].ID
	})
}

type planDay struct {
	date  time.Time // midnight in the user's zone
	work  Interval  // working hours clipped to From; zero when none
	oof   bool
	lunch Interval // zero when lunch avoidance is off
	noon  time.Time
	week  int // ISO year*100 + week
	load  time.Duration
}

type planner struct {
	s      PlanSettings
	loc    *time.Location
	from   time.Time
	days   []*planDay
	byDate map[int]*planDay
	hard   []Interval // busy widened by the buffer, merged
	tomb   []Interval
	out    []Block
	taken  map[string]bool
	need   map[int]time.Duration
	weeks  []int
	// scratch holds the day programme's arrays between days.
	scratch dpScratch
}

func dateKey(t time.Time) int {
	y, m, d := t.Date()
	return y*10000 + int(m)*100 + d
}

func weekKey(t time.Time) int {
	y, w := t.ISOWeek()
	return y*100 + w
}

func ceilGrid(t time.Time) time.Time {
	r := t.Truncate(Grid)
	if r.Before(t) {
		r = r.Add(Grid)
	}
	return r
}

func floorGrid(t time.Time) time.Time { return t.Truncate(Grid) }

func newPlanner(in PlanInput, loc *time.Location) *planner {
	s := in.Settings
	p := &planner{
		s:      s,
		loc:    loc,
		from:   ceilGrid(in.From),
		byDate: map[int]*planDay{},
		taken:  map[string]bool{},
		need:   map[int]time.Duration{},
	}
	oof := map[int]bool{}
	for _, t := range in.OutOfOffice {
		oof[dateKey(t.In(loc))] = true
	}
	y, m, d := p.from.In(loc).Date()
	for i := 0; i < s.HorizonDays; i++ {
		date := time.Date(y, m, d+i, 0, 0, 0, 0, loc)
		day := &planDay{date: date, oof: oof[dateKey(date)], week: weekKey(date)}
		if h := s.Hours[date.Weekday()]; !h.Empty() && !day.oof {
			w := h.on(date, loc)
			if w.Start.Before(p.from) {
				w.Start = p.from
			}
			if w.End.After(w.Start) {
				day.work = w
			}
		}
		day.noon = At(12, 0).on(date, loc)
		if !s.Lunch.Empty() {
			day.lunch = s.Lunch.on(date, loc)
			day.noon = day.lunch.Start
		}
		if _, ok := p.need[day.week]; !ok {
			p.need[day.week] = s.WeeklyGoal
			p.weeks = append(p.weeks, day.week)
		}
		p.days = append(p.days, day)
		p.byDate[dateKey(date)] = day
	}
	p.need[p.days[0].week] -= in.FocusedThisWeek

	lo := p.days[0].date.Add(-s.Buffer)
	hi := time.Date(y, m, d+s.HorizonDays, 0, 0, 0, 0, loc)
	for _, b := range in.Existing {
		if b.End.After(hi) {
			hi = b.End
		}
	}
	hi = hi.Add(s.Buffer)
	var hard []Interval
	for _, b := range in.Busy {
		if b.End.After(lo) && b.Start.Before(hi) {
			hard = append(hard, Interval{b.Start.Add(-s.Buffer), b.End.Add(s.Buffer)})
		}
	}
	p.hard = Merge(hard)
	for _, t := range in.Tombstones {
		p.taken[t.ID] = true
		p.tomb = append(p.tomb, Interval{t.Start, t.End})
	}
	return p
}

// dayOf returns the horizon day t falls on in the user's zone, or nil.
func (p *planner) dayOf(t time.Time) *planDay { return p.byDate[dateKey(t.In(p.loc))] }

// busyHit reports whether iv overlaps busy time ± buffer.
func (p *planner) busyHit(iv Interval) bool {
	i := sort.Search(len(p.hard), func(i int) bool { return p.hard[i].End.After(iv.Start) })
	return i < len(p.hard) && p.hard[i].Start.Before(iv.End)
}

// blocked returns what a new block may not overlap within iv: busy ± buffer,
// tombstones and skipped blocks (their own slot), and Lull's other blocks ±
// buffer.
func (p *planner) blocked(iv Interval) []Interval {
	var out []Interval
	i := sort.Search(len(p.hard), func(i int) bool { return p.hard[i].End.After(iv.Start) })
	for ; i < len(p.hard) && p.hard[i].Start.Before(iv.End); i++ {
		out = append(out, p.hard[i])
	}
	for _, t := range p.tomb {
		if t.Overlaps(iv) {
			out = append(out, t)
		}
	}
	for _, b := range p.out {
		if b.State == StateSkipped {
			continue // in p.tomb: its own slot, like a tombstone
		}
		w := Interval{b.Start.Add(-p.s.Buffer), b.End.Add(p.s.Buffer)}
		if w.Overlaps(iv) {
			out = append(out, w)
		}
	}
	return out
}

// dayBlocked returns what a new block on day d may not overlap: blocked
// within its working hours and, when the previous day's working hours end
// less than a buffer before these start, the buffer after them (so blocks
// at the end of one day and the start of the next keep the buffer).
func (p *planner) dayBlocked(d *planDay) []Interval {
	out := p.blocked(d.work)
	if prev := p.byDate[dateKey(d.date.AddDate(0, 0, -1))]; prev != nil && prev.work.Duration() > 0 {
		if end := prev.work.End.Add(p.s.Buffer); end.After(d.work.Start) {
			out = append(out, Interval{prev.work.End, end})
		}
	}
	return out
}

// free returns the day's free time on the grid.
func (p *planner) free(d *planDay) []Interval {
	if d.work.Duration() <= 0 {
		return nil
	}
	var out []Interval
	for _, g := range Subtract(d.work, p.dayBlocked(d)) {
		g = Interval{ceilGrid(g.Start), floorGrid(g.End)}
		if g.Duration() > 0 {
			out = append(out, g)
		}
	}
	return out
}

// counted returns the part of b after From, which is what counts toward
// the week's goal (FocusedThisWeek covers the rest).
func (p *planner) counted(b Block) time.Duration {
	s := b.Start
	if s.Before(p.from) {
		s = p.from
	}
	if !b.End.After(s) {
		return 0
	}
	return b.End.Sub(s)
}

func (p *planner) add(b Block) {
	p.out = append(p.out, b)
	p.taken[b.ID] = true
	if b.State == StateSkipped {
		return
	}
	if d := p.dayOf(b.Start); d != nil {
		d.load += b.Duration()
	}
	p.need[weekKey(b.Start.In(p.loc))] -= p.counted(b)
}

// remove undoes add: the block leaves the plan, its day's load and its
// week's count (its ID stays taken).
func (p *planner) remove(b Block) {
	for i, o := range p.out {
		if o.ID == b.ID {
			p.out = append(p.out[:i], p.out[i+1:]...)
			break
		}
	}
	if d := p.dayOf(b.Start); d != nil {
		d.load -= b.Duration()
	}
	p.need[weekKey(b.Start.In(p.loc))] += p.counted(b)
}

func (p *planner) newID(start time.Time) string {
	base := "lull-" + start.UTC().Format("20060102T1504Z")
	id := base
	for n := 2; p.taken[id]; n++ {
		id = fmt.Sprintf("%s-%d", base, n)
	}
	p.taken[id] = true
	return id
}

func (p *planner) run(in PlanInput) {
	existing := append([]Block(nil), in.Existing...)
	sortBlocks(existing)
	seen := map[string]bool{}
	var proposed, moving []Block
	for _, b := range existing {
		p.taken[b.ID] = true
	}
	for _, b := range existing {
		if seen[b.ID] || !b.End.After(b.Start) {
			continue
		}
		seen[b.ID] = true
		if !b.End.After(p.from) {
			if b.State == StateAccepted {
				if d := p.dayOf(b.Start); d != nil {
					d.load += b.Duration() // history still counts for today's cap
				}
			}
			continue
		}
		switch b.State {
		case StateSkipped:
			p.tomb = append(p.tomb, b.Interval())
			p.add(b)
		case StateAccepted:
			d := p.dayOf(b.Start)
			if b.Start.Before(p.from) || (!p.busyHit(b.Interval()) && (d == nil || !d.oof)) {
				p.add(b)
			} else {
				moving = append(moving, b)
			}
		default:
			proposed = append(proposed, b)
		}
	}
	// Proposals that still obey every rule hold their slots while accepted
	// blocks move, so a move does not land on them; whether each week keeps
	// them is decided below.
	var held []Block
	for _, b := range proposed {
		if p.stillValid(b) {
			p.add(b)
			held = append(held, b)
		}
	}
	for _, b := range moving {
		if c, ok := p.bestMove(b); ok {
			why := "now busy"
			if d := p.dayOf(b.Start); d != nil && d.oof {
				why = "now out of office"
			}
			p.add(Block{ID: b.ID, Start: c.iv.Start, End: c.iv.End, State: StateAccepted,
				Reason: fmt.Sprintf("moved from %s (%s) to the nearest free slot", b.Start.In(p.loc).Format("Mon 15:04"), why)})
		}
	}
	for _, b := range held {
		p.remove(b)
	}
	for _, w := range p.weeks {
		var mine []Block
		for _, b := range held {
			if weekKey(b.Start.In(p.loc)) == w {
				mine = append(mine, b)
			}
		}
		p.planWeek(w, mine)
	}
}

// planWeek adds ISO week w's proposals. Proposals made before (held, in
// start order, each still obeying every rule) are kept while the week is
// short of its goal, when the week then still reaches its target, passes
// the goal by less than a minimum block and uses lunch only if the week
// cannot reach its target without it; new blocks then fill what is
// missing. Otherwise the week is planned afresh.
func (p *planner) planWeek(w int, held []Block) {
	p.scratch.used = 0 // the previous week's solutions are done with
	need := p.need[w]
	var keep []Block
	var kept time.Duration
	for _, b := range held {
		if kept >= need {
			break
		}
		keep = append(keep, b)
		kept += b.Duration()
	}
	if len(keep) > 0 {
		rest := p.choose(p.weekDays(w, need-kept, keep))
		total := kept + time.Duration(rest.total)*Grid
		lunch := rest.usesLunch
		for _, b := range keep {
			if d := p.dayOf(b.Start); d != nil && d.lunch.Overlaps(b.Interval()) {
				lunch = true
			}
		}
		ok := total-need < p.s.MinBlock
		if ok && (total < need || lunch) {
			// Short of the goal or over lunch: only right if a fresh plan
			// could do no better.
			fresh := p.weekDays(w, need, nil)
			ok = total >= time.Duration(fresh.target)*Grid && (!lunch || fresh.lunchNeeded)
		}
		if ok {
			for _, b := range keep {
				p.add(b)
			}
			p.addWeek(rest)
			return
		}
	}
	p.addWeek(p.choose(p.weekDays(w, need, nil)))
}

// addWeek adds the new blocks of a week plan, each with its reason.
func (p *planner) addWeek(wp weekPlan) {
	reasons := make([]string, len(wp.blocks))
	for i, pb := range wp.blocks {
		reasons[i] = p.reason(wp, pb)
	}
	for i, pb := range wp.blocks {
		iv := Interval{pb.g.slotAt(pb.sp.s), pb.g.slotAt(pb.sp.e)}
		p.add(Block{ID: p.newID(iv.Start), Start: iv.Start, End: iv.End, State: StateProposed, Reason: reasons[i]})
	}
}

// stillValid reports whether a previously proposed block obeys every rule
// now: inside the working hours of a horizon day after From, on the grid,
// between the minimum and preferred length, clear of everything a new
// block must avoid, and within the daily cap.
func (p *planner) stillValid(b Block) bool {
	d := p.dayOf(b.Start)
	if d == nil || b.Start.Before(p.from) || b.Duration() < p.s.MinBlock || b.Duration() > p.s.PreferredBlock ||
		d.work.Duration() <= 0 || b.Start.Before(d.work.Start) || b.End.After(d.work.End) ||
		!b.Start.Equal(floorGrid(b.Start)) || !b.End.Equal(floorGrid(b.End)) {
		return false
	}
	for _, x := range p.dayBlocked(d) {
		if x.Overlaps(b.Interval()) {
			return false
		}
	}
	return d.load+b.Duration() <= p.s.DailyCap
}

// candidate is one possible place for a moved block.
type candidate struct {
	day   *planDay
	iv    Interval
	lunch bool // overlaps lunch
	near  time.Duration
}

func (p *planner) capLeft(d *planDay) time.Duration {
	return (p.s.DailyCap - d.load).Truncate(Grid)
}

// slots cuts candidates of at least minLen from day d's free time;
// lengthFor picks a length for a free stretch and place its start.
func (p *planner) slots(d *planDay, minLen time.Duration, place func(part Interval, l time.Duration) time.Time, lengthFor func(part Interval) time.Duration) []candidate {
	var out []candidate
	for _, g := range p.free(d) {
		parts := []Interval{g}
		if d.lunch.Duration() > 0 {
			parts = nil
			for _, part := range Subtract(g, []Interval{d.lunch}) {
				part = Interval{ceilGrid(part.Start), floorGrid(part.End)}
				if part.Duration() > 0 {
					parts = append(parts, part)
				}
			}
		}
		for _, part := range parts {
			l := lengthFor(part)
			if l < minLen {
				continue
			}
			s := place(part, l)
			out = append(out, candidate{day: d, iv: Interval{s, s.Add(l)}})
		}
		if d.lunch.Duration() <= 0 || !g.Overlaps(d.lunch) {
			continue
		}
		l := lengthFor(g)
		if l < minLen {
			continue
		}
		iv, ok := leastLunch(g, l, d.lunch)
		if ok {
			out = append(out, candidate{day: d, iv: iv, lunch: true})
		}
	}
	return out
}

// leastLunch places a block of length l inside g overlapping lunch as
// little as possible (earliest on ties); ok is false when it can avoid
// lunch entirely, because the lunch-free candidates already cover that.
func leastLunch(g Interval, l time.Duration, lunch Interval) (Interval, bool) {
	starts := []time.Time{g.Start, lunch.End, lunch.Start.Add(-l), g.End.Add(-l)}
	var best Interval
	bestOver := time.Duration(-1)
	for _, s := range starts {
		if s.Before(g.Start) {
			s = g.Start
		}
		if s.Add(l).After(g.End) {
			s = g.End.Add(-l)
		}
		iv := Interval{s, s.Add(l)}
		over := overlapLen(iv, lunch)
		if bestOver < 0 || over < bestOver || (over == bestOver && iv.Start.Before(best.Start)) {
			best, bestOver = iv, over
		}
	}
	return best, bestOver > 0
}

func overlapLen(a, b Interval) time.Duration {
	s, e := a.Start, a.End
	if b.Start.After(s) {
		s = b.Start
	}
	if b.End.Before(e) {
		e = b.End
	}
	if e.After(s) {
		return e.Sub(s)
	}
	return 0
}

// bestMove finds the new place of an accepted block that now conflicts:
// the same length when possible (never below the minimum, or its own
// length when shorter), clear of lunch when possible, on the same day when
// possible, nearest to its old start.
func (p *planner) bestMove(b Block) (candidate, bool) {
	want := b.Duration()
	minLen := p.s.MinBlock
	if want < minLen {
		minLen = want
	}
	origDay := p.dayOf(b.Start)
	wall := b.Start.In(p.loc)
	var cands []candidate
	for _, d := range p.days {
		capLeft := p.capLeft(d)
		if capLeft < minLen {
			continue
		}
		target := time.Date(d.date.Year(), d.date.Month(), d.date.Day(), wall.Hour(), wall.Minute(), 0, 0, p.loc)
		lengthFor := func(part Interval) time.Duration {
			return min(want, part.Duration(), capLeft)
		}
		place := func(part Interval, l time.Duration) time.Time {
			s := target
			if s.Before(part.Start) {
				s = part.Start
			}
			if s.Add(l).After(part.End) {
				s = part.End.Add(-l)
			}
			return s
		}
		for _, c := range p.slots(d, minLen, place, lengthFor) {
			c.near = c.iv.Start.Sub(b.Start)
			if c.near < 0 {
				c.near = -c.near
			}
			cands = append(cands, c)
		}
	}
	if len(cands) == 0 {
		return candidate{}, false
	}
	best := cands[0]
	for _, c := range cands[1:] {
		if moveBetter(c, best, origDay) {
			best = c
		}
	}
	return best, true
}

func moveBetter(a, b candidate, orig *planDay) bool {
	if a.lunch != b.lunch {
		return !a.lunch
	}
	if la, lb := a.iv.Duration(), b.iv.Duration(); la != lb {
		return la > lb
	}
	if sa, sb := a.day == orig, b.day == orig; sa != sb {
		return sa
	}
	if a.near != b.near {
		return a.near < b.near
	}
	return a.iv.Start.Before(b.iv.Start)
}

// DurationText writes a block length for people: "2 h", "1 h 30 min",
// "45 min" (plan reasons, the Report tab).
func DurationText(d time.Duration) string {
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h == 0:
		return fmt.Sprintf("%d min", m)
	case m == 0:
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %d min", h, m)
}

// Changes is what re-planning did to the previous blocks.
type Changes struct {
	// Keep are previous blocks left exactly as they were.
	Keep []Block
	// Move are previous blocks placed elsewhere (same ID; new times).
	Move []Moved
	// Add are new proposals.
	Add []Block
	// Remove are previous blocks (not yet ended at From) that are gone:
	// proposals no longer valid, no longer needed or in a week planned
	// afresh, and accepted blocks that conflict and found no free slot
	// anywhere in the horizon.
	Remove []Block
}

// Moved pairs a block's previous and new versions.
type Moved struct {
	From Block `json:"from"`
	To   Block `json:"to"`
}

// Blocks returns the plan after the changes: kept, moved and added blocks,
// sorted by start.
func (c Changes) Blocks() []Block {
	out := append([]Block(nil), c.Keep...)
	for _, m := range c.Move {
		out = append(out, m.To)
	}
	out = append(out, c.Add...)
	sortBlocks(out)
	return out
}

// Replan plans again with previous as the existing blocks (in.Existing is
// replaced) and reports the difference by block ID. After a calendar change
// only Lull's own blocks that now conflict change, and the proposals of a
// week that could no longer reach its target with them (see Plan): every
// other previous block comes back in Keep. Blocks that ended before
// in.From are history and appear nowhere.
func Replan(previous []Block, in PlanInput) (Changes, error) {
	in.Existing = previous
	next, err := Plan(in)
	if err != nil {
		return Changes{}, err
	}
	prev := map[string]Block{}
	for _, b := range previous {
		if _, dup := prev[b.ID]; !dup {
			prev[b.ID] = b
		}
	}
	var c Changes
	now := map[string]bool{}
	for _, b := range next {
		now[b.ID] = true
		old, ok := prev[b.ID]
		switch {
		case !ok:
			c.Add = append(c.Add, b)
		case old.Start.Equal(b.Start) && old.End.Equal(b.End) && old.State == b.State:
			c.Keep = append(c.Keep, old)
		default:
			c.Move = append(c.Move, Moved{From: old, To: b})
		}
	}
	ceil := ceilGrid(in.From)
	for _, b := range previous {
		if !now[b.ID] && b.End.After(ceil) {
			c.Remove = append(c.Remove, b)
			now[b.ID] = true
		}
	}
	sortBlocks(c.Remove)
	return c, nil
}

// oneLine makes s safe for one TSV field or text line.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}
