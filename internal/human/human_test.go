package human

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0 min"},
		{400 * time.Millisecond, "0 min"},
		{600 * time.Millisecond, "1 s"},
		{10 * time.Second, "10 s"},
		{10*time.Second + 600*time.Millisecond, "11 s"},
		{59 * time.Second, "59 s"},
		{59*time.Second + 600*time.Millisecond, "1 min"},
		{time.Minute, "1 min"},
		{25 * time.Minute, "25 min"},
		{25*time.Minute + 29*time.Second, "25 min"},
		{59*time.Minute + 31*time.Second, "1 h"},
		{time.Hour, "1 h"},
		{90 * time.Minute, "1 h 30 min"},
		{2*time.Hour + 5*time.Minute, "2 h 5 min"},
		{24 * time.Hour, "24 h"},
		{200 * time.Hour, "200 h"},
		{-15 * time.Minute, "-15 min"},
	} {
		if got := Duration(tc.d); got != tc.want {
			t.Errorf("Duration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"90", 90 * time.Minute},
		{" 25 ", 25 * time.Minute},
		{"2.5", 150 * time.Second},
		{"25m", 25 * time.Minute},
		{"25 min", 25 * time.Minute},
		{"25 minutes", 25 * time.Minute},
		{"25MIN", 25 * time.Minute},
		{"1h30", 90 * time.Minute},
		{"1 h 30", 90 * time.Minute},
		{"1h30m", 90 * time.Minute},
		{"1 h 30 min", 90 * time.Minute},
		{"1h30m0s", 90 * time.Minute},
		{"1.5h", 90 * time.Minute},
		{"1,5 h", 90 * time.Minute},
		{"2 hours", 2 * time.Hour},
		{"1 hour 5 minutes", 65 * time.Minute},
		{"45s", 45 * time.Second},
		{"10 sec", 10 * time.Second},
		{"1:30", 90 * time.Minute},
		{"0:05", 5 * time.Minute},
		{"0", 0},
	} {
		got, err := ParseDuration(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"", "  ", "-10m", "-5", "7 parsecs", "m", "h30", "30m1h", "1h2h", "1.2.3h",
		"1:3", "1:75", "1::30", "ten", "25 m x", "9999999999h", "1e3m", "30 1", "5m30"} {
		if d, err := ParseDuration(in); err == nil || !errors.Is(err, ErrBadDuration) {
			t.Errorf("ParseDuration(%q) = %v, %v; want ErrBadDuration", in, d, err)
		}
	}
}

// TestParseDurationReadsWhatDurationWrites: every formatted whole-minute
// length parses back to itself.
func TestParseDurationReadsWhatDurationWrites(t *testing.T) {
	for m := 1; m <= 48*60; m += 7 {
		d := time.Duration(m) * time.Minute
		got, err := ParseDuration(Duration(d))
		if err != nil || got != d {
			t.Fatalf("ParseDuration(Duration(%v) = %q) = %v, %v", d, Duration(d), got, err)
		}
	}
}

func TestParseDurationIn(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"25h", `focus length "25h": must be at most 24 h, e.g. 25m`},
		{"0", `focus length "0": must be at least 1 min, e.g. 25m`},
		{"90s", `focus length "90s": whole minutes only, e.g. 25m`},
		{"-10m", `focus length "-10m": a length cannot be negative, e.g. 25m`},
		{"soon", `focus length "soon": write a length of time such as 25m, 1h30 or 90 (minutes), e.g. 25m`},
		{"", `focus length: no length given, e.g. 25m`},
	} {
		_, err := ParseDurationIn("length", "focus length", tc.in, time.Minute, 24*time.Hour, "25m")
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Key != "length" || !errors.Is(err, ErrBadDuration) || err.Error() != tc.want {
			t.Errorf("ParseDurationIn(%q) = %v; want %q", tc.in, err, tc.want)
		}
	}
	if d, err := ParseDurationIn("length", "focus length", "1h30", time.Minute, 24*time.Hour, "25m"); err != nil || d != 90*time.Minute {
		t.Errorf("1h30 = %v, %v", d, err)
	}
}

var berlin, _ = time.LoadLocation("Europe/Berlin")

