package ics

import (
	"cmp"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/teambition/rrule-go"
)

// ExpandOptions are the user's settings that expansion depends on, and
// its limits.
type ExpandOptions struct {
	// Location is the user's zone: floating times and all-day dates are
	// placed in it. Nil means UTC.
	Location *time.Location
	// UserAddresses are the user's own calendar addresses (with or without
	// "mailto:"); an event one of them declined (PARTSTAT=DECLINED) is
	// marked Declined and is not busy.
	UserAddresses []string
	// MaxIterations caps the rule instances generated for one series, so a
	// hostile or broken rule cannot stall expansion. Zero means 1,000,000.
	MaxIterations int
	// MaxOccurrences caps the occurrences of the whole expansion; zero
	// means DefaultMaxOccurrences.
	MaxOccurrences int
	// MaxWork caps the rule instances generated for the whole expansion,
	// in the window or not; zero means DefaultMaxWork.
	MaxWork int
}

// ErrCapped marks an event whose expansion stopped at a limit (see
// DefaultMaxOccurrences, DefaultMaxWork): it is reported in the problems
// Expand returns, wrapped in an *EventError naming the event.
var ErrCapped = errors.New("not expanded in full")

// Occurrence is one instance of an event that overlaps the expansion
// window, with the facts that decide whether it is busy time.
type Occurrence struct {
	UID     string
	Summary string
	// Start and End bound the occurrence. For all-day and floating events
	// they are in ExpandOptions.Location.
	Start, End time.Time
	// AllDay is set for DATE events (Start and End are local midnights).
	AllDay bool
	// Floating is set for DATE-TIME values without a zone.
	Floating bool
	// RecurrenceID is the original start of a recurring instance (zero
	// for a single event).
	RecurrenceID time.Time

	// Transparent is TRANSP:TRANSPARENT (shown as free).
	Transparent bool
	// Opaque is an explicit TRANSP:OPAQUE.
	Opaque bool
	// Cancelled is STATUS:CANCELLED (of the event or of this instance).
	Cancelled bool
	// Declined is set when one of the user's addresses has PARTSTAT=DECLINED.
	Declined bool
	// BusyStatus is X-MICROSOFT-CDO-BUSYSTATUS upper-cased: FREE,
	// TENTATIVE, BUSY, OOF or "".
	BusyStatus string

	// Recurring is set for an instance of a recurring series (a rule or
	// RDATEs, or an override of one).
	Recurring bool
	// Attendees is the number of ATTENDEEs; Organizer the ORGANIZER's
	// address (lower case, without "mailto:"); Description the
	// DESCRIPTION cut at MaxDescriptionBytes. The meeting audit reads them.
	Attendees   int
	Organizer   string
	Description string
}

// Expand returns every occurrence of cal's events overlapping [from, to),
// unsorted, and the events whose expansion stopped at a limit (problems,
// each an *EventError wrapping ErrCapped; what they gave before the limit
// is kept). Events of zero length count when from <= start < to (the
// reference expanders' rule). Open-ended rules are iterated only up to to.
func Expand(cal *Calendar, from, to time.Time, opt ExpandOptions) ([]Occurrence, []error) {
	if cal == nil {
		return nil, nil
	}
	var parts [][]Occurrence
	problems := expandEach(cal, from, to, opt, sink{
		reset: func() { parts = make([][]Occurrence, expandChunks(cal)) },
		add: func(_, chunk int, occs []Occurrence) {
			if parts[chunk] == nil {
				parts[chunk] = slices.Clone(occs)
			} else {
				parts[chunk] = append(parts[chunk], occs...)
			}
		},
	})
	return slices.Concat(parts...), problems
}

// sink receives what expandEach produces. add gets the number of the
// worker (below expandWorkers), the number of the chunk (below
// expandChunks) the occurrences come from and the occurrences, in event
// order within the chunk; calls from one worker are sequential and occs is
// reused once each returns. reset drops everything received so far: it is
// called once before the first add, and again when the expansion starts
// over.
type sink struct {
	add   func(worker, chunk int, occs []Occurrence)
	reset func()
}

// expandChunks returns how many chunks expandEach cuts cal into.
func expandChunks(cal *Calendar) int {
	if len(cal.events) < 2*expandChunk {
		return 1
	}
	return (len(cal.events) + expandChunk - 1) / expandChunk
}

