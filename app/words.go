package app

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/lullapp/lull/calendar"
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
