package settings

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/internal/human"
	"github.com/lullapp/lull/notify"
)

// Kind says how a field's value is typed, so a form can choose its widget
// and a help text its words.
type Kind int

// The kinds of settings fields.
const (
	// KindText is free text: a zone, a path, an ID.
	KindText Kind = iota
	// KindLength is a length of time (human.ParseDuration's rules; a bare
	// number is minutes, except where the field says otherwise).
	KindLength
	// KindSpan is a range of the day, "09:00–17:00", or off.
	KindSpan
	// KindList is a comma-separated list.
	KindList
	// KindSwitch is true or false.
	KindSwitch
	// KindChoice is one of the field's Choices.
	KindChoice
	// KindNumber is a whole number.
	KindNumber
)

// Field is one setting a person can change: how it is named, explained,
// read from text and written as text. The text Format writes is what Parse
// reads back to the same value, so the window's entries and `lull settings
// set` read the same words the same way.
type Field struct {
	// Key names the field for programs: the `lull settings set` key and
	// the Key of every *human.FieldError about it.
	Key string
	// Label names it for people, in the words errors use ("weekly goal");
	// Title is the same for a form.
	Label string
	// Help says in one line what it does and how to write it.
	Help string
	// Example is a right value as a person types it.
	Example string
	// Empty is what an empty value means ("off", "none", "the computer's"),
	// shown where the value is empty; "" when the field is never empty.
	Empty string
	// Kind is how the value is typed; Choices lists the values of a
	// KindChoice field.
	Kind    Kind
	Choices []string

	format func(Settings) string
	parse  func(*Settings, string) error
	value  func(Settings) any
}

// Format writes the field's value in st as text Parse reads back; "" when
// the value is empty (see Empty).
func (f Field) Format(st Settings) string { return f.format(st) }

// Show is Format for a person: Empty in words where the value is empty.
func (f Field) Show(st Settings) string {
	if v := f.format(st); v != "" || f.Empty == "" {
		return v
	}
	return f.Empty
}

// Parse reads text into the field of st. A value that cannot be read is
// a *human.FieldError (wrapping ErrBadSettings) with the field's Key;
// whether the value breaks a rule (a goal over 168 h) is Validate's to say,
// with the same kind of error.
func (f Field) Parse(st *Settings, text string) error { return f.parse(st, strings.TrimSpace(text)) }

// Value is the field's value in st, as Parse stores it (for comparisons).
func (f Field) Value(st Settings) any { return f.value(st) }

// Title is the label as a form shows it: "Weekly goal".
func (f Field) Title() string {
	r, n := utf8.DecodeRuneInString(f.Label)
	return string(unicode.ToUpper(r)) + f.Label[n:]
}

