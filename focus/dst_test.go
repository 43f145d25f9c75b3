package focus

import (
	"testing"
	"time"

	"github.com/lullapp/lull/internal/clock"
)

// TestDSTWeeks runs a session from Saturday 22:00 to Sunday 06:00 local over
// each transition: the Sunday has 23 or 25 hours and the hours are exact.
func TestDSTWeeks(t *testing.T) {
	tests := []struct {
		zone      string
		week      string
		sat       time.Time // the Saturday (date only is used)
		weekHours float64
		sunLen    time.Duration
		sunFocus  time.Duration
	}{
		{"Europe/Berlin", "2026-W13", time.Date(2026, 3, 28, 0, 0, 0, 0, time.UTC), 167, 23 * time.Hour, 5 * time.Hour},
		{"Europe/Berlin", "2026-W43", time.Date(2026, 10, 24, 0, 0, 0, 0, time.UTC), 169, 25 * time.Hour, 7 * time.Hour},
		{"America/New_York", "2026-W10", time.Date(2026, 3, 7, 0, 0, 0, 0, time.UTC), 167, 23 * time.Hour, 5 * time.Hour},
		{"America/New_York", "2026-W44", time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC), 169, 25 * time.Hour, 7 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.zone+" "+tt.week, func(t *testing.T) {
			loc := mustLoc(t, tt.zone)
			y, m, d := tt.sat.Date()
			start := time.Date(y, m, d, 22, 0, 0, 0, loc)
			end := time.Date(y, m, d+1, 6, 0, 0, 0, loc)
			clk := clock.NewFake(start)
			cfg := DefaultConfig(loc)
			e, err := Open(mustOpenDB(t, true), clk, cfg, Deps{WorkingHours: weekdayHours(loc, 9, 17)})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			if _, err := e.StartOpen(); err != nil {
				t.Fatal(err)
			}
			clk.Set(end)
			if _, err := e.Stop(); err != nil {
				t.Fatal(err)
			}
			clk.Set(end.AddDate(0, 0, 2))
			w, err := cfg.ParseWeek(tt.week, clk.Now())
			if err != nil {
				t.Fatal(err)
			}
			if got := w.End.Sub(w.Start).Hours(); got != tt.weekHours {
				t.Errorf("week length %vh, want %vh", got, tt.weekHours)
			}
			r, err := e.Report(w)
			if err != nil {
				t.Fatal(err)
			}
			sun := r.Days[6]
			if l := w.Days()[6].Duration(); l != tt.sunLen {
				t.Errorf("Sunday is %v long, want %v", l, tt.sunLen)
			}
			if r.Days[5].Focus != 2*time.Hour || sun.Focus != tt.sunFocus || r.Focus != 2*time.Hour+tt.sunFocus {
				t.Errorf("Sat %v Sun %v total %v, want 2h, %v, %v", r.Days[5].Focus, sun.Focus, r.Focus, tt.sunFocus, 2*time.Hour+tt.sunFocus)
			}
			if r.Working != 40*time.Hour {
				t.Errorf("working %v, want 40h", r.Working)
			}
		})
	}
}

// TestTimeZoneChange checks a session whose clock moves to another zone
// mid-session (the user travels) lasts its real length, and a report in a
// third zone splits it at that zone's midnight.
func TestTimeZoneChange(t *testing.T) {
	berlin, tokyo := mustLoc(t, "Europe/Berlin"), mustLoc(t, "Asia/Tokyo")
	start := time.Date(2026, 11, 17, 15, 0, 0, 0, berlin) // 23:00 in Tokyo
	clk := clock.NewFake(start)
	e, err := Open(mustOpenDB(t, true), clk, DefaultConfig(berlin), Deps{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, err := e.Start(3 * time.Hour); err != nil {
		t.Fatal(err)
	}
	clk.Set(start.Add(time.Hour).In(tokyo))
	clk.Set(start.Add(4 * time.Hour).In(tokyo))
	ss, err := e.Sessions(time.Time{}, time.Time{})
	if err != nil || len(ss) != 1 || ss[0].Duration() != 3*time.Hour {
		t.Fatalf("sessions %+v %v, want one of 3h", ss, err)
	}
	cfg := DefaultConfig(tokyo)
	w := cfg.WeekOf(start)
	r, err := BuildReport(e.Log(), cfg, Deps{}, w, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if r.Days[1].Focus != time.Hour || r.Days[2].Focus != 2*time.Hour {
		t.Errorf("Tokyo Tue %v Wed %v, want 1h and 2h", r.Days[1].Focus, r.Days[2].Focus)
	}
}
