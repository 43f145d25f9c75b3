package ics

import (
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/teambition/rrule-go"
)

// ExpandOptions are the user's settings that expansion depends on.
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
}

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
	// Opaque is an explicit TRANSP:OPAQUE, which marks an all-day event busy.
	Opaque bool
	// Cancelled is STATUS:CANCELLED (of the event or of this instance).
	Cancelled bool
	// Declined is set when one of the user's addresses has PARTSTAT=DECLINED.
	Declined bool
	// BusyStatus is X-MICROSOFT-CDO-BUSYSTATUS upper-cased: FREE,
	// TENTATIVE, BUSY, OOF or "".
	BusyStatus string
}

// defaultMaxIterations bounds one series' rule iteration.
const defaultMaxIterations = 1_000_000

// Expand returns every occurrence of cal's events overlapping [from, to),
// unsorted. Events of zero length count when from <= start < to (the
// reference expanders' rule). Open-ended rules are iterated only up to to.
func Expand(cal *Calendar, from, to time.Time, opt ExpandOptions) []Occurrence {
	if cal == nil {
		return nil
	}
	parts := make([][]Occurrence, expandChunks(cal))
	expandEach(cal, from, to, opt, func(_, chunk int, occs []Occurrence) {
		if parts[chunk] == nil {
			parts[chunk] = slices.Clone(occs)
		} else {
			parts[chunk] = append(parts[chunk], occs...)
		}
	})
	return slices.Concat(parts...)
}

// expandChunks returns how many chunks expandEach cuts cal into.
func expandChunks(cal *Calendar) int {
	if len(cal.events) < 2*expandChunk {
		return 1
	}
	return (len(cal.events) + expandChunk - 1) / expandChunk
}

// expandEach expands cal over [from, to) and hands the occurrences to each
// in batches of at most expandBatch: a big calendar is cut into chunks of
// expandChunk events expanded on a few goroutines (started and awaited
// here), a small one is one chunk. each gets the number of the worker
// (below expandWorkers), the number of the chunk (below expandChunks) the
// occurrences come from and the occurrences, in event order within the
// chunk; calls from one worker are sequential and occs is reused once each
// returns.
func expandEach(cal *Calendar, from, to time.Time, opt ExpandOptions, each func(worker, chunk int, occs []Occurrence)) {
	if !from.Before(to) {
		return
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
	for _, a := range opt.UserAddresses {
		a = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(a)), "mailto:")
		if a != "" {
			x.me = append(x.me, a)
		}
	}
	masters := make(map[string]*event, len(cal.events))
	overrides := map[string][]*event{}
	for _, ev := range cal.events {
		if ev.RecurID == nil {
			if ev.UID == "" {
				continue // no UID: cannot carry overrides
			}
			if prev, ok := masters[ev.UID]; !ok || ev.Seq > prev.Seq {
				masters[ev.UID] = ev
			}
		} else {
			overrides[ev.UID] = append(overrides[ev.UID], ev)
		}
	}
	chunks := expandChunks(cal)
	var next atomic.Int64
	work := func(worker int) {
		w := x
		w.out = make([]Occurrence, 0, expandBatch)
		c := 0
		w.flush = func() {
			each(worker, c, w.out)
			w.out = w.out[:0]
		}
		for {
			c = int(next.Add(1) - 1)
			if c >= chunks {
				return
			}
			events := cal.events
			if chunks > 1 {
				events = events[c*expandChunk : min((c+1)*expandChunk, len(events))]
			}
			for _, ev := range events {
				w.one(ev, masters, overrides)
			}
			if len(w.out) > 0 {
				w.flush()
			}
		}
	}
	workers := min(runtime.GOMAXPROCS(0), expandWorkers, chunks)
	if workers <= 1 {
		work(0)
		return
	}
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() { work(i) })
	}
	wg.Wait()
}

