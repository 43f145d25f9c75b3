package focus

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		errPart string
	}{
		{"25m", 25 * time.Minute, ""},
		{"1h30m", 90 * time.Minute, ""},
		{"90", 90 * time.Minute, ""},
		{" 50m ", 50 * time.Minute, ""},
		{"15m", 15 * time.Minute, ""},
		{"24h", 24 * time.Hour, ""},
		{"", 0, "focus length: no length given, e.g. 25m"},
		{"abc", 0, `focus length "abc": write a length of time such as 25m, 1h30 or 90 (minutes), e.g. 25m`},
		{"-5m", 0, `focus length "-5m": a length cannot be negative, e.g. 25m`},
		{"0", 0, `focus length "0": must be at least 1 min, e.g. 25m`},
		{"30s", 0, `focus length "30s": must be at least 1 min, e.g. 25m`},
		{"90s", 0, `focus length "90s": whole minutes only, e.g. 25m`},
		{"25h", 0, `focus length "25h": must be at most 24 h, e.g. 25m`},
		{"99999", 0, `focus length "99999": must be at most 24 h, e.g. 25m`},
		{"1.5h", 90 * time.Minute, ""},
		{"25 min", 25 * time.Minute, ""},
		{"1h30", 90 * time.Minute, ""},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if tt.errPart != "" {
			if !errors.Is(err, ErrBadDuration) || err.Error() != tt.errPart {
				t.Errorf("ParseDuration(%q) error %v, want ErrBadDuration saying %q", tt.in, err, tt.errPart)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseStart(t *testing.T) {
	tests := []struct {
		in   string
		want StartRequest
		bad  bool
	}{
		{"until-next", StartRequest{UntilNext: true}, false},
		{"Until-Next-Meeting", StartRequest{UntilNext: true}, false},
		{"open", StartRequest{Open: true}, false},
		{"50m", StartRequest{Duration: 50 * time.Minute}, false},
		{"until", StartRequest{}, true},
		{"", StartRequest{}, true},
	}
	for _, tt := range tests {
		got, err := ParseStart(tt.in)
		if tt.bad {
			if !errors.Is(err, ErrBadDuration) || !strings.Contains(err.Error(), "until-next") {
				t.Errorf("ParseStart(%q) error %v, want ErrBadDuration mentioning until-next", tt.in, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseStart(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseWeek(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, berlin) // Sunday of W47
	mon := DefaultConfig(berlin)
	sun := mon
	sun.FirstWeekday = time.Sunday
	tests := []struct {
		cfg   Config
		in    string
		start time.Time
		err   error
	}{
		{mon, "2026-W47", time.Date(2026, 11, 16, 0, 0, 0, 0, berlin), nil},
		{mon, "2026w47", time.Date(2026, 11, 16, 0, 0, 0, 0, berlin), nil},
		{mon, "", time.Date(2026, 11, 16, 0, 0, 0, 0, berlin), nil},
		{mon, "2026-W01", time.Date(2025, 12, 29, 0, 0, 0, 0, berlin), nil},
		{mon, "2026-W53", time.Date(2026, 12, 28, 0, 0, 0, 0, berlin), ErrFutureWeek},
		{mon, "2020-W53", time.Date(2020, 12, 28, 0, 0, 0, 0, berlin), nil},
		{mon, "2025-W53", time.Time{}, ErrBadWeek},
		{mon, "2026-W00", time.Time{}, ErrBadWeek},
		{mon, "2026-W54", time.Time{}, ErrBadWeek},
		{mon, "W47", time.Time{}, ErrBadWeek},
		{mon, "2026-47", time.Time{}, ErrBadWeek},
		{mon, "2026-W48", time.Time{}, ErrFutureWeek},
		// Sunday-first: W47 starts Sunday 15 Nov; on Sunday 22 Nov the
		// current week is already W48.
		{sun, "2026-W47", time.Date(2026, 11, 15, 0, 0, 0, 0, berlin), nil},
		{sun, "", time.Date(2026, 11, 22, 0, 0, 0, 0, berlin), nil},
		{sun, "2026-W48", time.Date(2026, 11, 22, 0, 0, 0, 0, berlin), nil},
	}
	for _, tt := range tests {
		w, err := tt.cfg.ParseWeek(tt.in, now)
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("first %v ParseWeek(%q) error %v, want %v", tt.cfg.FirstWeekday, tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !w.Start.Equal(tt.start) || !w.End.Equal(tt.start.AddDate(0, 0, 7)) {
			t.Errorf("first %v ParseWeek(%q) = %v (%v–%v), %v; want start %v", tt.cfg.FirstWeekday, tt.in, w, w.Start, w.End, err, tt.start)
		}
		if err == nil && tt.in != "" && !strings.EqualFold(strings.ReplaceAll(w.String(), "-", ""), strings.ReplaceAll(tt.in, "-", "")) {
			t.Errorf("ParseWeek(%q).String() = %s", tt.in, w)
		}
	}
	if got := sun.WeekOf(now).String(); got != "2026-W48" {
		t.Errorf("Sunday-first WeekOf(Sun 22 Nov) = %s, want 2026-W48", got)
	}
	if got := mon.WeekOf(now).String(); got != "2026-W47" {
		t.Errorf("Monday-first WeekOf(Sun 22 Nov) = %s, want 2026-W47", got)
	}
}

func TestStatusLine(t *testing.T) {
	now := time.Date(2026, 11, 17, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		st   State
		want string
	}{
		{State{}, "Not focusing"},
		{State{Focusing: true, Start: now.Add(-time.Minute), PlannedEnd: now.Add(34 * time.Minute)}, "Focusing — 34 min left"},
		{State{Focusing: true, Start: now, PlannedEnd: now.Add(33*time.Minute + time.Second)}, "Focusing — 34 min left"},
		{State{Focusing: true, Start: now, PlannedEnd: now.Add(125 * time.Minute)}, "Focusing — 2 h 5 min left"},
		{State{Focusing: true, Start: now, PlannedEnd: now.Add(120 * time.Minute)}, "Focusing — 2 h left"},
		{State{Focusing: true, Start: now, PlannedEnd: now.Add(time.Second)}, "Focusing — 1 min left"},
		{State{Focusing: true, Start: now, PlannedEnd: now}, "Focusing — ending now"},
		{State{Focusing: true, Start: now.Add(-65 * time.Minute)}, "Focusing (open-ended) — 1 h 5 min so far"},
	}
	for _, tt := range tests {
		if got := StatusLine(tt.st, now); got != tt.want {
			t.Errorf("StatusLine(%+v) = %q, want %q", tt.st, got, tt.want)
		}
	}
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"25m", "1h30m", "90", "", "-1m", "1e9h", "9223372036854775807"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			if !errors.Is(err, ErrBadDuration) {
				t.Fatalf("error %v does not wrap ErrBadDuration", err)
			}
			return
		}
		if d < time.Minute || d > MaxSessionLength || d%time.Minute != 0 {
			t.Fatalf("ParseDuration(%q) = %v out of range", s, d)
		}
	})
}

func FuzzParseWeek(f *testing.F) {
	for _, s := range []string{"2026-W47", "2020-W53", "0000-W01", "9999-W52", "2026w1"} {
		f.Add(s)
	}
	cfg := DefaultConfig(time.UTC)
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		w, err := cfg.ParseWeek(s, now)
		if err != nil {
			if !errors.Is(err, ErrBadWeek) && !errors.Is(err, ErrFutureWeek) {
				t.Fatalf("error %v is neither ErrBadWeek nor ErrFutureWeek", err)
			}
			return
		}
		if w.Start.After(now) || w.End.Sub(w.Start) != 7*24*time.Hour || w.Start.Weekday() != time.Monday {
			t.Fatalf("ParseWeek(%q) = %v %v–%v", s, w, w.Start, w.End)
		}
	})
}