// budget is what one expansion may still produce. It is shared by the
// expansion's goroutines.
type budget struct {
	occ, work atomic.Int64 // occurrences and rule instances left
}

// take spends one unit of n, reporting false once none is left.
func take(n *atomic.Int64) bool { return n.Add(-1) >= 0 }

// expandEach expands cal over [from, to) into s, and returns the problems
// of events capped by a limit (file order). A big calendar is cut into
// chunks of expandChunk events expanded on a few goroutines (started and
// awaited here), a small one is one chunk, with occurrences handed to s
// in batches of at most expandBatch.
//
// The limits of the whole expansion (MaxOccurrences, MaxWork) are shared
// by the goroutines; which events would reach them first then depends on
// their timing, so when they are reached the expansion starts over on one
// goroutine, in file order: the result is the same on every run.
func expandEach(cal *Calendar, from, to time.Time, opt ExpandOptions, s sink) []error {
	s.reset()
	if !from.Before(to) {
		return nil
	}
	x := expander{cal: cal, from: from, to: to, opt: opt, loc: opt.Location}
	if x.loc == nil {
		x.loc = time.UTC
	}
	x.floatLoc = x.loc
	if cal.wrZone != nil {
		x.floatLoc = cal.wrZone
	}
	if x.opt.MaxIterations <= 0 {
		x.opt.MaxIterations = defaultMaxIterations
	}
	if x.opt.MaxOccurrences <= 0 {
		x.opt.MaxOccurrences = DefaultMaxOccurrences
	}
	if x.opt.MaxWork <= 0 {
		x.opt.MaxWork = DefaultMaxWork
	}
	for _, a := range opt.UserAddresses {
		a = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(a)), "mailto:")
		if a != "" {
			x.me = append(x.me, a)
		}
	}
	x.masters, x.overrides, x.replaced = copiesOf(cal.events)

	chunks := expandChunks(cal)
	workers := min(runtime.GOMAXPROCS(0), expandWorkers, chunks)
	capped, over := x.run(s, chunks, workers)
	if over && workers > 1 {
		s.reset()
		capped, _ = x.run(s, chunks, 1)
	}
	return x.cappedProblems(capped)
}

// run expands every chunk on workers goroutines into s with a fresh
// budget. It returns the events capped by a limit and whether the limits
// of the whole expansion were reached; with several workers, it then
// stops early (the caller starts over on one).
func (x expander) run(s sink, chunks, workers int) (capped []cappedEvent, over bool) {
	b := &budget{}
	b.occ.Store(int64(x.opt.MaxOccurrences))
	b.work.Store(int64(x.opt.MaxWork))
	var overFlag atomic.Bool
	var mu sync.Mutex
	var next atomic.Int64
	work := func(worker int) {
		w := x
		w.budget = b
		w.out = make([]Occurrence, 0, expandBatch)
		c := 0
		w.flush = func() {
			s.add(worker, c, w.out)
			w.out = w.out[:0]
		}
		for {
			c = int(next.Add(1) - 1)
			if c >= chunks || (workers > 1 && overFlag.Load()) {
				break
			}
			events := x.cal.events
			if chunks > 1 {
				events = events[c*expandChunk : min((c+1)*expandChunk, len(events))]
			}
			for _, ev := range events {
				w.one(ev)
				if w.over {
					overFlag.Store(true)
					if workers > 1 {
						break
					}
				}
			}
			if len(w.out) > 0 {
				w.flush()
			}
		}
		mu.Lock()
		capped = append(capped, w.capped...)
		mu.Unlock()
	}
	if workers <= 1 {
		work(0)
		return capped, overFlag.Load()
	}
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() { work(i) })
	}
	wg.Wait()
	return capped, overFlag.Load()
}

// thousands writes n with commas between groups of three digits
// ("500,000"), for messages.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// cappedEvent is an event whose expansion stopped at a limit.
type cappedEvent struct {
	ev  *event
	err error
}

