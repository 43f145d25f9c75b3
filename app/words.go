package app

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/internal/human"
)

// goDuration matches Go's duration syntax inside a text ("15m0s",
// "1h0m0s", "1h30m", "10s").
var goDuration = regexp.MustCompile(`\b(?:\d+h)?(?:\d+m)?\d+(?:\.\d+)?s\b|\b\d+h\d+m\b`)

// plainDurations writes the Go durations in a text from the domain (a
// stored decision reason, a validation error) as a person reads them:
// "within 15m0s" becomes "within 15 min", "1h0m0s" "1 h".
func plainDurations(s string) string {
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, "0123456789") {
		return s // most texts: no duration in them, no regexp to run
	}
	return goDuration.ReplaceAllStringFunc(s, func(m string) string {
		d, err := time.ParseDuration(m)
		if err != nil {
			return m
		}
		return durText(d)
	})
}

// durText writes a length for people, to the minute: "45 min", "2 h",
// "1 h 30 min"; under a minute in seconds ("10 s").
func durText(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	if d > 0 && d < time.Minute {
		return fmt.Sprintf("%d s", int(d.Round(time.Second)/time.Second))
	}
	return calendar.DurationText(d.Round(time.Minute))
}

// whenLabel names a coming time briefly: "14:00" today, "Tue 14:00" within
// the week, "Tue 8 Dec 14:00" beyond.
func whenLabel(t, now time.Time, loc *time.Location) string {
	t, now = t.In(loc), now.In(loc)
	today, day := localMidnight(now, loc), localMidnight(t, loc)
	switch {
	case day.Equal(today):
		return t.Format("15:04")
	case day.After(today) && day.Before(today.AddDate(0, 0, 7)):
		return t.Format("Mon 15:04")
	default:
		return t.Format("Mon 2 Jan 15:04")
	}
}

// lengthLabel names a focus length in minutes: "25 min", "90 min".
func lengthLabel(d time.Duration) string {
	return fmt.Sprintf("%d min", int(d/time.Minute))
}

// resumeLabel names the resume button: "Resume block — 40 min left", the
// time left rounded up as the status line rounds it.
func resumeLabel(left time.Duration) string {
	mins := (max(left, 0) + time.Minute - 1) / time.Minute
	return "Resume block — " + human.Duration(mins*time.Minute) + " left"
}

// localMidnight is t's day in loc.
func localMidnight(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}
