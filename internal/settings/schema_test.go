package settings

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/internal/human"
	"github.com/lullapp/lull/notify"
)

// TestEveryFieldIsDescribed: every field has a key, a label, help and an
// example, keys are unique, and the example parses.
func TestEveryFieldIsDescribed(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Fields() {
		if f.Key == "" || f.Label == "" || f.Help == "" || f.Example == "" {
			t.Errorf("field %+v lacks a key, label, help or example", f)
		}
		if seen[f.Key] {
			t.Errorf("key %q twice", f.Key)
		}
		seen[f.Key] = true
		st := Default()
		if err := f.Parse(&st, f.Example); err != nil {
			t.Errorf("%s: the example %q does not parse: %v", f.Key, f.Example, err)
		}
		if got, ok := Lookup(f.Key); !ok || got.Key != f.Key {
			t.Errorf("Lookup(%q) = %v, %v", f.Key, got.Key, ok)
		}
		if f.Kind == KindChoice && len(f.Choices) == 0 {
			t.Errorf("%s: a choice without choices", f.Key)
		}
	}
	if _, ok := Lookup("colour"); ok {
		t.Error("Lookup found a key that is not there")
	}
}

// samples are settings whose every field holds a value a person can set.
func samples() []Settings {
	full := Default()
	full.Plan.WeeklyGoal = 7*time.Hour + 30*time.Minute
	full.Plan.Hours[time.Saturday] = calendar.Span{Start: calendar.At(10, 5), End: calendar.At(13, 55)}
	full.Plan.Hours[time.Monday] = calendar.Span{}
	full.Plan.Zone = "Europe/Berlin"
	full.Plan.PreferredBlock = 95 * time.Minute
	full.Plan.Buffer = 0
	full.Plan.Lunch = calendar.Span{}
	full.Plan.Prefer = calendar.PreferMorning
	full.Plan.HorizonDays = 62
	full.DigestTimes = []string{}
	full.VIP = []string{"PagerDuty", "boss@example.com"}
	full.Keywords = []string{"outage"}
	full.BatchDesktopAllDay = true
	full.Capture = false
	full.DND = "dunst"
	full.UserAddresses = []string{"me@example.com", "me@work.example"}
	full.PublishCalDAV = "caldav-1"
	full.ExportICS = "/home/me/focus.ics"
	full.Onboarded = true
	never := Default()
	never.DigestTimes = nil // never set: the defaults
	never.Plan.Zone = ""
	never.DND = ""
	return []Settings{Default(), full, never}
}

// TestFormatParseRoundTrip: for every field and sample, what Format
// writes Parse reads back to the same value, starting from other
// settings.
func TestFormatParseRoundTrip(t *testing.T) {
	for i, st := range samples() {
		for _, f := range Fields() {
			text := f.Format(st)
			into := samples()[(i+1)%len(samples())]
			if err := f.Parse(&into, text); err != nil {
				t.Errorf("sample %d: %s: Parse(Format = %q): %v", i, f.Key, text, err)
				continue
			}
			if got, want := f.Value(into), f.Value(st); !reflect.DeepEqual(got, want) {
				t.Errorf("sample %d: %s: Parse(Format = %q) = %#v, want %#v", i, f.Key, text, got, want)
			}
			// Show is Format, or the empty value in words, which reads
			// back the same too.
			shown := samples()[(i+2)%len(samples())]
			if err := f.Parse(&shown, f.Show(st)); err != nil || !reflect.DeepEqual(f.Value(shown), f.Value(st)) {
				t.Errorf("sample %d: %s: Parse(Show = %q) = %#v, %v", i, f.Key, f.Show(st), f.Value(shown), err)
			}
		}
	}
}

// TestRandomValuesRoundTrip is the round trip as a property: random
// values of each kind, written and read back.
func TestRandomValuesRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"ci", "PagerDuty", "boss@example.com", "outage", "a b", "Überweisung"}
	for range 500 {
		for _, f := range Fields() {
			st := Default()
			var text string
			switch f.Kind {
			case KindLength:
				text = human.Duration(time.Duration(r.IntN(48*60)) * time.Minute)
			case KindSpan:
				start := r.IntN(24*12) * 5
				sp := calendar.Span{Start: calendar.DayTime(start), End: calendar.DayTime(start + 5 + r.IntN(24*60-start)/5*5)}
				if sp.End > 24*60 {
					sp.End = 24 * 60
				}
				text = SpanText(sp)
			case KindList:
				if f.Key == "digest-times" {
					text = strings.Join([]string{calendar.DayTime(r.IntN(24 * 60)).String(), calendar.DayTime(r.IntN(24 * 60)).String()}, ", ")
					break
				}
				if f.Key == "digest-only" {
					text = strings.Join([]string{words[r.IntN(len(words))] + " " + calendar.DayTime(r.IntN(24*60)).String(),
						words[r.IntN(len(words))] + " " + calendar.DayTime(r.IntN(24*60)).String()}, ", ")
					break
				}
				text = strings.Join([]string{words[r.IntN(len(words))], words[r.IntN(len(words))]}, ", ")
			case KindSwitch:
				text = []string{"true", "false", "yes", "off"}[r.IntN(4)]
			case KindChoice:
				text = f.Choices[r.IntN(len(f.Choices))]
			case KindNumber:
				text = []string{"1", "14 days", "62"}[r.IntN(3)]
			case KindText:
				text = []string{"Europe/Berlin", "caldav-9", "/tmp/x.ics", ""}[r.IntN(4)]
			}
			if err := f.Parse(&st, text); err != nil {
				t.Fatalf("%s: Parse(%q): %v", f.Key, text, err)
			}
			again := Default()
			if err := f.Parse(&again, f.Format(st)); err != nil || !reflect.DeepEqual(f.Value(again), f.Value(st)) {
				t.Fatalf("%s: %q → %#v → %q → %#v, %v", f.Key, text, f.Value(st), f.Format(st), f.Value(again), err)
			}
		}
	}
}

