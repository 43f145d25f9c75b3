package human

import (
	"strings"
	"time"
)

// RangeExamples is what ParseRange's errors suggest.
const RangeExamples = "2026-11-30, 2026-11-30T14:00 or 2026-11-30T14:00+01:00"

// localLayouts are the wall-clock forms ParseRange reads in the caller's
// zone; zonedLayouts carry their own offset.
var (
	localLayouts = []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04"}
	zonedLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"}
)

// ParseRange is the one reader of --from/--to pairs, for every command and
// the local API (lull calendar expand, calendar busy, export; GET /v1/busy,
// GET /v1/export). Its rules:
//
//   - a date, "2026-11-30", names the whole day in loc: as from it is that
//     day's midnight, as to the next midnight, so "--from 2026-11-01 --to
//     2026-11-30" is all of November;
//   - a wall-clock time, "2026-11-30T14:00" (or with a space, seconds
//     optional), is that time in loc;
//   - a time with a zone, "2026-11-30T14:00:00Z" or "2026-11-30T14:00+01:00"
//     (RFC 3339, seconds optional), is that instant;
//   - an empty side is left zero, for the caller's default (unbounded, today,
//     a week on);
//   - the range is half-open, [start, end), and must not be empty.
//
// Errors are *FieldError (wrapping ErrBadDate) naming the flag, in loc's
// words, with an example of a right value.
func ParseRange(from, to string, loc *time.Location) (start, end time.Time, err error) {
	if start, err = parseBound("from", from, loc, false); err != nil {
		return time.Time{}, time.Time{}, err
	}
	if end, err = parseBound("to", to, loc, true); err != nil {
		return time.Time{}, time.Time{}, err
	}
	if !start.IsZero() && !end.IsZero() && !end.After(start) {
		return time.Time{}, time.Time{}, &FieldError{Key: "to", Label: "--to", Value: strings.TrimSpace(to),
			Problem: "must be after --from " + When(start, loc) + " (a date as --to includes that day)", Err: ErrBadDate}
	}
	return start, end, nil
}

// parseBound reads one side of a range; dayEnd makes a date mean the
// following midnight.
func parseBound(key, s string, loc *time.Location, dayEnd bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		if dayEnd {
			t = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, loc)
		}
		return t, nil
	}
	for _, layout := range zonedLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	for _, layout := range localLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, &FieldError{Key: key, Label: "--" + key, Value: s,
		Problem: "write a date or a time", Example: RangeExamples, Err: ErrBadDate}
}

// ParseDay reads a date, "2026-11-30", as that day's midnight in loc.
// Errors are *FieldError with the given key and label.
func ParseDay(key, label, s string, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), loc)
	if err != nil {
		return time.Time{}, &FieldError{Key: key, Label: label, Value: strings.TrimSpace(s),
			Problem: "write a date as YYYY-MM-DD", Example: "2026-11-30", Err: ErrBadDate}
	}
	return t, nil
}

// When writes t for a person in loc: "Mon 30 Nov 2026 14:00", without the
// time at midnight ("Mon 30 Nov 2026").
func When(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
		return t.Format("Mon 2 Jan 2006")
	}
	return t.Format("Mon 2 Jan 2006 15:04")
}
