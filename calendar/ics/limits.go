package ics

import "time"

// Bounds on what one event may say. Values outside them are garbage (a
// broken export, an attack) and are reported as problems naming the line,
// never silently turned into busy time or dropped.
const (
	// MaxEventLength is the longest an event (DTEND or DURATION after
	// DTSTART) or a RANGE=THISANDFUTURE move may be: five years, beyond any
	// real leave, semester or project entry. Longer values are nonsense
	// such as DURATION:-P16000W (306 years) which, unchecked, overflowed
	// Go's 292-year time.Duration and became busy time from 2020 to 2297.
	MaxEventLength = 5 * 366 * 24 * time.Hour
	// MinYear is the earliest year an event's DTSTART, DTEND, RDATE or
	// RECURRENCE-ID may name. iCalendar dates are Gregorian and no
	// country used that calendar before 1583; earlier years are
	// placeholders or garbage (an event "from 0001 to 9999"). Apple's
	// birthdays without a year use 1604 and Outlook's 1601, both later.
	MinYear = 1583
)

// Limits on the work of one expansion, so that a small hostile calendar
// (20 events with FREQ=SECONDLY: 6 billion instances over ten years) can
// neither exhaust memory nor stall a sync. A capped event is reported as a
// problem naming it; what was expanded before the cap is kept.
const (
	// DefaultMaxOccurrences caps the occurrences one expansion of one
	// calendar returns: three times the 171,000 that ten years of the
	// 20,000-event synthetic benchmark calendar give, and about 40 MB
	// for `lull calendar expand`.
	DefaultMaxOccurrences = 500_000
	// DefaultMaxWork caps the rule instances one expansion of one
	// calendar generates, in or out of the window (those before it are
	// walked past too): at most about two seconds of rule iteration, and
	// twenty times what ten years of the synthetic calendar take (under
	// 200,000).
	DefaultMaxWork = 4_000_000
	// defaultMaxIterations caps the rule instances of one series, so one
	// endless sub-daily rule walked from a distant DTSTART cannot take the
	// whole calendar's budget.
	defaultMaxIterations = 1_000_000
	// maxCappedReports is how many capped events an expansion names; the
	// rest are counted in one more problem (a hostile file can hold
	// thousands).
	maxCappedReports = 20
)