// Lookup returns the field with key.
func Lookup(key string) (Field, bool) {
	for _, f := range Fields() {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// GoalExample is a right weekly goal as a person types it.
const GoalExample = "10h"

// Fields are every setting a person can change, in the order `lull
// settings show` and the window list them.
//
// Lengths follow human.ParseDuration ("25m", "1h30", "1 h 30 min", "1:30";
// a bare number is minutes) in whole minutes, except the weekly goal, where
// a bare number is hours ("12", "7.5", "7,5"), as people count a week's
// focus. Lists are comma-separated; "none" or nothing empties them.
func Fields() []Field {
	out := []Field{{
		Key: "goal", Label: "weekly goal", Help: "weekly focus goal: hours (a bare number) or a length, e.g. 10, 7.5 or 7h30", Example: GoalExample, Kind: KindLength,
		format: func(st Settings) string { return human.Duration(st.Plan.WeeklyGoal) },
		parse: func(st *Settings, v string) error {
			d, err := parseGoal(v)
			if err != nil {
				return err
			}
			st.Plan.WeeklyGoal = d
			return nil
		},
		value: func(st Settings) any { return st.Plan.WeeklyGoal },
	}}
	for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		out = append(out, spanField("hours-"+strings.ToLower(d.String()[:3]), d.String()+" working hours",
			d.String()+"'s working hours, e.g. 09:00-17:00, or off", func(st *Settings) *calendar.Span { return &st.Plan.Hours[d] }))
	}
	out = append(out,
		Field{Key: "zone", Label: "zone", Help: "IANA time zone, e.g. Europe/Berlin (empty: the computer's)",
			Example: "Europe/Berlin", Empty: "the computer's", Kind: KindText,
			format: func(st Settings) string {
				if isLocal(st.Plan.Zone) {
					return ""
				}
				return st.Plan.Zone
			},
			parse: func(st *Settings, v string) error {
				st.Plan.Zone = v
				if v == "" || strings.EqualFold(v, "local") || strings.EqualFold(v, "the computer's") {
					st.Plan.Zone = "Local"
				}
				return nil
			},
			value: func(st Settings) any {
				if isLocal(st.Plan.Zone) {
					return "Local"
				}
				return st.Plan.Zone
			}},
		lengthField("preferred-block", "preferred block", "the block length Lull aims for, e.g. 2h", "2h", func(st *Settings) *time.Duration { return &st.Plan.PreferredBlock }),
		lengthField("min-block", "minimum block", "the shortest block Lull plans, 30m or more", "1h", func(st *Settings) *time.Duration { return &st.Plan.MinBlock }),
		lengthField("daily-cap", "daily cap", "the most focus Lull plans on one day, e.g. 4h", "4h", func(st *Settings) *time.Duration { return &st.Plan.DailyCap }),
		lengthField("buffer", "buffer", "free time kept around meetings, e.g. 10m", "10m", func(st *Settings) *time.Duration { return &st.Plan.Buffer }),
		spanField("lunch", "lunch", "lunch time kept free unless nothing else is, e.g. 12:00-13:00, or off", func(st *Settings) *calendar.Span { return &st.Plan.Lunch }),
		Field{Key: "prefer", Label: "preferred time of day", Help: "preferred time of day: morning, afternoon or any", Example: "morning",
			Kind: KindChoice, Choices: []string{string(calendar.PreferMorning), string(calendar.PreferAfternoon), string(calendar.PreferAny)},
			format: func(st Settings) string { return string(st.Plan.Prefer) },
			parse: func(st *Settings, v string) error {
				st.Plan.Prefer = calendar.TimeOfDay(strings.ToLower(v))
				return nil
			},
			value: func(st Settings) any { return st.Plan.Prefer }},
		Field{Key: "horizon", Label: "planning horizon", Help: "days planned ahead, 1 to 62", Example: "14", Kind: KindNumber,
			format: func(st Settings) string { return strconv.Itoa(st.Plan.HorizonDays) + " days" },
			parse: func(st *Settings, v string) error {
				num := strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(v, "days"), "day"), "d"))
				n, err := strconv.Atoi(num)
				if err != nil {
					return &human.FieldError{Key: "horizon", Label: "planning horizon", Value: v,
						Problem: "write a number of days", Example: "14", Err: ErrBadSettings}
				}
				st.Plan.HorizonDays = n
				return nil
			},
			value: func(st Settings) any { return st.Plan.HorizonDays }},
		Field{Key: "digest-times", Label: "digest times", Help: "daily digest times, e.g. 09:00,12:30,16:30 (none: only when focus ends)",
			Example: "09:00, 12:30, 16:30", Empty: "none (only when focus ends)", Kind: KindList,
			format: func(st Settings) string { return strings.Join(effectiveDigestTimes(st), ", ") },
			parse: func(st *Settings, v string) error {
				times := []string{} // not nil: nil means the defaults
				if !strings.EqualFold(v, "none") && !strings.EqualFold(v, "none (only when focus ends)") {
					for _, p := range splitList(v) {
						t, err := notify.ParseTimeOfDay(p)
						if err != nil {
							return Bad(err)
						}
						times = append(times, t.String())
					}
				}
				st.DigestTimes = times
				return nil
			},
			value: func(st Settings) any { return effectiveDigestTimes(st) }},
		listField("vip", "VIP senders and apps", "apps, sources or senders that always break through, comma-separated", "PagerDuty, boss@example.com", func(st *Settings) *[]string { return &st.VIP }),
		listField("keywords", "breakthrough keywords", "words that break through, comma-separated", "outage, urgent", func(st *Settings) *[]string { return &st.Keywords }),
		listField("hold", "held sources", "apps or sources that never break through except for VIPs, comma-separated", "Slack", func(st *Settings) *[]string { return &st.Hold }),
		Field{Key: "digest-only", Label: "once-a-day sources", Help: "sources delivered only in one daily digest: source and time, comma-separated, e.g. ci 16:30",
			Example: SourceDigestExample, Empty: "none", Kind: KindList,
			format: func(st Settings) string { return strings.Join(st.SourceDigest, ", ") },
			parse: func(st *Settings, v string) error {
				st.SourceDigest = nil
				if strings.EqualFold(v, "none") {
					return nil
				}
				for _, p := range splitList(v) {
					src, at, err := ParseSourceDigest(p)
					if err != nil {
						return err
					}
					st.SourceDigest = append(st.SourceDigest, SourceDigestEntry(src, at))
				}
				return nil
			},
			value: func(st Settings) any { return splitList(strings.Join(st.SourceDigest, ",")) }},
		switchField("batch-desktop", "hold desktop notifications all day", "hold desktop notifications all day, not only in focus: true or false", func(st *Settings) *bool { return &st.BatchDesktopAllDay }),
		switchField("capture", "desktop capture", "capture desktop notifications: true or false", func(st *Settings) *bool { return &st.Capture }),
		switchField("hold-in-meetings", "hold notifications in meetings", "hold desktop notifications during busy calendar events, with a digest after: true or false", func(st *Settings) *bool { return &st.HoldInMeetings }),
		Field{Key: "dnd", Label: "do-not-disturb", Help: "do-not-disturb: " + strings.Join(DNDChoices(), ", "), Example: "auto",
			Kind: KindChoice, Choices: DNDChoices(),
			format: func(st Settings) string { return orDefault(st.DND, "auto") },
			parse: func(st *Settings, v string) error {
				st.DND = orDefault(strings.ToLower(v), "auto")
				return nil
			},
			value: func(st Settings) any { return orDefault(st.DND, "auto") }},
		listField("user-addresses", "your calendar addresses", "your calendar addresses, comma-separated (meetings you declined are free)", "me@example.com", func(st *Settings) *[]string { return &st.UserAddresses }),
		textField("publish", "CalDAV calendar for accepted blocks", "CalDAV calendar ID accepted blocks are written to (empty: none)", "caldav-1", func(st *Settings) *string { return &st.PublishCalDAV }),
		textField("export-ics", "export file", "file accepted blocks are written to (empty: none)", "/home/me/focus.ics", func(st *Settings) *string { return &st.ExportICS }),
		switchField("end-cue", "end-of-session notification", "tell me when a focus session ends: true or false", func(st *Settings) *bool { return &st.EndCue }),
		lengthField("break", "break to suggest", "the break the end-of-session notification suggests, e.g. 5m (0: none)", "5m", func(st *Settings) *time.Duration { return &st.BreakAfter }),
		textField("device-name", "device name", "this computer's name in the shared focus log and the per-device report (empty: the host name)", "laptop", func(st *Settings) *string { return &st.DeviceName }),
		switchField("focus-follows", "focus follows you", "start and stop focus here when another of your devices does (with sync on): true or false", func(st *Settings) *bool { return &st.FocusFollows }),
		switchField("onboarded", "onboarding done", "first-run onboarding done (false shows it again): true or false", func(st *Settings) *bool { return &st.Onboarded }),
	)
	return out
}

