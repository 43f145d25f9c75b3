package ics

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzParseExpand: Parse and Expand never panic or hang on any input, and
// every occurrence they return overlaps the window.
func FuzzParseExpand(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "ics", "*.ics"))
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil && len(data) < 64<<10 {
			f.Add(data)
		}
	}
	f.Add(ics("BEGIN:VEVENT\nUID:x\nDTSTART:20240101T090000Z\nRRULE:FREQ=SECONDLY\nEND:VEVENT"))
	f.Add(ics(berlinVTZ))
	from := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 1, 0)
	f.Fuzz(func(t *testing.T, data []byte) {
		// A hang becomes a crash, so the fuzzer saves the input.
		watchdog := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("hang on input %q", data)) })
		defer watchdog.Stop()
		cal, err := Parse("fuzz.ics", data)
		if err != nil {
			return
		}
		for _, o := range Expand(cal, from, to, ExpandOptions{Location: time.UTC, MaxIterations: 100_000}) {
			if o.End.Before(o.Start) || !o.Start.Before(to) || (o.End.After(o.Start) && !o.End.After(from)) {
				t.Fatalf("occurrence outside the window or reversed: %+v", o)
			}
		}
	})
}
