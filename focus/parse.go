package focus

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MaxSessionLength bounds durations typed by the user.
const MaxSessionLength = 24 * time.Hour

// ParseDuration parses a focus length as typed on the command line: Go
// duration syntax in whole minutes ("25m", "1h30m", "90m") or a bare number
// of minutes ("25"). It must be between 1 minute and 24 hours. Errors wrap
// ErrBadDuration and say what is accepted.
func ParseDuration(s string) (time.Duration, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return 0, fmt.Errorf("%w: empty; use e.g. 25m, 1h30m or 90", ErrBadDuration)
	}
	var d time.Duration
	if n, err := strconv.Atoi(in); err == nil {
		if n > int(MaxSessionLength/time.Minute) {
			return 0, fmt.Errorf("%w: %q: at most %v", ErrBadDuration, s, MaxSessionLength)
		}
		d = time.Duration(n) * time.Minute
	} else {
		d, err = time.ParseDuration(in)
		if err != nil {
			return 0, fmt.Errorf("%w: %q: use e.g. 25m, 1h30m or 90 (minutes)", ErrBadDuration, s)
		}
	}
	switch {
	case d < time.Minute:
		return 0, fmt.Errorf("%w: %q: at least 1m", ErrBadDuration, s)
	case d > MaxSessionLength:
		return 0, fmt.Errorf("%w: %q: at most %v", ErrBadDuration, s, MaxSessionLength)
	case d%time.Minute != 0:
		return 0, fmt.Errorf("%w: %q: whole minutes only", ErrBadDuration, s)
	}
	return d, nil
}

// StartRequest is a parsed `lull focus start` argument: exactly one of
// Duration > 0, UntilNext or Open.
type StartRequest struct {
	// Duration is a fixed length.
	Duration time.Duration `json:"duration,omitempty"`
	// UntilNext means "until my next meeting" (capped at the daily maximum).
	UntilNext bool `json:"until_next,omitempty"`
	// Open means open-ended (until stopped).
	Open bool `json:"open,omitempty"`
}

// ParseStart parses the argument of `lull focus start`: "until-next" (also
// "until-next-meeting"), "open", or a duration accepted by ParseDuration.
func ParseStart(s string) (StartRequest, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "until-next", "until-next-meeting":
		return StartRequest{UntilNext: true}, nil
	case "open":
		return StartRequest{Open: true}, nil
	}
	d, err := ParseDuration(s)
	if err != nil {
		return StartRequest{}, fmt.Errorf("%w (or until-next, open)", err)
	}
	return StartRequest{Duration: d}, nil
}

// Do starts the session r asks for on e.
func (r StartRequest) Do(e *Engine) (State, error) {
	switch {
	case r.UntilNext:
		return e.StartUntilNextMeeting()
	case r.Open:
		return e.StartOpen()
	}
	return e.Start(r.Duration)
}

// StatusLine is the tray's and `lull status`'s one-line summary of st at now:
// "Focusing — 34 min left", "Focusing (open-ended) — 1h05m so far" or "Not focusing".
func StatusLine(st State, now time.Time) string {
	if !st.Focusing {
		return "Not focusing"
	}
	if st.PlannedEnd.IsZero() {
		return "Focusing (open-ended) — " + hm(now.Sub(st.Start)) + " so far"
	}
	left := st.PlannedEnd.Sub(now)
	if left < 0 {
		left = 0
	}
	mins := int((left + time.Minute - 1) / time.Minute)
	if mins < 60 {
		return fmt.Sprintf("Focusing — %d min left", mins)
	}
	return "Focusing — " + hm(time.Duration(mins)*time.Minute) + " left"
}

// hm formats d rounded to the minute as "2h05m" or "45m".
func hm(d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	m := int(d.Round(time.Minute) / time.Minute)
	s := fmt.Sprintf("%dm", m)
	if m >= 60 {
		s = fmt.Sprintf("%dh%02dm", m/60, m%60)
	}
	if neg {
		return "-" + s
	}
	return s
}

// ParseDay parses a date "2026-11-01" as that day's midnight in loc, for
// `lull export --from/--to`. Errors wrap ErrBadDate.
func ParseDay(s string, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %q: want YYYY-MM-DD, e.g. 2026-11-01", ErrBadDate, s)
	}
	return t, nil
}

// ExportRange turns `lull export --from A --to B` into the half-open range
// [A's midnight, the midnight after B) in loc: both days are included. An
// empty from or to leaves that side unbounded (zero time). A range ending
// before it starts is ErrBadDate.
func ExportRange(from, to string, loc *time.Location) (start, end time.Time, err error) {
	if from != "" {
		if start, err = ParseDay(from, loc); err != nil {
			return time.Time{}, time.Time{}, fmt.Errorf("--from: %w", err)
		}
	}
	if to != "" {
		if end, err = ParseDay(to, loc); err != nil {
			return time.Time{}, time.Time{}, fmt.Errorf("--to: %w", err)
		}
		y, m, d := end.Date()
		end = time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	}
	if !start.IsZero() && !end.IsZero() && !end.After(start) {
		return time.Time{}, time.Time{}, fmt.Errorf("%w: --to %s is before --from %s", ErrBadDate, to, from)
	}
	return start, end, nil
}
