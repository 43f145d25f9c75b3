package clock

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Scaled is a running clock that starts at a chosen instant and runs Speed
// times faster than the wall clock. End-to-end tests use it to live a
// working day in minutes with the real binary; production uses Real.
type Scaled struct {
	// Start is the time the clock shows at Origin.
	Start time.Time
	// Origin is the wall-clock instant the clock started.
	Origin time.Time
	// Speed is how many clock seconds pass per wall-clock second (≥ 1).
	Speed float64
}

// NewScaled returns a clock showing start now and running speed times faster.
func NewScaled(start time.Time, speed float64) *Scaled {
	if speed <= 0 {
		speed = 1
	}
	return &Scaled{Start: start, Origin: time.Now(), Speed: speed}
}

// Now returns Start plus the scaled wall time since Origin.
func (c *Scaled) Now() time.Time {
	return c.Start.Add(time.Duration(float64(time.Since(c.Origin)) * c.Speed))
}

// AfterFunc runs f once d of clock time has passed.
func (c *Scaled) AfterFunc(d time.Duration, f func()) Timer {
	return time.AfterFunc(time.Duration(float64(d)/c.Speed), f)
}

// ParseScaled reads "START[,SPEED]" (START in RFC 3339, SPEED a number,
// default 1): the format of the test-only LULL_TEST_CLOCK variable.
func ParseScaled(s string) (*Scaled, error) {
	startText, speedText, _ := strings.Cut(s, ",")
	start, err := time.Parse(time.RFC3339, strings.TrimSpace(startText))
	if err != nil {
		return nil, fmt.Errorf("test clock %q: start: %w", s, err)
	}
	speed := 1.0
	if speedText != "" {
		if speed, err = strconv.ParseFloat(strings.TrimSpace(speedText), 64); err != nil || speed <= 0 {
			return nil, fmt.Errorf("test clock %q: speed must be a positive number", s)
		}
	}
	return NewScaled(start, speed), nil
}
