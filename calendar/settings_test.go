package calendar

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDefaultPlanSettings(t *testing.T) {
	s := DefaultPlanSettings()
	if err := s.Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	// PRODUCT.md's table.
	if s.WeeklyGoal != 10*time.Hour || s.PreferredBlock != 2*time.Hour || s.MinBlock != time.Hour ||
		s.DailyCap != 4*time.Hour || s.Buffer != 10*time.Minute || s.HorizonDays != 14 ||
		s.Lunch != (Span{At(12, 0), At(13, 0)}) || s.Prefer != PreferAny {
		t.Fatalf("defaults differ from PRODUCT.md: %+v", s)
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		want := Span{At(9, 0), At(17, 0)}
		if d == time.Saturday || d == time.Sunday {
			want = Span{}
		}
		if s.Hours[d] != want {
			t.Errorf("%v hours %v, want %v", d, s.Hours[d], want)
		}
	}
}

func TestPlanSettingsValidate(t *testing.T) {
	cases := []struct {
		name   string
		change func(*PlanSettings)
		want   string // substring of the error; "" means valid
	}{
		{"30 min minimum allowed", func(s *PlanSettings) { s.MinBlock = 30 * time.Minute }, ""},
		{"day off", func(s *PlanSettings) { s.Hours[time.Wednesday] = Span{} }, ""},
		{"own hours per day", func(s *PlanSettings) { s.Hours[time.Saturday] = Span{At(10, 0), At(24, 0)} }, ""},
		{"no lunch", func(s *PlanSettings) { s.Lunch = Span{} }, ""},
		{"zone by name", func(s *PlanSettings) { s.Zone = "America/New_York" }, ""},
		{"negative goal", func(s *PlanSettings) { s.WeeklyGoal = -time.Hour }, "weekly goal"},
		{"minimum under 30 min", func(s *PlanSettings) { s.MinBlock = 20 * time.Minute }, "minimum block"},
		{"minimum off the grid", func(s *PlanSettings) { s.MinBlock = 61 * time.Minute }, "minimum block"},
		{"preferred under minimum", func(s *PlanSettings) { s.PreferredBlock = 45 * time.Minute }, "preferred block"},
		{"cap under minimum", func(s *PlanSettings) { s.DailyCap = 30 * time.Minute }, "daily cap"},
		{"negative buffer", func(s *PlanSettings) { s.Buffer = -time.Minute }, "buffer"},
		{"unknown preference", func(s *PlanSettings) { s.Prefer = "evening" }, "preferred time of day"},
		{"no horizon", func(s *PlanSettings) { s.HorizonDays = 0 }, "horizon"},
		{"hours backwards", func(s *PlanSettings) { s.Hours[time.Monday] = Span{At(17, 0), At(9, 0)} }, "Monday working hours"},
		{"hours past midnight", func(s *PlanSettings) { s.Hours[time.Friday] = Span{At(9, 0), 24*60 + 5} }, "Friday working hours"},
		{"hours off the grid", func(s *PlanSettings) { s.Hours[time.Friday] = Span{At(9, 1), At(17, 0)} }, "5 min grid"},
		{"lunch backwards", func(s *PlanSettings) { s.Lunch = Span{At(13, 0), At(12, 0)} }, "lunch"},
		{"unknown zone", func(s *PlanSettings) { s.Zone = "Mars/Olympus" }, "Mars/Olympus"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := DefaultPlanSettings()
			c.change(&s)
			err := s.Validate()
			if c.want == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if !errors.Is(err, ErrBadSettings) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v: want ErrBadSettings mentioning %q", err, c.want)
			}
		})
	}
}

func TestPlanSettingsJSONGolden(t *testing.T) {
	s := DefaultPlanSettings()
	s.Zone = "Europe/Berlin"
	s.Hours[time.Friday] = Span{At(8, 30), At(13, 0)}
	s.Prefer = PreferMorning
	s.MinBlock = 30 * time.Minute
	got, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "plan", "settings.json")
	if *updatePlanGolden {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("settings JSON differs from %s:\n%s", path, got)
	}
	var back PlanSettings
	if err := json.Unmarshal(want, &back); err != nil {
		t.Fatal(err)
	}
	if back != s {
		t.Fatalf("round trip:\n got %+v\nwant %+v", back, s)
	}
}

func TestPlanSettingsJSONPartial(t *testing.T) {
	var s PlanSettings
	if err := json.Unmarshal([]byte(`{"weekly_goal":"12h30m","hours":{"tue":{"start":"10:00","end":"18:00"}},"lunch":null}`), &s); err != nil {
		t.Fatal(err)
	}
	want := DefaultPlanSettings()
	want.WeeklyGoal = 12*time.Hour + 30*time.Minute
	want.Hours = [7]Span{}
	want.Hours[time.Tuesday] = Span{At(10, 0), At(18, 0)}
	want.Lunch = Span{}
	if s != want {
		t.Fatalf("got %+v\nwant %+v", s, want)
	}
	for _, bad := range []string{
		`{"hours":{"monday":{"start":"09:00","end":"17:00"}}}`,
		`{"buffer":"ten minutes"}`,
		`{"lunch":{"start":"12","end":"13:00"}}`,
		`{"lunch":{"start":"25:00","end":"26:00"}}`,
		`[1,2]`,
	} {
		if err := json.Unmarshal([]byte(bad), &s); err == nil {
			t.Errorf("%s: want an error", bad)
		}
	}
}

func TestFmtGoDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 10 * time.Hour: "10h", 90 * time.Minute: "1h30m", 30 * time.Minute: "30m",
		10 * time.Second: "10s", time.Minute: "1m", 61 * time.Minute: "1h1m",
	} {
		if got := fmtGoDuration(d); got != want {
			t.Errorf("fmtGoDuration(%v) = %q, want %q", d, got, want)
		}
		if back, err := time.ParseDuration(fmtGoDuration(d)); err != nil || back != d {
			t.Errorf("%q parses back as %v, %v", fmtGoDuration(d), back, err)
		}
	}
}