// cappedProblems turns capped events into problems in file order, naming
// at most maxCappedReports of them.
func (x *expander) cappedProblems(capped []cappedEvent) []error {
	slices.SortFunc(capped, func(a, b cappedEvent) int { return cmp.Compare(a.ev.Line, b.ev.Line) })
	var out []error
	for i, c := range capped {
		if i == maxCappedReports {
			out = append(out, fmt.Errorf("calendar %q: %d more events: %w", x.cal.Name, len(capped)-i, ErrCapped))
			break
		}
		out = append(out, &EventError{Source: x.cal.Name, Line: c.ev.Line, UID: c.ev.UID, Err: c.err})
	}
	return out
}

// copiesOf sorts out the events that share a UID. Overrides (with a
// RECURRENCE-ID) go to their master by UID. Several events without one
// are copies of one event sent more than once: a copy with a higher
// SEQUENCE, or with the same SEQUENCE and a later LAST-MODIFIED or (without
// that) DTSTAMP, replaces the older ones; copies nothing tells apart are
// all kept, as feeds that reuse a UID for different events need (both
// references show them). Of overrides of one instance, the newest wins,
// the last in the file on a tie. masters maps a UID to the copy that
// carries its overrides; replaced holds the events that lost.
func copiesOf(events []*event) (masters map[string]*event, overrides map[string][]*event, replaced map[*event]bool) {
	masters = make(map[string]*event, len(events))
	overrides = map[string][]*event{}
	replaced = map[*event]bool{}
	again := map[string][]*event{} // copies after the first, by UID (rare)
	type instanceKey struct {
		uid  string
		at   int64
		kind timeKind
	}
	byInstance := map[instanceKey]*event{}
	for _, ev := range events {
		if ev.UID == "" {
			continue // no UID: cannot carry overrides or be replaced
		}
		if ev.RecurID == nil {
			if masters[ev.UID] == nil {
				masters[ev.UID] = ev
			} else {
				again[ev.UID] = append(again[ev.UID], ev)
			}
			continue
		}
		k := instanceKey{ev.UID, ev.RecurID.T.Unix(), ev.RecurID.Kind}
		if prev := byInstance[k]; prev != nil {
			if newer(prev, ev) {
				replaced[ev] = true
				continue
			}
			replaced[prev] = true
		}
		byInstance[k] = ev
	}
	for _, ev := range events {
		if ev.RecurID != nil && !replaced[ev] {
			overrides[ev.UID] = append(overrides[ev.UID], ev)
		}
	}
	for uid, more := range again {
		cs := append([]*event{masters[uid]}, more...)
		masters[uid] = nil
		for _, c := range cs {
			for _, d := range cs {
				if newer(d, c) {
					replaced[c] = true
					break
				}
			}
			if !replaced[c] && masters[uid] == nil {
				masters[uid] = c
			}
		}
	}
	return masters, overrides, replaced
}

// newer reports whether a is a strictly newer copy of the same event than
// b: a higher SEQUENCE, or the same and a later LAST-MODIFIED (both
// present), or else a later DTSTAMP (both present).
func newer(a, b *event) bool {
	switch {
	case a.Seq != b.Seq:
		return a.Seq > b.Seq
	case !a.Modified.IsZero() && !b.Modified.IsZero() && !a.Modified.Equal(b.Modified):
		return a.Modified.After(b.Modified)
	case !a.Stamp.IsZero() && !b.Stamp.IsZero():
		return a.Stamp.After(b.Stamp)
	}
	return false
}

// one expands one event. A panic (a bug, or one in rrule-go) costs only
// that event, never the caller.
func (x *expander) one(ev *event) {
	x.stop = false
	defer func() {
		// The event is skipped from here on; what it produced stays.
		_ = recover()
	}()
	switch {
	case x.replaced[ev]:
		// An older copy of an event sent again.
	case ev.RecurID != nil:
		if m := x.masters[ev.UID]; m == nil {
			x.single(ev) // an override without its master stands alone
		}
	case ev.UID != "" && x.masters[ev.UID] == ev:
		x.series(ev, x.overrides[ev.UID])
	default:
		// No UID, or a copy nothing tells apart from the master: still
		// an event of its own.
		x.series(ev, nil)
	}
}

// expandChunk is how many events one expansion goroutine takes at a time
// (small, for an even share: a few events with rules can make most of the
// occurrences), expandWorkers the most goroutines expanding one calendar
// and expandBatch the most occurrences a goroutine holds before handing
// them on.
const (
	expandChunk   = 256
	expandWorkers = 4
	expandBatch   = 1024
)

