package calendar

import (
	"time"

	"github.com/lullapp/lull/calendar/ics"
)

// IsBusy reports whether an occurrence blocks the user's time, per the
// product rules: not when transparent (TRANSP:TRANSPARENT or Outlook's
// BUSYSTATUS FREE), cancelled, or declined by the user; all-day events only
// when explicitly marked busy (BUSYSTATUS BUSY/OOF or TRANSP:OPAQUE).
func IsBusy(o ics.Occurrence) bool {
	if o.Cancelled || o.Declined || o.BusyStatus == "FREE" {
		return false
	}
	if o.AllDay {
		return o.BusyStatus == "BUSY" || o.BusyStatus == "OOF" || (o.Opaque && o.BusyStatus == "")
	}
	if o.BusyStatus == "BUSY" || o.BusyStatus == "OOF" || o.BusyStatus == "TENTATIVE" {
		return true // Outlook's status wins over a contradicting TRANSP
	}
	return !o.Transparent
}

// IsOutOfOffice reports whether the occurrence marks the user away
// (X-MICROSOFT-CDO-BUSYSTATUS:OOF) and is not cancelled or declined.
func IsOutOfOffice(o ics.Occurrence) bool {
	return o.BusyStatus == "OOF" && !o.Cancelled && !o.Declined
}

// Busy returns the merged busy intervals of occs (see IsBusy).
// loc is the user's zone; all-day occurrences already span local midnights
// in the zone they were expanded with, so loc only re-anchors them when it
// differs.
func Busy(occs []ics.Occurrence, loc *time.Location) []Interval {
	var ivs []Interval
	for _, o := range occs {
		if !IsBusy(o) {
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
	seen := map[time.Time]bool{}
	var out []time.Time
	add := func(d time.Time) {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
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
				add(d)
			}
			continue
		}
		s, e := o.Start.In(loc), o.End.In(loc)
		d := localMidnight(s, loc)
		if d.Before(s) {
			d = d.AddDate(0, 0, 1)
		}
		for ; !d.AddDate(0, 0, 1).After(e); d = d.AddDate(0, 0, 1) {
			add(d)
		}
	}
	sortTimes(out)
	return out
}

func sortTimes(ts []time.Time) {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && ts[j].Before(ts[j-1]); j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}
