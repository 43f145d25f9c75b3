package calendar

import (
	"slices"
	"strings"
	"time"

	"github.com/lullapp/lull/calendar/ics"
)

// BusyOptions are the settings busy time depends on.
type BusyOptions struct {
	// Location is the user's zone: all-day events and out-of-office days
	// are its local days. Nil means UTC.
	Location *time.Location
	// UserAddresses are the user's own calendar addresses; a meeting one
	// of them declined is free.
	UserAddresses []string
	// AllDayFree is the calendar's "all-day events are free" setting: an
	// all-day event that says nothing about being busy or free counts as
	// free (for producers that never mark all-day events transparent).
	AllDayFree bool
}

// AllDayEvent is a busy all-day event, kept by name so the plan can say
// why a day got no focus ("all-day 'Team offsite'").
type AllDayEvent struct {
	Summary string `json:"summary"`
	// Start and End are local midnights: [Start, End) are the days it
	// covers.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// OutOfOffice is set for an out-of-office event (BUSYSTATUS OOF).
	OutOfOffice bool `json:"out_of_office,omitempty"`
}

// BusyTime is what one calendar contributes over a window.
type BusyTime struct {
	// Busy is the merged busy time.
	Busy []Interval
	// OutOfOffice are the local midnights of the days the user is away.
	OutOfOffice []time.Time
	// AllDay are the busy all-day events (out-of-office ones included),
	// sorted by start.
	AllDay []AllDayEvent
	// Meetings are the timed busy events, sorted by start (see Meeting).
	Meetings []Meeting
	// Events is the number of occurrences in the window.
	Events int
	// Read is the number of events read from the calendar (a recurring
	// event counts once): what `calendar list` reports per source.
	Read int
	// Problems are the events that could not be read, or were not expanded
	// in full (each names the calendar, line and event).
	Problems []error
}

// ReadBusy parses calendar data and returns its busy time over [from, to):
// the one way Lull turns a calendar into busy time, used by the sync of
// every source, `lull calendar busy` and `lull plan --ics`. name names the
// calendar in errors. err is set only when the data is no calendar at all
// (ics.ErrEmpty, ics.ErrNotICalendar).
func ReadBusy(name string, data []byte, from, to time.Time, opt BusyOptions) (BusyTime, error) {
	cal, err := ics.Parse(name, data)
	if err != nil {
		return BusyTime{}, err
	}
	return BusyOf(cal, from, to, opt), nil
}

// BusyOf returns the busy time of a parsed calendar over [from, to).
func BusyOf(cal *ics.Calendar, from, to time.Time, opt BusyOptions) BusyTime {
	loc := opt.Location
	if loc == nil {
		loc = time.UTC
	}
	occs, capped := ics.Expand(cal, from, to, ics.ExpandOptions{Location: loc, UserAddresses: opt.UserAddresses})
	bt := BusyTime{
		Busy:        Busy(occs, loc, opt.AllDayFree),
		OutOfOffice: OutOfOfficeDays(occs, loc),
		AllDay:      allDayEvents(occs, loc, opt.AllDayFree),
		Meetings:    Meetings(occs, opt.AllDayFree),
		Events:      len(occs),
		Read:        cal.EventCount(),
		Problems:    append(slices.Clip(cal.Problems), capped...),
	}
	return bt
}

// Add merges b's busy time into bt (several calendars into one).
func (bt *BusyTime) Add(b BusyTime) {
	bt.Busy = Merge(append(bt.Busy, b.Busy...))
	bt.OutOfOffice = uniqueTimes(append(bt.OutOfOffice, b.OutOfOffice...))
	bt.AllDay = append(bt.AllDay, b.AllDay...)
	slices.SortStableFunc(bt.AllDay, func(a, b AllDayEvent) int { return a.Start.Compare(b.Start) })
	bt.Meetings = append(bt.Meetings, b.Meetings...)
	sortMeetings(bt.Meetings)
	bt.Events += b.Events
	bt.Read += b.Read
	bt.Problems = append(bt.Problems, b.Problems...)
}