type expander struct {
	cal      *Calendar
	from, to time.Time
	opt      ExpandOptions
	loc      *time.Location // all-day dates
	floatLoc *time.Location // floating date-times
	me       []string

	masters   map[string]*event
	overrides map[string][]*event
	replaced  map[*event]bool

	budget *budget
	out    []Occurrence // up to expandBatch
	flush  func()       // hands out on and empties it
	// stop is set when the current event reached a limit; over when the
	// limits of the whole expansion were reached.
	stop, over bool
	capped     []cappedEvent
}

// cap records that ev stopped at a limit and stops it.
func (x *expander) cap(ev *event, err error) {
	if !x.stop {
		x.capped = append(x.capped, cappedEvent{ev, err})
	}
	x.stop = true
}

// spend takes one unit of the expansion's budget n (occurrences or work)
// for ev, capping ev when none is left.
func (x *expander) spend(ev *event, n *atomic.Int64, what string, limit int) bool {
	if x.stop {
		return false
	}
	if take(n) {
		return true
	}
	x.over = true
	x.cap(ev, fmt.Errorf("%w: the calendar has more than %s %s in the window (a rule repeating every second?)", ErrCapped, thousands(limit), what))
	return false
}

// real turns a parsed value into an instant.
func (x *expander) real(t icalTime) time.Time {
	switch t.Kind {
	case kindDate:
		y, m, d := t.T.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, x.loc)
	case kindFloating:
		return wallIn(t.T, x.floatLoc)
	}
	return t.T
}

// dateNum is a sortable day number of a wall clock.
func dateNum(t time.Time) int {
	y, m, d := t.Date()
	return y*10000 + int(m)*100 + d
}

// endFor returns the end of an instance starting at start (same kind as
// the event's DTSTART) from the event's DTEND / DURATION.
func endFor(ev *event, start icalTime) icalTime {
	switch {
	case ev.End != nil:
		e := *ev.End
		if start.Kind == kindDate || e.Kind == kindDate {
			if start.Kind == kindDate && e.Kind == kindDate {
				days := int(e.T.Sub(ev.Start.T).Hours() / 24)
				return icalTime{T: start.T.AddDate(0, 0, days), Kind: kindDate}
			}
			return icalTime{T: start.T.Add(e.T.Sub(ev.Start.T)), Kind: start.Kind}
		}
		if e.T.Location() == ev.Start.T.Location() && e.Kind == ev.Start.Kind {
			// Same zone: keep the wall-clock length across DST changes.
			wd := wallOf(e.T).Sub(wallOf(ev.Start.T))
			if start.Kind == kindZoned {
				return icalTime{T: wallIn(wallOf(start.T).Add(wd), start.T.Location()), Kind: kindZoned}
			}
			return icalTime{T: start.T.Add(wd), Kind: start.Kind}
		}
		if start.Kind == kindFloating || e.Kind == kindFloating {
			return icalTime{T: start.T.Add(wallOf(e.T).Sub(wallOf(ev.Start.T))), Kind: start.Kind}
		}
		return icalTime{T: start.T.Add(e.T.Sub(ev.Start.T)), Kind: start.Kind}
	case ev.Duration != nil:
		d := *ev.Duration
		if start.Kind == kindDate {
			days := int(d / (24 * time.Hour))
			if d%(24*time.Hour) != 0 || days < 0 {
				return icalTime{T: start.T.Add(d), Kind: kindDate}
			}
			return icalTime{T: start.T.AddDate(0, 0, days), Kind: kindDate}
		}
		if start.Kind == kindZoned && d%(24*time.Hour) == 0 {
			// Whole days are nominal (RFC 5545 3.3.6): same wall clock.
			return icalTime{T: wallIn(wallOf(start.T).AddDate(0, 0, int(d/(24*time.Hour))), start.T.Location()), Kind: kindZoned}
		}
		return icalTime{T: start.T.Add(d), Kind: start.Kind}
	case start.Kind == kindDate:
		// No DTEND: one calendar day (not 24 h: DST days are 23 or 25 h).
		return icalTime{T: start.T.AddDate(0, 0, 1), Kind: kindDate}
	}
	return start
}