// one expands one event. A panic (a bug, or one in rrule-go) costs only
// that event, never the caller.
func (x *expander) one(ev *event, masters map[string]*event, overrides map[string][]*event) {
	defer func() {
		// The event is skipped from here on; what it produced stays.
		_ = recover()
	}()
	switch {
	case ev.RecurID != nil:
		if m := masters[ev.UID]; m == nil {
			x.single(ev) // an override without its master stands alone
		}
	case ev.UID != "" && masters[ev.UID] == ev:
		x.series(ev, overrides[ev.UID])
	default:
		// No UID, or a second event reusing a UID (feeds do that): still
		// an event of its own, as both references show it.
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
	out      []Occurrence // up to expandBatch
	flush    func()       // hands out on and empties it
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
	o := Occurrence{
		UID: ev.UID, Summary: ev.Summary, Start: s, End: e,
		AllDay:       start.Kind == kindDate,
		Floating:     start.Kind == kindFloating && x.cal.wrZone == nil,
		RecurrenceID: recur,
		Transparent:  ev.Transp == "TRANSPARENT",
		Opaque:       ev.Transp == "OPAQUE",
		Cancelled:    ev.Cancelled,
		BusyStatus:   ev.BusyStatus,
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
	if ev.Rule == nil && len(ev.RDates) == 0 && len(ovs) == 0 {
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
	var future []*event // RANGE=THISANDFUTURE overrides, sorted by RECURRENCE-ID
	for _, o := range ovs {
		k := keyOf(*o.RecurID, ev.Start)
		if prev := byRID[k]; prev == nil || o.Seq >= prev.Seq {
			byRID[k] = o
		}
		if o.RecurID.Kind != kindDate && ev.Start.Kind != kindDate {
			if h, m, s := o.RecurID.T.Clock(); h == 0 && m == 0 && s == 0 {
				byMidnight[dateNum(o.RecurID.T)] = true
			}
		}
		if o.ThisAndFut {
			future = append(future, o)
		}
	}
	sort.Slice(future, func(i, j int) bool { return x.real(*future[i].RecurID).Before(x.real(*future[j].RecurID)) })

	seen := map[seriesKey]bool{}
	instance := func(start icalTime, end *icalTime) {
		k := keyOf(start, ev.Start)
		if seen[k] {
			return
		}
		seen[k] = true
		if byRID[k] != nil || excluded(start) {
			return
		}
		if len(byMidnight) > 0 && !startsAtMidnight && byMidnight[dateNum(start.T)] {
			return
		}
		recur := x.real(start)
		if f := x.futureFor(future, recur); f != nil {
			// Shift by the override's move, take its length and details.
			shift := x.real(f.Start).Sub(x.real(*f.RecurID))
			var ns icalTime
			if start.Kind == kindDate && f.Start.Kind == kindDate {
				days := int(f.Start.T.Sub(f.RecurID.T).Hours() / 24)
				ns = icalTime{T: start.T.AddDate(0, 0, days), Kind: kindDate}
			} else {
				ns = icalTime{T: start.T.Add(shift), Kind: start.Kind}
			}
			x.emit(f, ns, endFor(f, ns), recur)
			return
		}
		if end == nil {
			e := endFor(ev, start)
			end = &e
		}
		x.emit(ev, start, *end, recur)
	}

	instance(ev.Start, nil) // DTSTART is always the first instance
	for _, rd := range ev.RDates {
		instance(rd.Start, rd.End)
	}
	if ev.Rule != nil {
		x.rule(ev, instance)
	}
	for _, o := range byRID {
		x.emit(o, o.Start, endFor(o, o.Start), x.real(*o.RecurID))
	}
}

// futureFor returns the last THISANDFUTURE override at or before recur.
func (x *expander) futureFor(future []*event, recur time.Time) *event {
	var f *event
	for _, o := range future {
		if x.real(*o.RecurID).After(recur) {
			break
		}
		f = o
	}
	return f
}

// ruleStart returns where to start iterating ev's rule. For DAILY and
// WEEKLY rules without COUNT or BYSETPOS, the set of instances after a
// point does not depend on how far back DTSTART is, only on the phase of
// the interval, so the start jumps by whole intervals (same wall clock) to
// just before the window instead of walking years of history.
func (x *expander) ruleStart(ev *event) time.Time {
	o := ev.Rule.opt
	start := ev.Start.T
	if o.Count != 0 || len(o.Bysetpos) > 0 || (o.Freq != rrule.DAILY && o.Freq != rrule.WEEKLY) {
		return start
	}
	stepDays := max(o.Interval, 1)
	if o.Freq == rrule.WEEKLY {
		stepDays *= 7
	}
	length := x.real(endFor(ev, ev.Start)).Sub(x.real(ev.Start))
	target := x.from.Add(-length - 7*24*time.Hour) // slack for zones and DST
	gapDays := int(target.Sub(x.real(ev.Start)).Hours() / 24)
	if gapDays < 2*stepDays {
		return start
	}
	steps := gapDays / stepDays
	return start.AddDate(0, 0, steps*stepDays)
}

// rule iterates the RRULE of ev up to the end of the window.
func (x *expander) rule(ev *event, instance func(icalTime, *icalTime)) {
	r, err := ev.Rule.build(x.ruleStart(ev))
	if err != nil {
		return // validated at parse time
	}
	next := r.Iterator()
	// An instance that starts more than the event's length (plus two days
	// for zone and DST slack) before from cannot reach into the window and
	// is skipped cheaply. Anything that starts at or after to is past it.
	length := x.real(endFor(ev, ev.Start)).Sub(x.real(ev.Start))
	skipBefore := x.from.Add(-length - 48*time.Hour)
	for n := 0; n < x.opt.MaxIterations; n++ {
		t, ok := next()
		if !ok {
			return
		}
		it := icalTime{T: t, Kind: ev.Start.Kind}
		rt := x.real(it)
		if !rt.Before(x.to) {
			return
		}
		if rt.Before(skipBefore) {
			continue
		}
		instance(it, nil)
	}
}