// TestGoalReadsHours: a bare number is hours for the goal, whatever the
// way it is typed; other lengths follow human.ParseDuration (a bare number
// is minutes).
func TestGoalReadsHours(t *testing.T) {
	goal, _ := Lookup("goal")
	buffer, _ := Lookup("buffer")
	for _, tc := range []struct {
		f    Field
		in   string
		want time.Duration
	}{
		{goal, "12", 12 * time.Hour},
		{goal, "12 h", 12 * time.Hour},
		{goal, "12h", 12 * time.Hour},
		{goal, "12 hours", 12 * time.Hour},
		{goal, " 7.5 ", 7*time.Hour + 30*time.Minute},
		{goal, "7,5", 7*time.Hour + 30*time.Minute},
		{goal, "1h30", 90 * time.Minute},
		{goal, "7:30", 7*time.Hour + 30*time.Minute},
		{goal, "90 min", 90 * time.Minute},
		{goal, "0", 0},
		{buffer, "15", 15 * time.Minute},
		{buffer, "1h30", 90 * time.Minute},
	} {
		st := Default()
		if err := tc.f.Parse(&st, tc.in); err != nil || tc.f.Value(st) != tc.want {
			t.Errorf("%s %q = %v, %v; want %v", tc.f.Key, tc.in, tc.f.Value(st), err, tc.want)
		}
	}
}

// TestParseErrorsNameTheField: text a field cannot read is a
// *human.FieldError with the field's key and label, ErrBadSettings, and an
// example; what it can read but breaks a rule is Validate's, with the same
// key.
func TestParseErrorsNameTheField(t *testing.T) {
	for _, tc := range []struct {
		key, in, msg string
	}{
		{"goal", "lots", `weekly goal "lots": write hours or a length of time, e.g. 10h`},
		{"goal", "-5", `weekly goal "-5": write hours or a length of time, e.g. 10h`},
		{"buffer", "90s", `buffer "90s": whole minutes only, e.g. 10m`},
		{"min-block", "soon", `minimum block "soon": write a length of time such as 25m, 1h30 or 90 (minutes), e.g. 1h`},
		{"hours-mon", "17-9", `Monday working hours "17-9": write a range of the day such as 09:00–17:00, or off, e.g. 09:00–17:00`},
		{"lunch", "noon", `lunch "noon": write a range of the day such as 09:00–17:00, or off, e.g. 09:00–17:00`},
		{"horizon", "two weeks", `planning horizon "two weeks": write a number of days, e.g. 14`},
		{"digest-times", "08:00, 9am!", `digest time "9am!": write a time of day as HH:MM, e.g. 09:00`},
		{"capture", "maybe", `desktop capture "maybe": want true or false, e.g. true`},
	} {
		f, _ := Lookup(tc.key)
		st := Default()
		before := st
		err := f.Parse(&st, tc.in)
		var fe *human.FieldError
		if !errors.As(err, &fe) || fe.Key != tc.key || !errors.Is(err, ErrBadSettings) || err.Error() != tc.msg {
			t.Errorf("%s %q: %v; want %q with key %s", tc.key, tc.in, err, tc.msg, tc.key)
		}
		if !reflect.DeepEqual(st, before) {
			t.Errorf("%s %q: a failed parse changed the settings", tc.key, tc.in)
		}
	}
	for _, tc := range []struct{ key, in string }{
		{"goal", "200"}, {"min-block", "20m"}, {"daily-cap", "25h"}, {"buffer", "3h"},
		{"zone", "Mars/Olympus"}, {"prefer", "evening"}, {"horizon", "63"}, {"dnd", "telepathy"},
		{"export-ics", "focus.ics"}, {"hours-tue", "17:00-09:00"}, {"preferred-block", "13h"},
	} {
		f, _ := Lookup(tc.key)
		st := Default()
		if err := f.Parse(&st, tc.in); err != nil {
			t.Errorf("%s %q: %v, want it read (the rule is Validate's)", tc.key, tc.in, err)
			continue
		}
		err := st.Validate()
		var fe *human.FieldError
		if !errors.As(err, &fe) || fe.Key != tc.key || !errors.Is(err, ErrBadSettings) {
			t.Errorf("%s %q: Validate() = %v, want a field error with key %s", tc.key, tc.in, err, tc.key)
		}
	}
}

