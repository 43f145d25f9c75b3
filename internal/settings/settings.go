// Package settings holds the user's settings (everything but secrets),
// their rules, and their schema: per field the key `lull settings set`
// takes, the label a person reads, help, and how the field is read from
// and written as text. The window's Settings tab, `lull settings` and the
// local API (PUT /v1/settings) all go through it, so a value reads the
// same everywhere and a bad one is a *human.FieldError naming the field by
// its key.
package settings

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/human"
	"github.com/lullapp/lull/notify"
)

// Settings are the user's choices that are not secrets, stored as one JSON
// value in the settings bucket and carried as is by GET and PUT
// /v1/settings. Secrets (subscription URLs, CalDAV passwords, the API
// token) live in the OS keyring, never here.
type Settings struct {
	// Plan holds the weekly goal, working hours, block lengths, buffers,
	// lunch, preferred time of day, horizon and zone.
	Plan calendar.PlanSettings `json:"plan"`
	// DigestTimes are the daily digest times, "HH:MM".
	DigestTimes []string `json:"digest_times"`
	// VIP sources and apps always break through.
	VIP []string `json:"vip,omitempty"`
	// Keywords break through when found in a title or body.
	Keywords []string `json:"keywords,omitempty"`
	// BatchDesktopAllDay holds captured desktop notifications all day.
	BatchDesktopAllDay bool `json:"batch_desktop_all_day,omitempty"`
	// Hold lists apps or sources that never break through except for VIPs
	// (notify.Rules.Hold).
	Hold []string `json:"hold,omitempty"`
	// SourceDigest batches sources to one daily digest time, each "source
	// HH:MM" (notify.Config.SourceDigest).
	SourceDigest []string `json:"source_digest,omitempty"`
	// Capture turns desktop notification capture (Linux) on.
	Capture bool `json:"capture"`
	// HoldInMeetings holds desktop notifications while a busy calendar
	// event runs, as in focus, with a digest when it ends (default on).
	HoldInMeetings bool `json:"hold_in_meetings"`
	// DND chooses the do-not-disturb adapter: "auto", "off" or one of
	// notify.DNDNames.
	DND string `json:"dnd"`
	// UserAddresses are the user's own calendar addresses, so meetings the
	// user declined are not busy.
	UserAddresses []string `json:"user_addresses,omitempty"`
	// PublishCalDAV is the CalDAV source accepted blocks are written to
	// ("" for none).
	PublishCalDAV string `json:"publish_caldav,omitempty"`
	// ExportICS is a file accepted blocks are written to as iCalendar ("" for
	// none): a full path ending in .ics, never a file Lull did not write
	// (calendar.CheckExportPath).
	ExportICS string `json:"export_ics,omitempty"`
	// Onboarded is set once the first-run onboarding was finished or left.
	Onboarded bool `json:"onboarded,omitempty"`
	// SampleSource is the id of the bundled sample calendar, if added.
	SampleSource string `json:"sample_source,omitempty"`
	// EndCue shows a notification when a focus session runs to its planned
	// end, and BreakAfter is the short break it suggests (0: none).
	EndCue     bool          `json:"end_cue,omitempty"`
	BreakAfter time.Duration `json:"break_after,omitempty"`
	// DeviceName names this computer in the shared focus log and the
	// per-device report ("" for the host name); see DeviceNameOr.
	DeviceName string `json:"device_name,omitempty"`
	// FocusFollows starts and stops focus here when another of the user's
	// devices does, at the next sync (default on; only with sync on).
	FocusFollows bool `json:"focus_follows"`
}

// MaxDeviceName bounds the device name: it is written into every session
// event of the shared log and shown in a report column.
const MaxDeviceName = 64

// DeviceNameOr is the device name to use: the setting, else host (the
// computer's host name), else "this computer".
func (s Settings) DeviceNameOr(host string) string {
	switch {
	case strings.TrimSpace(s.DeviceName) != "":
		return strings.TrimSpace(s.DeviceName)
	case host != "":
		return host
	}
	return "this computer"
}

// Default returns PRODUCT.md's defaults.
func Default() Settings {
	return Settings{
		Plan:           calendar.DefaultPlanSettings(),
		DigestTimes:    defaultDigestTimes(),
		Capture:        true,
		HoldInMeetings: true,
		DND:            "auto",
		FocusFollows:   true,
	}
}

// defaultDigestTimes are notify's default digest times as the settings
// store them.
func defaultDigestTimes() []string {
	times := make([]string, len(notify.DefaultDigestTimes))
	for i, t := range notify.DefaultDigestTimes {
		times[i] = t.String()
	}
	return times
}

