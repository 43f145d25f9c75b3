package calendar

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lullapp/lull/internal/human"
)

// Sentinel errors of the planner and the block store, checked with errors.Is.
var (
	// ErrBadSettings means a PlanSettings value breaks a rule; the wrapping
	// error names the field.
	ErrBadSettings = errors.New("invalid planner settings")
	// ErrNoSuchBlock means the block store holds no block with the given ID.
	ErrNoSuchBlock = errors.New("no such focus block")
	// ErrBadBlock means a block cannot be stored or moved as asked (empty ID,
	// end not after start, unknown state).
	ErrBadBlock = errors.New("invalid focus block")
	// ErrUnknownFormat means WritePlan was asked for a format it does not know.
	ErrUnknownFormat = errors.New("unknown plan format (want text, tsv or json)")
)

// Grid is the planner's time grid: every block Lull proposes starts and
// ends on a multiple of five minutes past the hour. Five minutes (not
// fifteen) keeps the 10-minute meeting buffer from wasting time: a meeting
// ending 10:00 frees 10:10, not 10:15. Every zone in use today has an offset
// that is a multiple of five minutes, so the grid is the same in UTC and in
// the user's zone.
const Grid = 5 * time.Minute

// TimeOfDay is the user's preferred part of the day for focus.
type TimeOfDay string

// The preferences a user can choose.
const (
	PreferMorning   TimeOfDay = "morning"
	PreferAfternoon TimeOfDay = "afternoon"
	PreferAny       TimeOfDay = "any"
)

// DayTime is a wall-clock time of day in minutes after midnight, from 0
// (00:00) to 1440 (24:00, the end of the day). It is written as "HH:MM".
type DayTime int

// At returns the DayTime h:m; At(9, 30) is 09:30.
func At(h, m int) DayTime { return DayTime(h*60 + m) }

// String returns "HH:MM".
func (t DayTime) String() string { return fmt.Sprintf("%02d:%02d", int(t)/60, int(t)%60) }

// MarshalText writes "HH:MM".
func (t DayTime) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText reads "HH:MM" (00:00 to 24:00).
func (t *DayTime) UnmarshalText(b []byte) error {
	var h, m int
	s := string(b)
	if len(s) != 5 || s[2] != ':' {
		return fmt.Errorf("time of day %q: want HH:MM", s)
	}
	if _, err := fmt.Sscanf(s, "%2d:%2d", &h, &m); err != nil {
		return fmt.Errorf("time of day %q: want HH:MM: %w", s, err)
	}
	if h < 0 || m < 0 || m > 59 || h*60+m > 24*60 {
		return fmt.Errorf("time of day %q: out of range 00:00–24:00", s)
	}
	*t = At(h, m)
	return nil
}

// on returns the instant of t on the calendar date of day in loc. Wall
// times that do not exist (a DST gap) move forward as time.Date does.
func (t DayTime) on(day time.Time, loc *time.Location) time.Time {
	y, m, d := day.Date()
	return time.Date(y, m, d, 0, int(t), 0, 0, loc)
}

// Span is a daily wall-clock range [Start, End). The zero Span is empty:
// a weekday with an empty Span has no working hours, and an empty Lunch
// turns lunch avoidance off.
type Span struct {
	Start DayTime `json:"start"`
	End   DayTime `json:"end"`
}

// Empty reports whether the span covers no time.
func (s Span) Empty() bool { return s.End <= s.Start }

// on returns the span as an Interval on day's date in loc.
func (s Span) on(day time.Time, loc *time.Location) Interval {
	return Interval{Start: s.Start.on(day, loc), End: s.End.on(day, loc)}
}

// PlanSettings are the user's planning rules (PRODUCT.md, "Defaults and
// rules"). The zone is stored by name so the settings serialise to JSON;
// Location loads it. Durations are written in JSON as Go duration strings
// ("10h", "1h30m").
type PlanSettings struct {
	// WeeklyGoal is the focus time wanted per ISO week (Monday to Sunday in
	// the user's zone).
	WeeklyGoal time.Duration
	// Hours are the working hours per weekday, indexed by time.Weekday; an
	// empty Span means no work that day. Hours never span midnight.
	Hours [7]Span
	// Zone is the IANA name of the user's zone ("Europe/Berlin"); "" or
	// "Local" means the machine's zone.
	Zone string
	// PreferredBlock is the length Lull aims for (2 h).
	PreferredBlock time.Duration
	// MinBlock is the shortest block Lull proposes (1 h; 30 min allowed).
	MinBlock time.Duration
	// DailyCap is the most focus Lull plans on one day (4 h).
	DailyCap time.Duration
	// Buffer is the gap kept free before and after every busy interval and
	// between two focus blocks (10 min).
	Buffer time.Duration
	// Lunch is avoided unless the week cannot reach its goal (or the most
	// focus it allows) without it; an empty Span turns this off.
	Lunch Span
	// Prefer is the preferred time of day: morning is before the start of
	// Lunch (12:00 without lunch), afternoon from then on.
	Prefer TimeOfDay
	// HorizonDays is how many days, starting today, Lull plans (14).
	HorizonDays int
}

