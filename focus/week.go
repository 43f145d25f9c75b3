package focus

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/internal/human"
)

// Week is one reporting week: ISO year and number, and its bounds in the
// user's zone. With a first weekday other than Monday, week YYYY-Www starts
// on the last such weekday on or before ISO week Www's Monday (a Sunday-first
// 2026-W47 runs Sun 15 Nov – Sat 21 Nov 2026).
type Week struct {
	// Year and Num are the ISO week-numbering year and week (1–53).
	Year, Num int
	// Start is the first day's midnight and End the next week's, both in the
	// user's zone; End-Start is 167, 168 or 169 hours across DST.
	Start, End time.Time
}

// String returns the ISO label, e.g. "2026-W47".
func (w Week) String() string { return fmt.Sprintf("%04d-W%02d", w.Year, w.Num) }

// Days returns the seven days of the week as [midnight, next midnight) in
// the user's zone, so a 23 h or 25 h day is exactly that long.
func (w Week) Days() []calendar.Interval {
	days := make([]calendar.Interval, 7)
	y, m, d := w.Start.Date()
	loc := w.Start.Location()
	for i := range days {
		days[i] = calendar.Interval{
			Start: time.Date(y, m, d+i, 0, 0, 0, 0, loc),
			End:   time.Date(y, m, d+i+1, 0, 0, 0, 0, loc),
		}
	}
	return days
}

// Prev returns the week before w.
func (w Week) Prev(cfg Config) Week { return cfg.WeekOf(w.Start.AddDate(0, 0, -1)) }

// Interval returns [Start, End).
func (w Week) Interval() calendar.Interval { return calendar.Interval{Start: w.Start, End: w.End} }

// mondayOffset is how many days the first weekday lies before Monday.
func mondayOffset(first time.Weekday) int { return (int(time.Monday) - int(first) + 7) % 7 }

// WeekOf returns the week containing t in the configured zone.
func (c Config) WeekOf(t time.Time) Week {
	c = c.withDefaults()
	t = t.In(c.Location)
	back := (int(t.Weekday()) - int(c.FirstWeekday) + 7) % 7
	y, m, d := t.Date()
	start := time.Date(y, m, d-back, 0, 0, 0, 0, c.Location)
	monday := start.AddDate(0, 0, mondayOffset(c.FirstWeekday))
	iy, iw := monday.ISOWeek()
	return Week{Year: iy, Num: iw, Start: start, End: time.Date(y, m, d-back+7, 0, 0, 0, 0, c.Location)}
}

// Week returns ISO week (year, num) with the configured first weekday and
// zone; it fails with ErrBadWeek for a week that does not exist (W53 in a
// 52-week year, W00).
func (c Config) Week(year, num int) (Week, error) {
	c = c.withDefaults()
	if year < 1 || year > 9999 || num < 1 || num > 53 {
		return Week{}, &human.FieldError{Key: "week", Label: "week", Value: fmt.Sprintf("%04d-W%02d", year, num),
			Problem: "weeks are numbered 01 to 53, years 0001 to 9999", Example: "2026-W47", Err: ErrBadWeek}
	}
	// 4 January is always in ISO week 1.
	jan4 := time.Date(year, time.January, 4, 12, 0, 0, 0, c.Location)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+(num-1)*7)
	if y, n := monday.ISOWeek(); y != year || n != num {
		_, last := time.Date(year, time.December, 28, 12, 0, 0, 0, time.UTC).ISOWeek() // always in the last week
		return Week{}, &human.FieldError{Key: "week", Label: "week", Value: fmt.Sprintf("%04d-W%02d", year, num),
			Problem: fmt.Sprintf("%d has %d weeks", year, last), Example: fmt.Sprintf("%d-W%02d", year, last), Err: ErrBadWeek}
	}
	return c.WeekOf(monday), nil
}

var weekRE = regexp.MustCompile(`^(\d{4})-?[Ww](\d{1,2})$`)

// ParseWeek parses "2026-W47" (also "2026W47", "2026-w47"); an empty string
// means the current week. It fails with ErrBadWeek for malformed or
// non-existent weeks and ErrFutureWeek for a week that starts after now.
func (c Config) ParseWeek(s string, now time.Time) (Week, error) {
	if s == "" {
		return c.WeekOf(now), nil
	}
	m := weekRE.FindStringSubmatch(s)
	if m == nil {
		return Week{}, &human.FieldError{Key: "week", Label: "week", Value: s,
			Problem: "write an ISO week as YYYY-Www", Example: "2026-W47", Err: ErrBadWeek}
	}
	year, _ := strconv.Atoi(m[1])
	num, _ := strconv.Atoi(m[2])
	w, err := c.Week(year, num)
	if err != nil {
		return Week{}, err
	}
	if w.Start.After(now) {
		return Week{}, &human.FieldError{Key: "week", Label: "week", Value: s,
			Problem: "has not started yet: it starts " + w.Start.Format("Mon 2 Jan 2006"), Err: ErrFutureWeek}
	}
	return w, nil
}