// wallOf returns t's wall clock as a UTC time.
func wallOf(t time.Time) time.Time {
	y, m, d := t.Date()
	hh, mm, ss := t.Clock()
	return time.Date(y, m, d, hh, mm, ss, t.Nanosecond(), time.UTC)
}

// emit appends an occurrence if it overlaps the window.
func (x *expander) emit(ev *event, start, end icalTime, recur time.Time) bool {
	s, e := x.real(start), x.real(end)
	if e.Before(s) {
		e = s
	}
	if s.Equal(e) {
		if s.Before(x.from) || !s.Before(x.to) {
			return false
		}
	} else if !s.Before(x.to) || !x.from.Before(e) {
		return false
	}
	if !x.spend(ev, &x.budget.occ, "events", x.opt.MaxOccurrences) {
		return false
	}
	o := Occurrence{
		UID: ev.UID, Summary: ev.Summary, Start: s, End: e,
		AllDay:       start.Kind == kindDate,
		Floating:     start.Kind == kindFloating && x.cal.wrZone == nil,
		RecurrenceID: recur,
		Transparent:  ev.Transp == "TRANSPARENT",
		Opaque:       ev.Transp == "OPAQUE",
		Cancelled:    ev.Cancelled,
		BusyStatus:   ev.BusyStatus,
		Recurring:    len(ev.Rules) > 0 || len(ev.RDates) > 0 || ev.RecurID != nil,
		Attendees:    len(ev.Attendees),
		Organizer:    ev.Organizer,
		Description:  ev.Description,
	}
	for _, a := range ev.Attendees {
		if a.PartStat != "DECLINED" {
			continue
		}
		for _, m := range x.me {
			if a.Addr == m {
				o.Declined = true
			}
		}
	}
	x.out = append(x.out, o)
	if len(x.out) == expandBatch {
		x.flush()
	}
	return true
}

// single emits a non-recurring event.
func (x *expander) single(ev *event) {
	var recur time.Time
	if ev.RecurID != nil {
		recur = x.real(*ev.RecurID)
	}
	x.emit(ev, ev.Start, endFor(ev, ev.Start), recur)
}

// seriesKey identifies an instance of a series for EXDATE and
// RECURRENCE-ID matching.
type seriesKey struct {
	date int   // for all-day series, and for DATE exceptions
	at   int64 // Unix seconds (zoned) or wall seconds (floating)
}

func keyOf(t icalTime, series icalTime) seriesKey {
	if series.Kind == kindDate || t.Kind == kindDate {
		return seriesKey{date: dateNum(t.T)}
	}
	if series.Kind == kindFloating {
		return seriesKey{at: wallOf(t.T).Unix()}
	}
	if t.Kind == kindFloating {
		return seriesKey{at: wallIn(t.T, series.T.Location()).Unix()}
	}
	return seriesKey{at: t.T.Unix()}
}

