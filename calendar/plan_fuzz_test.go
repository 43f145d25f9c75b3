package calendar

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// FuzzPlanSettings feeds arbitrary settings JSON through UnmarshalJSON,
// Validate and Plan: decoding never panics, valid settings survive a JSON
// round trip, and every plan made with them obeys the hard rules.
// Run with: go test -fuzz FuzzPlanSettings -run XXX ./calendar/
func FuzzPlanSettings(f *testing.F) {
	def, _ := json.Marshal(DefaultPlanSettings())
	f.Add(def, int64(0))
	f.Add([]byte(`{"weekly_goal":"40h","min_block":"30m","preferred_block":"30m","daily_cap":"8h","buffer":"0s","lunch":null,"prefer":"afternoon","horizon_days":62,"zone":"America/New_York"}`), int64(1))
	f.Add([]byte(`{"hours":{"sun":{"start":"00:00","end":"24:00"},"sat":{"start":"23:55","end":"24:00"}},"zone":"Australia/Lord_Howe"}`), int64(2))
	f.Add([]byte(`{"weekly_goal":"-1h"}`), int64(3))
	f.Add([]byte(`{"hours":{"mon":null}}`), int64(4))
	f.Fuzz(func(t *testing.T, data []byte, seed int64) {
		var s PlanSettings
		if err := json.Unmarshal(data, &s); err != nil {
			return
		}
		if s.Validate() != nil {
			return
		}
		again, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var back PlanSettings
		if err := json.Unmarshal(again, &back); err != nil || !reflect.DeepEqual(back, s) {
			t.Fatalf("round trip: %+v → %s → %+v, %v", s, again, back, err)
		}
		loc, err := s.Location()
		if err != nil {
			t.Fatal(err)
		}
		from := time.Date(2026, 3, 25, 0, 0, 0, 0, loc).Add(time.Duration(seed%(30*24*60)) * time.Minute)
		busy := []Interval{{from.Add(3 * time.Hour), from.Add(4 * time.Hour)}, {from.Add(27 * time.Hour), from.Add(30 * time.Hour)}}
		in := PlanInput{From: from, Settings: s, Location: loc, Busy: busy}
		out, err := Plan(in)
		if err != nil {
			t.Fatalf("Plan with valid settings: %v", err)
		}
		checkInvariants(t, in, out)
	})
}
