package calendar

import (
	"fmt"
	"time"
)

// DayNote says, in the user's terms, why a working day of the planning
// horizon got no focus block.
type DayNote struct {
	// Date is the day's midnight in the user's zone.
	Date time.Time `json:"date"`
	// Reason is one short phrase: "out of office ('Vacation')",
	// "all-day 'Team offsite'", "meetings leave no free hour", "weekly
	// goal already reached", "daily cap reached by accepted blocks",
	// "already over"...
	Reason string `json:"reason"`
}

// ExplainDays returns a note for every working day of in's horizon on which
// blocks (the plan Plan or Replan made from in) hold no accepted or
// proposed focus, in date order. Days without working hours get none: that
// they have no focus is obvious. allDay are the busy all-day events of the
// calendars (BusyTime.AllDay), named in the notes. It is a pure function
// and does not plan: it tells, in the order a person would look, the first
// rule that leaves the day empty.
func ExplainDays(in PlanInput, blocks []Block, allDay []AllDayEvent) []DayNote {
	s := in.Settings
	loc := in.Location
	if loc == nil {
		var err error
		if loc, err = s.Location(); err != nil {
			loc = time.UTC
		}
	}
	from := in.From
	type day struct{ y, m, d int }
	keyOf := func(t time.Time) day {
		y, m, d := t.In(loc).Date()
		return day{y, int(m), d}
	}
	weekOf := func(t time.Time) int {
		y, w := t.In(loc).ISOWeek()
		return y*100 + w
	}
	focus := map[day]bool{}
	weekFocus := map[int]time.Duration{weekOf(from): in.FocusedThisWeek}
	var guarded []Interval // skipped blocks and tombstones: slots the planner never uses
	for _, b := range blocks {
		if b.State == StateSkipped {
			guarded = append(guarded, b.Interval())
			continue
		}
		focus[keyOf(b.Start)] = true
		weekFocus[weekOf(b.Start)] += b.Duration()
	}
	capUsed := map[day]time.Duration{} // accepted focus that already ended (history)
	for _, b := range in.Existing {
		if b.State == StateAccepted && !b.End.After(from) {
			capUsed[keyOf(b.Start)] += b.Duration()
		}
	}
	for _, t := range in.Tombstones {
		guarded = append(guarded, Interval{Start: t.Start, End: t.End})
	}
	oof := map[day]bool{}
	for _, t := range in.OutOfOffice {
		oof[keyOf(t)] = true
	}
	meetings := make([]Interval, 0, len(in.Busy))
	for _, b := range in.Busy {
		meetings = append(meetings, Interval{Start: b.Start.Add(-s.Buffer), End: b.End.Add(s.Buffer)})
	}
	meetings = Merge(meetings)
	taken := Merge(append(append([]Interval(nil), meetings...), guarded...))

	var notes []DayNote
	y, m, d := from.In(loc).Date()
	for i := 0; i < s.HorizonDays; i++ {
		date := time.Date(y, m, d+i, 0, 0, 0, 0, loc)
		h := s.Hours[date.Weekday()]
		k := keyOf(date)
		if h.Empty() || focus[k] {
			continue
		}
		work := h.on(date, loc)
		if start := ceilToGrid(from); work.Start.Before(start) {
			work.Start = start
		}
		reason := ""
		switch {
		case work.End.Sub(work.Start) < s.MinBlock:
			reason = "already over"
		case oof[k]:
			reason = "out of office"
			if names := allDayOn(allDay, date, true); len(names) > 0 {
				reason += " (" + quoted(names) + ")"
			}
		case len(allDayOn(allDay, date, false)) > 0:
			reason = "all-day " + quoted(allDayOn(allDay, date, false))
		case capUsed[k] > 0 && capUsed[k]+s.MinBlock > s.DailyCap:
			reason = "daily cap reached by accepted blocks"
		case !fits(work, meetings, s.MinBlock):
			reason = "meetings leave no free " + lengthWords(s.MinBlock)
		case !fits(work, taken, s.MinBlock):
			reason = "the free time is on skipped or deleted blocks"
		case s.WeeklyGoal > 0 && weekFocus[weekOf(date)] >= s.WeeklyGoal:
			reason = "weekly goal already reached"
		default:
			reason = "no block fits the planning rules"
		}
		notes = append(notes, DayNote{Date: date, Reason: reason})
	}
	return notes
}

// allDayOn returns the summaries of the all-day events covering date: the
// out-of-office ones with oof, the others without.
func allDayOn(events []AllDayEvent, date time.Time, oof bool) []string {
	var out []string
	for _, e := range events {
		if e.OutOfOffice == oof && !date.Before(e.Start) && date.Before(e.End) {
			out = append(out, e.Summary)
		}
	}
	return out
}

// quoted names the first of summaries in quotes, and how many more there
// are: "'Team offsite'", "'Team offsite' and 2 more", "untitled event".
func quoted(summaries []string) string {
	name := "untitled event"
	if summaries[0] != "" {
		name = "'" + summaries[0] + "'"
	}
	if n := len(summaries) - 1; n > 0 {
		name += fmt.Sprintf(" and %d more", n)
	}
	return name
}

// fits reports whether a block of at least min, on the planner's grid,
// fits in work outside busy.
func fits(work Interval, busy []Interval, min time.Duration) bool {
	for _, gap := range Subtract(work, busy) {
		if floorToGrid(gap.End).Sub(ceilToGrid(gap.Start)) >= min {
			return true
		}
	}
	return false
}

// ceilToGrid and floorToGrid round t to the planner's Grid.
func ceilToGrid(t time.Time) time.Time {
	if r := t.Truncate(Grid); r.Before(t) {
		return r.Add(Grid)
	}
	return t
}

func floorToGrid(t time.Time) time.Time { return t.Truncate(Grid) }

// lengthWords says a block length as a person would after "no free":
// "hour" for one hour, else "45 min", "1 h 30 min".
func lengthWords(d time.Duration) string {
	if d == time.Hour {
		return "hour"
	}
	return DurationText(d)
}
