package calendar

import (
	"slices"
	"time"

	"github.com/lullapp/lull/calendar/ics"
)

// Meeting is one timed busy occurrence: what Lull holds notifications
// during (the "quiet during meetings" rule). It follows the same busy rules
// as planning (IsBusy: declined, cancelled, transparent and Outlook-free
// events are not meetings), with two exceptions: all-day events never
// are, and neither is a timed event longer than MaxMeetingLength. Both
// mark a day (a holiday, an offsite, a conference, "blocked for
// travel"), not a stretch where a person talks to others: holding every
// notification for a whole day would turn the day into one long silence
// with one huge digest at midnight, which nobody asked for by adding a
// calendar. They still count as busy time for planning.
type Meeting struct {
	Summary string    `json:"summary"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
}

// MaxMeetingLength is the longest timed event that counts as a meeting: a
// long workshop still does, while a timed event spanning a day or more is
// a day's state (see Meeting).
const MaxMeetingLength = 12 * time.Hour

// IsMeeting reports whether o is a meeting (see Meeting).
func IsMeeting(o ics.Occurrence, allDayFree bool) bool {
	if o.AllDay || !IsBusy(o, allDayFree) {
		return false
	}
	d := o.End.Sub(o.Start)
	return d > 0 && d <= MaxMeetingLength
}

// Meetings returns the meetings among occs, sorted by start (then end).
func Meetings(occs []ics.Occurrence, allDayFree bool) []Meeting {
	var out []Meeting
	for _, o := range occs {
		if IsMeeting(o, allDayFree) {
			out = append(out, Meeting{Summary: shortSummary(o.Summary), Start: o.Start, End: o.End})
		}
	}
	sortMeetings(out)
	return out
}

func sortMeetings(ms []Meeting) {
	slices.SortStableFunc(ms, func(a, b Meeting) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return a.End.Compare(b.End)
	})
}

// MeetingAt returns the quiet stretch of meetings covering t: meetings
// that overlap or lie less than join apart are one stretch (back-to-back
// meetings are one quiet time), from the first one's start to the last
// one's end; title is the meeting running at t (the one that started
// last, when several overlap). ok is false when no meeting covers t (a
// gap inside a stretch counts as covered). ms must be sorted by start.
func MeetingAt(ms []Meeting, t time.Time, join time.Duration) (stretch Interval, title string, ok bool) {
	for _, iv := range meetingStretches(ms, join) {
		if !t.Before(iv.Start) && t.Before(iv.End) {
			for _, m := range ms {
				if !m.Start.After(t) && m.End.After(t) {
					title = m.Summary
				}
			}
			if title == "" { // in a short gap: name the next one
				for _, m := range ms {
					if m.Start.After(t) {
						title = m.Summary
						break
					}
				}
			}
			return iv, title, true
		}
	}
	return Interval{}, "", false
}

// meetingStretches joins meetings at most join apart into stretches.
func meetingStretches(ms []Meeting, join time.Duration) []Interval {
	var out []Interval
	for _, m := range ms {
		if !m.End.After(m.Start) {
			continue
		}
		if n := len(out); n > 0 && m.Start.Sub(out[n-1].End) <= join {
			if m.End.After(out[n-1].End) {
				out[n-1].End = m.End
			}
			continue
		}
		out = append(out, Interval{Start: m.Start, End: m.End})
	}
	return out
}
