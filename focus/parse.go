package focus

import (
	"errors"
	"strings"
	"time"

	"github.com/lullapp/lull/internal/human"
)

// MaxSessionLength bounds durations typed by the user.
const MaxSessionLength = 24 * time.Hour

// ParseDuration parses a focus length as typed on the command line or the
// API: anything human.ParseDuration reads ("25m", "25 min", "1h30", "1.5h",
// "90" minutes), in whole minutes between 1 minute and MaxSessionLength.
// Errors are a *human.FieldError wrapping ErrBadDuration that shows a right
// value.
func ParseDuration(s string) (time.Duration, error) {
	return human.ParseDurationIn("length", "focus length", s, time.Minute, MaxSessionLength, "25m")
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
	var fe *human.FieldError
	if errors.As(err, &fe) {
		if strings.HasPrefix(fe.Problem, "write a length") || strings.HasPrefix(fe.Problem, "no length") {
			fe.Problem = "write a length such as 25m, 1h30 or 90 (minutes), or until-next, or open"
			fe.Example = ""
		}
		return StartRequest{}, fe
	}
	if err != nil {
		return StartRequest{}, err
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
// "Focusing — 34 min left", "Focusing — 1 h 30 min left", "Focusing
// (open-ended) — 1 h 5 min so far" or "Not focusing".
func StatusLine(st State, now time.Time) string {
	if !st.Focusing {
		return "Not focusing"
	}
	if st.PlannedEnd.IsZero() {
		return "Focusing (open-ended) — " + human.Duration(max(now.Sub(st.Start), 0).Round(time.Minute)) + " so far"
	}
	left := st.PlannedEnd.Sub(now)
	if left < 0 {
		left = 0
	}
	mins := (left + time.Minute - 1) / time.Minute // rounded up: "1 min left" until the end
	if mins == 0 {
		return "Focusing — ending now"
	}
	return "Focusing — " + human.Duration(mins*time.Minute) + " left"
}