// parseGoal reads the weekly goal: a bare number is hours ("10", "7.5",
// "7,5"), anything else a length ("12 h", "1h30", "7:30"), both with
// human.ParseDuration's rules and limits; the result is rounded to the
// minute.
func parseGoal(v string) (time.Duration, error) {
	text := v
	if _, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64); err == nil {
		text = v + " h"
	}
	d, err := human.ParseDuration(text)
	if err != nil {
		return 0, &human.FieldError{Key: "goal", Label: "weekly goal", Value: v,
			Problem: "write hours or a length of time", Example: GoalExample, Err: ErrBadSettings}
	}
	return d.Round(time.Minute), nil
}

// lengthField is a length in whole minutes; a bare number is minutes.
func lengthField(key, label, help, example string, field func(*Settings) *time.Duration) Field {
	return Field{Key: key, Label: label, Help: help, Example: example, Kind: KindLength,
		format: func(st Settings) string { return human.Duration(*field(&st)) },
		parse: func(st *Settings, v string) error {
			d, err := human.ParseDuration(v)
			if err != nil || d%time.Minute != 0 {
				problem := "write a length of time such as " + human.DurationExamples
				if err == nil {
					problem = "whole minutes only"
				}
				return &human.FieldError{Key: key, Label: label, Value: v, Problem: problem, Example: example, Err: ErrBadSettings}
			}
			*field(st) = d
			return nil
		},
		value: func(st Settings) any { return *field(&st) }}
}

