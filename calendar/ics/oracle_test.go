package ics

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestAppendOracleTime: the hand-made formatting writes what
// time.AppendFormat writes, for every kind and odd years.
func TestAppendOracleTime(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	times := []time.Time{
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 6, 1, 12, 0, 0, 0, time.UTC),
		time.Date(2024, 3, 31, 2, 30, 0, 0, berlin),
		time.Date(2023, 12, 31, 23, 30, 0, 0, berlin), // another day in UTC
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		times = append(times, time.Unix(r.Int64N(1<<36)-1<<35, 0).In(berlin))
	}
	for _, tm := range times {
		for _, o := range []Occurrence{{AllDay: true}, {Floating: true}, {}} {
			layout, want := "2006-01-02T15:04:05Z", tm.UTC()
			switch {
			case o.AllDay:
				layout, want = "2006-01-02", tm
			case o.Floating:
				layout, want = "2006-01-02T15:04:05", tm
			}
			if got, want := string(appendOracleTime(nil, o, tm)), want.Format(layout); got != want {
				t.Errorf("%v (all-day %v, floating %v): got %q, want %q", tm, o.AllDay, o.Floating, got, want)
			}
		}
	}
}
