package assets

import _ "embed"

// SampleCalendar is a made-up working week of recurring meetings (floating
// times, so they fall in the user's own zone, and open-ended RRULEs, so every
// future week is busy). Onboarding offers it so a newcomer sees a planned
// week at once; it is added as an ordinary file source and removable in one
// click.
//
//go:embed sample.ics
var SampleCalendar []byte