func TestParseRange(t *testing.T) {
	at := func(y int, m time.Month, d, h, min int, loc *time.Location) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, loc)
	}
	for _, tc := range []struct {
		from, to   string
		start, end time.Time
	}{
		{"", "", time.Time{}, time.Time{}},
		{"2026-11-01", "2026-11-30", at(2026, 11, 1, 0, 0, berlin), at(2026, 12, 1, 0, 0, berlin)},
		{"2026-11-30", "2026-11-30", at(2026, 11, 30, 0, 0, berlin), at(2026, 12, 1, 0, 0, berlin)},
		{"2026-11-30T14:00", "2026-11-30 15:30", at(2026, 11, 30, 14, 0, berlin), at(2026, 11, 30, 15, 30, berlin)},
		{"2026-11-30T14:00:10", "", at(2026, 11, 30, 14, 0, berlin).Add(10 * time.Second), time.Time{}},
		{"2024-01-01T00:00Z", "2025-01-01T00:00Z", at(2024, 1, 1, 0, 0, time.UTC), at(2025, 1, 1, 0, 0, time.UTC)},
		{"2026-11-30T14:00:00+01:00", "", at(2026, 11, 30, 13, 0, time.UTC), time.Time{}},
		{"", "2026-03-29", time.Time{}, at(2026, 3, 30, 0, 0, berlin)}, // DST day: the next midnight, not +24 h
	} {
		s, e, err := ParseRange(tc.from, tc.to, berlin)
		if err != nil || !s.Equal(tc.start) || !e.Equal(tc.end) {
			t.Errorf("ParseRange(%q, %q) = %v, %v, %v; want %v, %v", tc.from, tc.to, s, e, err, tc.start, tc.end)
		}
	}
	// 1 Nov 2026 is a 25-hour day in New York: a date is the whole day.
	ny, _ := time.LoadLocation("America/New_York")
	if s, e, err := ParseRange("2026-11-01", "2026-11-01", ny); err != nil || e.Sub(s) != 25*time.Hour {
		t.Errorf("1 Nov 2026 in New York = %v–%v, %v; want 25 h", s, e, err)
	}
	for _, tc := range []struct{ from, to, want string }{
		{"yesterday", "", `--from "yesterday": write a date or a time, e.g. ` + RangeExamples},
		{"", "30/11/2026", `--to "30/11/2026": write a date or a time, e.g. ` + RangeExamples},
		{"2026-01-06", "2026-01-05", `--to "2026-01-05": must be after --from Tue 6 Jan 2026 (a date as --to includes that day)`},
		{"2026-01-06T10:00Z", "2026-01-06T11:00", `--to "2026-01-06T11:00": must be after --from Tue 6 Jan 2026 11:00 (a date as --to includes that day)`},
	} {
		_, _, err := ParseRange(tc.from, tc.to, berlin)
		var fe *FieldError
		if !errors.As(err, &fe) || !errors.Is(err, ErrBadDate) || err.Error() != tc.want {
			t.Errorf("ParseRange(%q, %q) = %v; want %q", tc.from, tc.to, err, tc.want)
		}
	}
}

// goSyntax finds what no person should read: Go durations, RFC 3339 UTC
// stamps and Go type or package names.
var goSyntax = regexp.MustCompile(`\d+h\d+m|\d+m\d+s|\dT\d\d:\d\d(:\d\d)?Z|time\.|\*human|strconv\.`)

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"25m", "1h30", "90", "1.5h", "1:30", "-5", "1h30m0s", "2 hours 5 min", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			if !errors.Is(err, ErrBadDuration) {
				t.Fatalf("%q: error %v does not wrap ErrBadDuration", s, err)
			}
			if strings.Contains(err.Error(), "time: invalid") {
				t.Fatalf("%q: Go's error text leaked: %v", s, err)
			}
			return
		}
		if d < 0 || d > maxParsed {
			t.Fatalf("%q = %v: out of range", s, d)
		}
		if goSyntax.MatchString(Duration(d)) {
			t.Fatalf("Duration(%v) = %q looks like Go syntax", d, Duration(d))
		}
	})
}

func FuzzParseRange(f *testing.F) {
	f.Add("2026-11-01", "2026-11-30")
	f.Add("2024-01-01T00:00Z", "2025-01-01T00:00Z")
	f.Add("2026-11-30 14:00", "")
	f.Fuzz(func(t *testing.T, from, to string) {
		s, e, err := ParseRange(from, to, berlin)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || !errors.Is(err, ErrBadDate) {
				t.Fatalf("(%q, %q): error %v is not a FieldError wrapping ErrBadDate", from, to, err)
			}
			if goSyntax.MatchString(fe.Problem) {
				t.Fatalf("(%q, %q): problem %q has Go syntax", from, to, fe.Problem)
			}
			return
		}
		if !s.IsZero() && !e.IsZero() && !e.After(s) {
			t.Fatalf("(%q, %q) = empty range %v–%v", from, to, s, e)
		}
	})
}