// MaxBreak is the longest break the end-of-session cue suggests: a short
// pause, not the rest of the day.
const MaxBreak = time.Hour

// ErrBadSettings wraps every settings validation error.
var ErrBadSettings = errors.New("invalid settings")

// badError is a bad setting: it reads as its field error alone (no
// "invalid settings: " prefix a person does not need) and is both
// ErrBadSettings and the field error underneath.
type badError struct{ err error }

func (e badError) Error() string   { return e.err.Error() }
func (e badError) Unwrap() []error { return []error{ErrBadSettings, e.err} }

// Bad marks err as a bad setting (once): errors.Is(err, ErrBadSettings)
// holds and the text stays err's.
func Bad(err error) error {
	if err == nil || errors.As(err, new(badError)) {
		return err
	}
	return badError{err}
}

// Validate checks every field a user can set. Errors wrap ErrBadSettings
// and a *human.FieldError naming the field (its Key is the `lull settings
// set` key, see Fields) with an example of a right value.
func (s Settings) Validate() error {
	if err := s.Plan.Validate(); err != nil {
		return Bad(err)
	}
	if _, err := s.digestTimes(); err != nil {
		return err
	}
	if len(s.DeviceName) > MaxDeviceName || strings.ContainsAny(s.DeviceName, "\r\n") {
		return Bad(&human.FieldError{Key: "device-name", Label: "device name", Value: s.DeviceName,
			Problem: fmt.Sprintf("want one line of at most %d characters", MaxDeviceName), Example: "laptop", Err: ErrBadSettings})
	}
	if _, err := s.sourceDigest(); err != nil {
		return err
	}
	if s.BreakAfter < 0 || s.BreakAfter > MaxBreak || s.BreakAfter%time.Minute != 0 {
		return Bad(&human.FieldError{Key: "break", Label: "break to suggest", Value: human.Duration(s.BreakAfter),
			Problem: "must be whole minutes from 0 min to " + human.Duration(MaxBreak), Example: "5 min"})
	}
	if s.ExportICS != "" {
		if err := calendar.CheckExportName(s.ExportICS); err != nil {
			return Bad(ExportError(s.ExportICS, err))
		}
	}
	if s.DND != "" && !slices.Contains(DNDChoices(), s.DND) {
		return Bad(&human.FieldError{Key: "dnd", Label: "do-not-disturb", Value: s.DND,
			Problem: "want " + strings.Join(DNDChoices(), ", "), Example: "auto"})
	}
	return nil
}