// series expands a master event with its overrides.
func (x *expander) series(ev *event, ovs []*event) {
	if len(ev.Rules) == 0 && len(ev.RDates) == 0 && len(ovs) == 0 {
		x.single(ev)
		return
	}
	exAt := map[int64]bool{}
	exDate := map[int]bool{}
	for _, ex := range ev.ExDates {
		k := keyOf(ex, ev.Start)
		if ex.Kind == kindDate || ev.Start.Kind == kindDate {
			exDate[k.date] = true
		} else {
			exAt[k.at] = true
		}
	}
	excluded := func(t icalTime) bool {
		if len(exDate) > 0 && exDate[dateNum(t.T)] {
			return true
		}
		return len(exAt) > 0 && t.Kind != kindDate && exAt[keyOf(t, ev.Start).at]
	}
	byRID := map[seriesKey]*event{}
	// Exchange writes a RECURRENCE-ID at 00:00 to name the day of an
	// instance of a series that is not at midnight.
	byMidnight := map[int]bool{}
	sh, sm, ss := ev.Start.T.Clock()
	startsAtMidnight := sh == 0 && sm == 0 && ss == 0
	var future []moved // RANGE=THISANDFUTURE overrides, by RECURRENCE-ID
	for _, o := range ovs {
		k := keyOf(*o.RecurID, ev.Start)
		if prev := byRID[k]; prev == nil || !newer(prev, o) {
			byRID[k] = o
		}
		if o.RecurID.Kind != kindDate && ev.Start.Kind != kindDate {
			if h, m, s := o.RecurID.T.Clock(); h == 0 && m == 0 && s == 0 {
				byMidnight[dateNum(o.RecurID.T)] = true
			}
		}
		if o.ThisAndFut {
			if mv, ok := x.moveOf(o, ev.Start); ok {
				future = append(future, mv)
			}
		}
	}
	sort.SliceStable(future, func(i, j int) bool { return future[i].from.Before(future[j].from) })
	// Instances a move carries into the window from beyond its edges are
	// found by iterating the rule over the window widened by the largest
	// moves; emit then keeps what overlaps the window at the moved time.
	var reach span
	reach.length = x.real(endFor(ev, ev.Start)).Sub(x.real(ev.Start))
	for _, f := range future {
		reach.back = max(reach.back, f.shift+24*time.Hour) // a day of slack for DST
		reach.ahead = max(reach.ahead, -f.shift+24*time.Hour)
		reach.length = max(reach.length, f.length)
	}

	// seen holds the instances given by DTSTART and RDATE, which a rule
	// may give again; a rule itself never repeats an instance.
	seen := map[seriesKey]bool{}
	instance := func(start icalTime, end *icalTime, fromRule bool) {
		k := keyOf(start, ev.Start)
		if seen[k] {
			return
		}
		if !fromRule {
			seen[k] = true
		}
		if byRID[k] != nil || excluded(start) {
			return
		}
		if len(byMidnight) > 0 && !startsAtMidnight && byMidnight[dateNum(start.T)] {
			return
		}
		recur := x.real(start)
		if f := futureFor(future, recur); f != nil {
			// Moved like the override: its shift, length and details.
			ns := f.apply(start)
			x.emit(f.ev, ns, endFor(f.ev, ns), recur)
			return
		}
		if end == nil {
			e := endFor(ev, start)
			end = &e
		}
		x.emit(ev, start, *end, recur)
	}

	instance(ev.Start, nil, false) // DTSTART is always the first instance
	for _, rd := range ev.RDates {
		if x.stop {
			return
		}
		instance(rd.Start, rd.End, false)
	}
	if len(ev.Rules) > 0 {
		x.rule(ev, reach, instance)
	}
	ovList := make([]*event, 0, len(byRID))
	for _, o := range byRID {
		ovList = append(ovList, o)
	}
	slices.SortFunc(ovList, func(a, b *event) int { return cmp.Compare(a.Line, b.Line) })
	for _, o := range ovList {
		x.emit(o, o.Start, endFor(o, o.Start), x.real(*o.RecurID))
	}
}

// moved is a RANGE=THISANDFUTURE override: from its RECURRENCE-ID on,
// instances move by shift (on the wall clock of the series' zone) and
// take its length and details.
type moved struct {
	ev     *event
	from   time.Time     // the RECURRENCE-ID as an instant
	shift  time.Duration // wall-clock move
	length time.Duration
}

// span is how far a series' rule must be iterated around the window:
// back and ahead are the largest moves of its instances forward and
// backward in time, length the longest instance.
type span struct {
	back, ahead, length time.Duration
}

// moveOf returns the move of a THISANDFUTURE override o of a series
// starting at series. A move longer than MaxEventLength is garbage: o then
// replaces only its own instance.
func (x *expander) moveOf(o *event, series icalTime) (moved, bool) {
	a, b := x.real(o.Start), x.real(*o.RecurID)
	if d := a.Unix() - b.Unix(); d > int64(MaxEventLength/time.Second) || -d > int64(MaxEventLength/time.Second) {
		return moved{}, false
	}
	loc := x.loc
	switch series.Kind {
	case kindZoned:
		loc = series.T.Location()
	case kindFloating:
		loc = x.floatLoc
	}
	shift := wallOf(a.In(loc)).Sub(wallOf(b.In(loc)))
	return moved{ev: o, from: b, shift: shift, length: x.real(endFor(o, o.Start)).Sub(a)}, true
}

// apply moves an instance starting at start.
func (m moved) apply(start icalTime) icalTime {
	switch {
	case start.Kind == kindDate && m.ev.Start.Kind == kindDate:
		return icalTime{T: start.T.AddDate(0, 0, int(m.shift/(24*time.Hour))), Kind: kindDate}
	case start.Kind == kindZoned:
		return icalTime{T: wallIn(wallOf(start.T).Add(m.shift), start.T.Location()), Kind: kindZoned}
	}
	return icalTime{T: start.T.Add(m.shift), Kind: start.Kind}
}

