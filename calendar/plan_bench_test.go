package calendar

import (
	"math/rand"
	"testing"
	"time"
)

// denseBusy generates about 20,000 busy intervals over five years in loc,
// like ../shared/bench/gen_synthetic.py's calendar: about 11 events a day
// (weekends included), 15 min to 2 h long, at any minute between 07:00 and 19:00,
// overlapping freely, plus a few all-day busy days.
func denseBusy(loc *time.Location) []Interval {
	r := rand.New(rand.NewSource(1))
	var out []Interval
	start := time.Date(2022, 1, 1, 0, 0, 0, 0, loc)
	for d := 0; d < 5*365; d++ {
		day := start.AddDate(0, 0, d)
		if r.Intn(40) == 0 {
			out = append(out, Interval{day, day.AddDate(0, 0, 1)})
			continue
		}
		for n := 8 + r.Intn(7); n > 0; n-- {
			s := day.Add(time.Duration(7*60+r.Intn(12*60)) * time.Minute)
			out = append(out, Interval{s, s.Add(time.Duration(15+r.Intn(106)) * time.Minute)})
		}
	}
	return out
}

// BenchmarkPlan plans 14 days (default settings) in the middle of a dense
// five-year calendar, given the whole calendar's busy time as input, with
// accepted blocks to keep and tombstones to respect. Target: ≤ 50 ms.
func BenchmarkPlan(b *testing.B) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		b.Fatal(err)
	}
	busy := denseBusy(loc)
	s := DefaultPlanSettings()
	s.Zone = "Europe/Berlin"
	s.MinBlock = 30 * time.Minute // so the dense calendar still yields blocks
	in := PlanInput{From: time.Date(2024, 3, 20, 7, 13, 0, 0, loc), Settings: s, Location: loc, Busy: busy}
	first, err := Plan(in)
	if err != nil {
		b.Fatal(err)
	}
	for i := range first {
		if i%2 == 0 {
			first[i].State = StateAccepted
		}
	}
	in.Existing = first
	in.Tombstones = []Tombstone{{ID: "lull-t", Start: in.From.Add(26 * time.Hour), End: in.From.Add(28 * time.Hour)}}
	var out []Block
	for b.Loop() {
		if out, err = Plan(in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(busy)), "busy-intervals")
	b.ReportMetric(float64(len(out)), "blocks")
}

// BenchmarkPlanWindow is BenchmarkPlan with only the horizon's busy time,
// as a caller that expands just the planning window passes it.
func BenchmarkPlanWindow(b *testing.B) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		b.Fatal(err)
	}
	from := time.Date(2024, 3, 20, 7, 13, 0, 0, loc)
	var busy []Interval
	for _, iv := range denseBusy(loc) {
		if iv.End.After(from.AddDate(0, 0, -1)) && iv.Start.Before(from.AddDate(0, 0, 15)) {
			busy = append(busy, iv)
		}
	}
	s := DefaultPlanSettings()
	s.Zone = "Europe/Berlin"
	s.MinBlock = 30 * time.Minute
	in := PlanInput{From: from, Settings: s, Location: loc, Busy: busy}
	var out []Block
	for b.Loop() {
		if out, err = Plan(in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(busy)), "busy-intervals")
	b.ReportMetric(float64(len(out)), "blocks")
}