// spanField is a range of the day, or off.
func spanField(key, label, help string, field func(*Settings) *calendar.Span) Field {
	return Field{Key: key, Label: label, Help: help, Example: "09:00–17:00", Empty: "off", Kind: KindSpan,
		format: func(st Settings) string {
			if sp := *field(&st); !sp.Empty() {
				return SpanText(sp)
			}
			return ""
		},
		parse: func(st *Settings, v string) error {
			sp, err := ParseSpan(key, label, v)
			if err != nil {
				return err
			}
			*field(st) = sp
			return nil
		},
		value: func(st Settings) any {
			if sp := *field(&st); !sp.Empty() {
				return sp
			}
			return calendar.Span{}
		}}
}

// listField is a comma-separated list; "none" empties it.
func listField(key, label, help, example string, field func(*Settings) *[]string) Field {
	return Field{Key: key, Label: label, Help: help, Example: example, Empty: "none", Kind: KindList,
		format: func(st Settings) string { return strings.Join(*field(&st), ", ") },
		parse: func(st *Settings, v string) error {
			*field(st) = nil
			if !strings.EqualFold(v, "none") {
				*field(st) = splitList(v)
			}
			return nil
		},
		value: func(st Settings) any { return splitList(strings.Join(*field(&st), ",")) }}
}

// textField is free text; "none" empties it.
func textField(key, label, help, example string, field func(*Settings) *string) Field {
	return Field{Key: key, Label: label, Help: help, Example: example, Empty: "none", Kind: KindText,
		format: func(st Settings) string { return *field(&st) },
		parse: func(st *Settings, v string) error {
			*field(st) = v
			if strings.EqualFold(v, "none") {
				*field(st) = ""
			}
			return nil
		},
		value: func(st Settings) any { return *field(&st) }}
}

// switchField is true or false (also yes/no, on/off, 1/0).
func switchField(key, label, help string, field func(*Settings) *bool) Field {
	return Field{Key: key, Label: label, Help: help, Example: "true", Kind: KindSwitch,
		format: func(st Settings) string { return strconv.FormatBool(*field(&st)) },
		parse: func(st *Settings, v string) error {
			b, err := ParseSwitch(v)
			if err != nil {
				return &human.FieldError{Key: key, Label: label, Value: v, Problem: "want true or false", Example: "true", Err: ErrBadSettings}
			}
			*field(st) = b
			return nil
		},
		value: func(st Settings) any { return *field(&st) }}
}

// ParseSwitch reads a switch as people type it: true, yes, on, 1 or false,
// no, off, 0 (any case).
func ParseSwitch(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "yes", "on", "1":
		return true, nil
	case "false", "no", "off", "0":
		return false, nil
	}
	return false, fmt.Errorf("%w: %q: want true or false", ErrBadSettings, v)
}

// effectiveDigestTimes are the digest times in force: the defaults when
// none were ever set.
func effectiveDigestTimes(st Settings) []string {
	if st.DigestTimes == nil {
		return defaultDigestTimes()
	}
	return st.DigestTimes
}

func isLocal(zone string) bool { return zone == "" || zone == "Local" }

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