// futureFor returns the last THISANDFUTURE override at or before recur.
func futureFor(future []moved, recur time.Time) *moved {
	var f *moved
	for i := range future {
		if future[i].from.After(recur) {
			break
		}
		f = &future[i]
	}
	return f
}

// ruleStart returns where to start iterating rule s of ev. For DAILY and
// WEEKLY rules without COUNT or BYSETPOS, the set of instances after a
// point does not depend on how far back DTSTART is, only on the phase of
// the interval, so the start jumps by whole intervals (same wall clock) to
// just before the window, widened by reach, instead of walking years of
// history.
func (x *expander) ruleStart(ev *event, s *ruleSpec, reach span) time.Time {
	o := s.opt
	start := ev.Start.T
	if o.Count != 0 || len(o.Bysetpos) > 0 || (o.Freq != rrule.DAILY && o.Freq != rrule.WEEKLY) {
		return start
	}
	stepDays := max(o.Interval, 1)
	if o.Freq == rrule.WEEKLY {
		stepDays *= 7
	}
	target := x.from.Add(-reach.length - reach.back - 7*24*time.Hour) // slack for zones and DST
	// In whole seconds: a time.Duration would saturate past 292 years.
	gapDays := int((target.Unix() - x.real(ev.Start).Unix()) / 86400)
	if gapDays < 2*stepDays {
		return start
	}
	steps := gapDays / stepDays
	return start.AddDate(0, 0, steps*stepDays)
}

// rule iterates the RRULEs of ev (the union of their instances) up to the
// end of the window widened by reach, within the limits.
func (x *expander) rule(ev *event, reach span, instance func(icalTime, *icalTime, bool)) {
	var next func() (time.Time, bool)
	var iters []func() (time.Time, bool)
	for _, s := range ev.Rules {
		if s.noRepeat {
			continue
		}
		r, err := s.build(x.ruleStart(ev, s, reach))
		if err != nil {
			continue // validated at parse time
		}
		if next == nil {
			next = r.Iterator()
			continue
		}
		iters = append(iters, r.Iterator())
	}
	switch {
	case next == nil:
		return
	case len(iters) > 0:
		next = mergeRules(append(iters, next))
	}
	// An instance that starts more than the longest instance's length
	// plus the largest forward move (plus two days for zone and DST
	// slack) before from cannot reach into the window and is skipped
	// cheaply. One that starts at or after to plus the largest backward
	// move is past it.
	skipBefore := x.from.Add(-reach.length - reach.back - 48*time.Hour)
	end := x.to.Add(reach.ahead)
	for n := 0; ; n++ {
		if !x.spend(ev, &x.budget.work, "rule repetitions", x.opt.MaxWork) {
			return
		}
		t, ok := next()
		if !ok {
			return
		}
		if n == x.opt.MaxIterations {
			x.cap(ev, fmt.Errorf("%w: its rule repeats more than %s times up to the end of the window", ErrCapped, thousands(x.opt.MaxIterations)))
			return
		}
		it := icalTime{T: t, Kind: ev.Start.Kind}
		rt := x.real(it)
		if !rt.Before(end) {
			return
		}
		if rt.Before(skipBefore) {
			continue
		}
		instance(it, nil, true)
		if x.stop {
			return
		}
	}
}

// mergeRules merges rule iterators (each ascending) into one ascending
// iterator without repeats.
func mergeRules(iters []func() (time.Time, bool)) func() (time.Time, bool) {
	if len(iters) == 1 {
		return iters[0]
	}
	heads := make([]time.Time, len(iters))
	live := make([]bool, len(iters))
	for i, it := range iters {
		heads[i], live[i] = it()
	}
	var last time.Time
	started := false
	return func() (time.Time, bool) {
		for {
			best := -1
			for i := range iters {
				if live[i] && (best < 0 || heads[i].Before(heads[best])) {
					best = i
				}
			}
			if best < 0 {
				return time.Time{}, false
			}
			t := heads[best]
			heads[best], live[best] = iters[best]()
			if started && t.Equal(last) {
				continue
			}
			started, last = true, t
			return t, true
		}
	}
}