// DefaultPlanSettings returns the defaults of PRODUCT.md: 10 h a week,
// Mon–Fri 09:00–17:00 in the machine's zone, 2 h blocks (1 h minimum), at
// most 4 h a day, 10 min buffers, lunch 12:00–13:00 avoided, any time of
// day, 14 days ahead.
func DefaultPlanSettings() PlanSettings {
	s := PlanSettings{
		WeeklyGoal:     10 * time.Hour,
		Zone:           "Local",
		PreferredBlock: 2 * time.Hour,
		MinBlock:       time.Hour,
		DailyCap:       4 * time.Hour,
		Buffer:         10 * time.Minute,
		Lunch:          Span{At(12, 0), At(13, 0)},
		Prefer:         PreferAny,
		HorizonDays:    14,
	}
	for d := time.Monday; d <= time.Friday; d++ {
		s.Hours[d] = Span{At(9, 0), At(17, 0)}
	}
	return s
}

// Location loads the settings' zone.
func (s PlanSettings) Location() (*time.Location, error) {
	if s.Zone == "" || s.Zone == "Local" {
		return time.Local, nil
	}
	loc, err := time.LoadLocation(s.Zone)
	if err != nil {
		return nil, &human.FieldError{Key: "zone", Label: "zone", Value: s.Zone,
			Problem: "is not a time zone this computer knows", Example: "Europe/Berlin", Err: ErrBadSettings}
	}
	return loc, nil
}

// Validate reports the first rule the settings break: a
// *human.FieldError (wrapping ErrBadSettings) whose Key is the setting's
// name in `lull settings set` and whose text says the limit in words.
func (s PlanSettings) Validate() error {
	bad := func(key, label string, value any, problem, example string) error {
		v := fmt.Sprint(value)
		if d, ok := value.(time.Duration); ok {
			v = human.Duration(d)
		}
		return &human.FieldError{Key: key, Label: label, Value: v, Problem: problem, Example: example, Err: ErrBadSettings}
	}
	onGrid := func(d time.Duration) bool { return d%Grid == 0 }
	minText := human.Duration(s.MinBlock)
	switch {
	case s.WeeklyGoal < 0 || s.WeeklyGoal > 7*24*time.Hour:
		return bad("goal", "weekly goal", s.WeeklyGoal, "must be between 0 and 168 h", "10 h")
	case s.MinBlock < 30*time.Minute || !onGrid(s.MinBlock):
		return bad("min-block", "minimum block", s.MinBlock, "must be at least 30 min, in whole 5 min steps", "1 h")
	case s.PreferredBlock < s.MinBlock || !onGrid(s.PreferredBlock):
		return bad("preferred-block", "preferred block", s.PreferredBlock, "must be at least the minimum block ("+minText+"), in whole 5 min steps", "2 h")
	case s.PreferredBlock > 12*time.Hour:
		return bad("preferred-block", "preferred block", s.PreferredBlock, "must be at most 12 h", "2 h")
	case s.DailyCap < s.MinBlock || s.DailyCap > 24*time.Hour:
		return bad("daily-cap", "daily cap", s.DailyCap, "must be between the minimum block ("+minText+") and 24 h", "4 h")
	case s.Buffer < 0 || s.Buffer > 2*time.Hour:
		return bad("buffer", "buffer", s.Buffer, "must be between 0 and 2 h", "10 min")
	case s.Prefer != PreferMorning && s.Prefer != PreferAfternoon && s.Prefer != PreferAny:
		return bad("prefer", "preferred time of day", s.Prefer, "must be morning, afternoon or any", "morning")
	case s.HorizonDays < 1 || s.HorizonDays > 62:
		return bad("horizon", "planning horizon", fmt.Sprintf("%d days", s.HorizonDays), "must be between 1 and 62 days", "14")
	}
	if err := checkSpan("lunch", "lunch", s.Lunch); err != nil {
		return err
	}
	for d, h := range s.Hours {
		if err := checkSpan("hours-"+weekdayKeys[d], time.Weekday(d).String()+" working hours", h); err != nil {
			return err
		}
	}
	if _, err := s.Location(); err != nil {
		return err
	}
	return nil
}