// TestEmptyWords: "none", "off" and the empty value clear what they say.
func TestEmptyWords(t *testing.T) {
	st := samples()[1]
	for key, in := range map[string]string{"vip": "none", "keywords": "", "lunch": "off", "hours-sat": "", "publish": "none",
		"export-ics": "", "digest-times": "none", "zone": "the computer's"} {
		f, _ := Lookup(key)
		if err := f.Parse(&st, in); err != nil {
			t.Fatalf("%s %q: %v", key, in, err)
		}
		if f.Format(st) != "" || f.Show(st) != f.Empty {
			t.Errorf("%s after %q: Format %q, Show %q; want empty, %q", key, in, f.Format(st), f.Show(st), f.Empty)
		}
	}
	if st.DigestTimes == nil {
		t.Error(`digest-times "none" stored nil, which means the defaults`)
	}
}

// FuzzFieldParse: whatever a person types into any field, Parse either
// refuses it with a field error naming that field and leaves the settings
// as they were, or stores a value that Format writes and Parse reads back
// to itself.
func FuzzFieldParse(f *testing.F) {
	for _, s := range []string{"12", "1h30", "7,5", "09:00–17:00", "off", "none", "a, b,,c", "true", "maybe", "Europe/Berlin", "14 days", "-5", "9am", "\xff", "1e9", "99999999999"} {
		f.Add(0, s)
		f.Add(9, s)
		f.Add(19, s)
	}
	fields := Fields()
	f.Fuzz(func(t *testing.T, i int, text string) {
		fd := fields[(i%len(fields)+len(fields))%len(fields)]
		st := Default()
		before := st
		if err := fd.Parse(&st, text); err != nil {
			var fe *human.FieldError
			if !errors.As(err, &fe) || fe.Key != fd.Key || !errors.Is(err, ErrBadSettings) {
				t.Fatalf("%s %q: %v is not a field error about %s", fd.Key, text, err, fd.Key)
			}
			if !reflect.DeepEqual(st, before) {
				t.Fatalf("%s %q: a refused value changed the settings", fd.Key, text)
			}
			return
		}
		again := Default()
		if err := fd.Parse(&again, fd.Format(st)); err != nil || !reflect.DeepEqual(fd.Value(again), fd.Value(st)) {
			t.Fatalf("%s %q: stored %#v, written %q, read back %#v, %v", fd.Key, text, fd.Value(st), fd.Format(st), fd.Value(again), err)
		}
	})
}

// TestSourceDigestSetting: the digest-only setting reads "source HH:MM"
// entries (a source may have spaces), reaches notify's config in lower
// case, and a bad entry is a field error with an example.
func TestSourceDigestSetting(t *testing.T) {
	f, ok := Lookup("digest-only")
	if !ok {
		t.Fatal("no digest-only field")
	}
	st := Default()
	if err := f.Parse(&st, "CI 16:30, Build bot@9:00"); err != nil {
		t.Fatal(err)
	}
	cfg, err := st.NotifyConfig()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]notify.TimeOfDay{"ci": {Hour: 16, Minute: 30}, "build bot": {Hour: 9, Minute: 0}}
	if !reflect.DeepEqual(cfg.SourceDigest, want) {
		t.Fatalf("SourceDigest = %v, want %v", cfg.SourceDigest, want)
	}
	for _, bad := range []string{"ci", "ci 25:00", "16:30"} {
		st := Default()
		err := f.Parse(&st, bad)
		var fe *human.FieldError
		if !errors.As(err, &fe) || fe.Key != "digest-only" || fe.Example == "" {
			t.Errorf("Parse(%q) = %v, want a digest-only field error", bad, err)
		}
	}
	st.SourceDigest = []string{"nope"}
	if err := st.Validate(); !errors.Is(err, ErrBadSettings) {
		t.Fatalf("Validate = %v, want ErrBadSettings", err)
	}
	hold, _ := Lookup("hold")
	if err := hold.Parse(&st, "Slack, Teams"); err != nil {
		t.Fatal(err)
	}
	st.SourceDigest = nil
	if cfg, err := st.NotifyConfig(); err != nil || !reflect.DeepEqual(cfg.Rules.Hold, []string{"Slack", "Teams"}) {
		t.Fatalf("Rules.Hold = %v, %v", cfg.Rules.Hold, err)
	}
}
