package coach

import (
	"time"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/calendar/ics"
)

// Busy is what one or more calendars hold over a window, as the coach
// reads it: the busy timed meetings with their details, and the rest of
// the busy time (all-day events) and days away for the planner.
type Busy struct {
	Meetings    []Meeting
	Other       []calendar.Interval
	OutOfOffice []time.Time
}

// ReadCalendar reads one calendar's data over [from, to): every busy timed
// occurrence (calendar.IsBusy, with the user's addresses and the calendar's
// all-day setting in opt) as a Meeting whose Series is name plus the
// event's UID. Problems with single events are ignored here: the sync
// reports them.
func ReadCalendar(name string, data []byte, from, to time.Time, opt calendar.BusyOptions) (Busy, error) {
	cal, err := ics.Parse(name, data)
	if err != nil {
		return Busy{}, err
	}
	occs, _ := ics.Expand(cal, from, to, ics.ExpandOptions{Location: opt.Location, UserAddresses: opt.UserAddresses})
	var b Busy
	var allDay []ics.Occurrence
	for _, o := range occs {
		if !calendar.IsBusy(o, opt.AllDayFree) {
			continue
		}
		if o.AllDay {
			allDay = append(allDay, o)
			continue
		}
		if !o.End.After(o.Start) {
			continue
		}
		b.Meetings = append(b.Meetings, Meeting{
			Series: name + "\x00" + o.UID, Summary: o.Summary, Start: o.Start, End: o.End,
			Recurring: o.Recurring, Attendees: o.Attendees, Organizer: o.Organizer, Description: o.Description,
		})
	}
	b.Other = calendar.Busy(allDay, opt.Location, opt.AllDayFree)
	b.OutOfOffice = calendar.OutOfOfficeDays(occs, opt.Location)
	return b, nil
}

// Add adds another calendar's busy time.
func (b *Busy) Add(o Busy) {
	b.Meetings = append(b.Meetings, o.Meetings...)
	b.Other = calendar.Merge(append(b.Other, o.Other...))
	b.OutOfOffice = append(b.OutOfOffice, o.OutOfOffice...)
}