func checkSpan(key, label string, sp Span) error {
	if sp == (Span{}) {
		return nil
	}
	bad := func(problem string) error {
		return &human.FieldError{Key: key, Label: label, Value: sp.Start.String() + "–" + sp.End.String(),
			Problem: problem, Example: "09:00–17:00", Err: ErrBadSettings}
	}
	switch {
	case sp.Start < 0 || sp.End > 24*60:
		return bad("must lie within 00:00–24:00")
	case sp.End <= sp.Start:
		return bad("must end after they start")
	case int(sp.Start)%5 != 0 || int(sp.End)%5 != 0:
		return bad("must be on a 5 min grid")
	}
	return nil
}

// weekdayKeys are the JSON keys of the working hours, indexed by
// time.Weekday.
var weekdayKeys = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// settingsJSON is the wire form of PlanSettings.
type settingsJSON struct {
	WeeklyGoal     string           `json:"weekly_goal"`
	Hours          map[string]*Span `json:"hours"`
	Zone           string           `json:"zone"`
	PreferredBlock string           `json:"preferred_block"`
	MinBlock       string           `json:"min_block"`
	DailyCap       string           `json:"daily_cap"`
	Buffer         string           `json:"buffer"`
	Lunch          *Span            `json:"lunch"`
	Prefer         TimeOfDay        `json:"prefer"`
	HorizonDays    int              `json:"horizon_days"`
}

// MarshalJSON writes the settings with readable durations ("10h") and the
// working hours as an object keyed "mon"…"sun" (days off left out).
func (s PlanSettings) MarshalJSON() ([]byte, error) {
	w := settingsJSON{
		WeeklyGoal:     fmtGoDuration(s.WeeklyGoal),
		Hours:          map[string]*Span{},
		Zone:           s.Zone,
		PreferredBlock: fmtGoDuration(s.PreferredBlock),
		MinBlock:       fmtGoDuration(s.MinBlock),
		DailyCap:       fmtGoDuration(s.DailyCap),
		Buffer:         fmtGoDuration(s.Buffer),
		Prefer:         s.Prefer,
		HorizonDays:    s.HorizonDays,
	}
	for d, h := range s.Hours {
		if !h.Empty() {
			h := h
			w.Hours[weekdayKeys[d]] = &h
		}
	}
	if !s.Lunch.Empty() {
		l := s.Lunch
		w.Lunch = &l
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads what MarshalJSON writes. A field left out keeps its
// default (DefaultPlanSettings); when "hours" is present, the days it leaves
// out are days off; "lunch": null turns lunch avoidance off. It does not
// validate: call Validate.
func (s *PlanSettings) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("planner settings: %w", err)
	}
	var w settingsJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("planner settings: %w", err)
	}
	out := DefaultPlanSettings()
	durs := []struct {
		key, setting, label string
		val                 string
		dst                 *time.Duration
	}{
		{"weekly_goal", "goal", "weekly goal", w.WeeklyGoal, &out.WeeklyGoal},
		{"preferred_block", "preferred-block", "preferred block", w.PreferredBlock, &out.PreferredBlock},
		{"min_block", "min-block", "minimum block", w.MinBlock, &out.MinBlock},
		{"daily_cap", "daily-cap", "daily cap", w.DailyCap, &out.DailyCap},
		{"buffer", "buffer", "buffer", w.Buffer, &out.Buffer},
	}
	for _, d := range durs {
		if _, ok := raw[d.key]; !ok {
			continue
		}
		v, err := human.ParseDuration(d.val)
		if err != nil {
			return &human.FieldError{Key: d.setting, Label: d.label, Value: d.val,
				Problem: "write a length of time such as " + human.DurationExamples, Err: ErrBadSettings}
		}
		*d.dst = v
	}
	if _, ok := raw["hours"]; ok {
		out.Hours = [7]Span{}
		for k, h := range w.Hours {
			i := dayIndex(weekdayKeys[:], strings.ToLower(k))
			if i < 0 {
				return fmt.Errorf("planner settings: hours: unknown day %q (want mon…sun)", k)
			}
			if h != nil {
				out.Hours[i] = *h
			}
		}
	}
	if _, ok := raw["lunch"]; ok {
		out.Lunch = Span{}
		if w.Lunch != nil {
			out.Lunch = *w.Lunch
		}
	}
	if _, ok := raw["zone"]; ok {
		out.Zone = w.Zone
	}
	if _, ok := raw["prefer"]; ok {
		out.Prefer = w.Prefer
	}
	if _, ok := raw["horizon_days"]; ok {
		out.HorizonDays = w.HorizonDays
	}
	*s = out
	return nil
}

func dayIndex(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// fmtGoDuration writes d as time.ParseDuration reads it, without the zero
// parts time.Duration.String adds ("10h", not "10h0m0s").
func fmtGoDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	if d%time.Minute != 0 {
		return d.String()
	}
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