// IsBusy reports whether an occurrence blocks the user's time, per the
// product rules (PRODUCT.md): never when cancelled, declined by the user or
// marked free (Outlook's BUSYSTATUS FREE, TRANSP:TRANSPARENT); Outlook's
// BUSY, OOF and TENTATIVE win over a contradicting TRANSP. All-day events
// follow their marking like any other event: without one they are busy, as
// RFC 5545 says, unless the calendar is set "all-day events are free"
// (allDayFree), which an explicit TRANSP:OPAQUE still overrides.
func IsBusy(o ics.Occurrence, allDayFree bool) bool {
	switch {
	case o.Cancelled || o.Declined || o.BusyStatus == "FREE":
		return false
	case o.BusyStatus == "BUSY" || o.BusyStatus == "OOF" || o.BusyStatus == "TENTATIVE":
		return true
	case o.Transparent:
		return false
	case o.AllDay && allDayFree:
		return o.Opaque
	}
	return true
}

// IsOutOfOffice reports whether the occurrence marks the user away
// (X-MICROSOFT-CDO-BUSYSTATUS:OOF) and is not cancelled or declined.
func IsOutOfOffice(o ics.Occurrence) bool {
	return o.BusyStatus == "OOF" && !o.Cancelled && !o.Declined
}

// Busy returns the merged busy intervals of occs (see IsBusy). loc is the
// user's zone; all-day occurrences already span local midnights in the
// zone they were expanded with, so loc only re-anchors them when it
// differs.
func Busy(occs []ics.Occurrence, loc *time.Location, allDayFree bool) []Interval {
	var ivs []Interval
	for _, o := range occs {
		if !IsBusy(o, allDayFree) {
			continue
		}
		s, e := o.Start, o.End
		if o.AllDay && loc != nil {
			s, e = localMidnight(s, loc), localMidnight(e, loc)
		}
		if !e.After(s) {
			continue
		}
		ivs = append(ivs, Interval{Start: s, End: e})
	}
	return Merge(ivs)
}

// allDayEvents lists the busy all-day occurrences, by local days.
func allDayEvents(occs []ics.Occurrence, loc *time.Location, allDayFree bool) []AllDayEvent {
	var out []AllDayEvent
	for _, o := range occs {
		if !o.AllDay || !IsBusy(o, allDayFree) {
			continue
		}
		s, e := localMidnight(o.Start, loc), localMidnight(o.End, loc)
		if !e.After(s) {
			e = s.AddDate(0, 0, 1)
		}
		out = append(out, AllDayEvent{Summary: shortSummary(o.Summary), Start: s, End: e, OutOfOffice: IsOutOfOffice(o)})
	}
	slices.SortStableFunc(out, func(a, b AllDayEvent) int { return a.Start.Compare(b.Start) })
	return out
}

// shortSummary makes a summary fit one short line of text: runs of white space
// become one space, and it is cut at maxSummary runes.
func shortSummary(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > maxSummary {
		s = string(r[:maxSummary-1]) + "…"
	}
	return s
}

// maxSummary is the longest event summary kept for explaining a day: it is
// quoted in one line of the Plan tab and of `lull plan`.
const maxSummary = 60

// localMidnight returns the midnight in loc of t's calendar date.
func localMidnight(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// OutOfOfficeDays returns the local dates (midnights in loc, ascending,
// unique) the user is out of office on: every day touched by an all-day
// OOF occurrence, and every day a timed OOF occurrence covers from
// midnight to midnight. Lull plans no focus on those days.
func OutOfOfficeDays(occs []ics.Occurrence, loc *time.Location) []time.Time {
	if loc == nil {
		loc = time.UTC
	}
	var out []time.Time
	for _, o := range occs {
		if !IsOutOfOffice(o) {
			continue
		}
		if o.AllDay {
			end := localMidnight(o.End, loc)
			d := localMidnight(o.Start, loc)
			if !end.After(d) {
				end = d.AddDate(0, 0, 1)
			}
			for ; d.Before(end); d = d.AddDate(0, 0, 1) {
				out = append(out, d)
			}
			continue
		}
		s, e := o.Start.In(loc), o.End.In(loc)
		d := localMidnight(s, loc)
		if d.Before(s) {
			d = d.AddDate(0, 0, 1)
		}
		for ; !d.AddDate(0, 0, 1).After(e); d = d.AddDate(0, 0, 1) {
			out = append(out, d)
		}
	}
	return uniqueTimes(out)
}

// uniqueTimes sorts ts and drops repeated instants.
func uniqueTimes(ts []time.Time) []time.Time {
	slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
	return slices.CompactFunc(ts, func(a, b time.Time) bool { return a.Equal(b) })
}