// DNDChoices are the values of the do-not-disturb setting, each once:
// "auto" (detect the notification server), "off", and the adapters.
func DNDChoices() []string {
	out := []string{"auto", "off"}
	for _, n := range notify.DNDNames {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// digestTimes reads the digest times; nil (never set) means the defaults,
// an empty list none (digests only at the end of focus blocks).
func (s Settings) digestTimes() ([]notify.TimeOfDay, error) {
	if s.DigestTimes == nil {
		return nil, nil
	}
	out := make([]notify.TimeOfDay, 0, len(s.DigestTimes))
	for _, v := range s.DigestTimes {
		t, err := notify.ParseTimeOfDay(v)
		if err != nil {
			return nil, Bad(err)
		}
		out = append(out, t)
	}
	return out, nil
}

// SourceDigestExample is a right entry of the digest-only setting.
const SourceDigestExample = "ci 16:30"

// ParseSourceDigest reads one entry of the digest-only setting, "source
// HH:MM" (the source may contain spaces; the time is the last word).
func ParseSourceDigest(v string) (source string, at notify.TimeOfDay, err error) {
	v = strings.TrimSpace(v)
	i := strings.LastIndexAny(v, " \t@")
	bad := func(problem string) error {
		return Bad(&human.FieldError{Key: "digest-only", Label: "once-a-day sources", Value: v,
			Problem: problem, Example: SourceDigestExample})
	}
	if i <= 0 {
		return "", notify.TimeOfDay{}, bad("write a source and a time of day")
	}
	source = strings.TrimSpace(v[:i])
	if source == "" {
		return "", notify.TimeOfDay{}, bad("write a source before the time")
	}
	if at, err = notify.ParseTimeOfDay(strings.TrimSpace(v[i+1:])); err != nil {
		return "", notify.TimeOfDay{}, bad("the time of day is not a time like 16:30")
	}
	return source, at, nil
}

// SourceDigestEntry writes one entry of the digest-only setting as
// ParseSourceDigest reads it.
func SourceDigestEntry(source string, at notify.TimeOfDay) string { return source + " " + at.String() }

// sourceDigest reads the digest-only setting into notify's map (lower-case
// sources); nil when empty.
func (s Settings) sourceDigest() (map[string]notify.TimeOfDay, error) {
	if len(s.SourceDigest) == 0 {
		return nil, nil
	}
	out := make(map[string]notify.TimeOfDay, len(s.SourceDigest))
	for _, v := range s.SourceDigest {
		src, at, err := ParseSourceDigest(v)
		if err != nil {
			return nil, err
		}
		out[strings.ToLower(src)] = at
	}
	return out, nil
}

// Location is the user's zone from the plan settings.
func (s Settings) Location() *time.Location {
	loc, err := s.Plan.Location()
	if err != nil || loc == nil {
		return time.Local
	}
	return loc
}

// FocusConfig derives focus's settings from the plan settings.
func (s Settings) FocusConfig() focus.Config {
	c := focus.DefaultConfig(s.Location())
	c.WeeklyGoal = s.Plan.WeeklyGoal
	c.DailyMax = s.Plan.DailyCap
	c.MinBlock = s.Plan.MinBlock
	return c
}

// NotifyConfig derives notify's settings.
func (s Settings) NotifyConfig() (notify.Config, error) {
	times, err := s.digestTimes()
	if err != nil {
		return notify.Config{}, err
	}
	bySource, err := s.sourceDigest()
	if err != nil {
		return notify.Config{}, err
	}
	return notify.Config{
		Location:    s.Location(),
		DigestTimes: times,
		Rules: notify.Rules{
			VIP:                s.VIP,
			Keywords:           s.Keywords,
			BatchDesktopAllDay: s.BatchDesktopAllDay,
			Hold:               s.Hold,
		},
		SourceDigest: bySource,
	}, nil
}

// BusyOptions are the settings busy time depends on (a source's own
// "all-day events are free" aside).
func (s Settings) BusyOptions() calendar.BusyOptions {
	return calendar.BusyOptions{Location: s.Location(), UserAddresses: s.UserAddresses}
}

// WorkingHours returns the working intervals of the day containing day.
func (s Settings) WorkingHours(day time.Time) []calendar.Interval {
	loc := s.Location()
	d := day.In(loc)
	span := s.Plan.Hours[d.Weekday()]
	if span.Empty() {
		return nil
	}
	midnight := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	at := func(t calendar.DayTime) time.Time {
		return time.Date(midnight.Year(), midnight.Month(), midnight.Day(), int(t)/60, int(t)%60, 0, 0, loc)
	}
	return []calendar.Interval{{Start: at(span.Start), End: at(span.End)}}
}

// ParseSpan reads a span of the day as people type it: "09:00–17:00",
// "9:00-17:00", "09:00 to 17:00"; "" and "off" are the empty span (a day
// off, no lunch). Errors are a *human.FieldError with key and label.
func ParseSpan(key, label, s string) (calendar.Span, error) {
	in := strings.TrimSpace(s)
	if in == "" || strings.EqualFold(in, "off") {
		return calendar.Span{}, nil
	}
	bad := &human.FieldError{Key: key, Label: label, Value: in,
		Problem: "write a range of the day such as 09:00–17:00, or off", Example: "09:00–17:00", Err: ErrBadSettings}
	norm := strings.NewReplacer("–", "-", "—", "-", " to ", "-", " ", "").Replace(in)
	parts := strings.Split(norm, "-")
	if len(parts) != 2 {
		return calendar.Span{}, bad
	}
	var sp calendar.Span
	for i, p := range parts {
		if len(p) == 4 && p[1] == ':' {
			p = "0" + p
		}
		to := &sp.Start
		if i == 1 {
			to = &sp.End
		}
		if err := to.UnmarshalText([]byte(p)); err != nil {
			return calendar.Span{}, bad
		}
	}
	return sp, nil
}

// SpanText writes a span as ParseSpan reads it: "09:00–17:00", or "off".
func SpanText(sp calendar.Span) string {
	if sp.Empty() {
		return "off"
	}
	return sp.Start.String() + "–" + sp.End.String()
}

// ExportError names the export-ics setting in err, which
// calendar.CheckExportName or CheckExportPath gave for path, so the window
// and `lull settings set` point at that field like at any other.
func ExportError(path string, err error) error {
	problem := err.Error()
	if i := strings.Index(problem, ": "); i >= 0 {
		problem = problem[i+2:] // drop calendar's own "export file \"…\"" prefix
	}
	return &human.FieldError{Key: "export-ics", Label: "export file", Value: path, Problem: problem, Err: err}
}
