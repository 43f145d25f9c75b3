package ics

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzParseExpand: Parse and Expand never panic or hang on any input;
// every occurrence they return overlaps the window, lasts no longer than
// MaxEventLength (nothing overflowed) and starts no earlier than MinYear;
// the expansion stays within its limits.
func FuzzParseExpand(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "ics", "*.ics"))
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil && len(data) < 64<<10 {
			f.Add(data)
		}
	}
	f.Add(ics("BEGIN:VEVENT\nUID:x\nDTSTART:20240101T090000Z\nRRULE:FREQ=SECONDLY\nEND:VEVENT"))
	f.Add(ics(berlinVTZ))
	f.Add(ics("BEGIN:VEVENT\nUID:x\nDTSTART:20240101T090000Z\nDURATION:-P16000W\nEND:VEVENT"))
	f.Add(ics("BEGIN:VEVENT\nUID:x\nDTSTART:00010101T000000Z\nDTEND:99991231T000000Z\nEND:VEVENT"))
	f.Add(ics("BEGIN:VEVENT\nUID:x\nDTSTART:20240101T090000Z\nDURATION:P260W\nRRULE:FREQ=DAILY;COUNT=0\nRRULE:FREQ=WEEKLY\nEND:VEVENT"))
	f.Add(ics("BEGIN:VEVENT\nUID:x\nDTSTART:20240101T090000Z\nDURATION:PT1H\nRRULE:FREQ=DAILY\nEND:VEVENT\n" +
		"BEGIN:VEVENT\nUID:x\nRECURRENCE-ID;RANGE=THISANDFUTURE:20240105T090000Z\nDTSTART:20240101T150000Z\nDURATION:P3D\nEND:VEVENT\n" +
		"BEGIN:VEVENT\nUID:x\nSEQUENCE:2\nDTSTART:20240101T100000Z\nDURATION:PT1H\nRRULE:FREQ=HOURLY\nEND:VEVENT"))
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
		const maxOccs = 50_000
		occs, _ := Expand(cal, from, to, ExpandOptions{Location: time.UTC, MaxIterations: 100_000, MaxOccurrences: maxOccs})
		if len(occs) > maxOccs {
			t.Fatalf("%d occurrences, over the limit", len(occs))
		}
		for _, o := range occs {
			if o.End.Before(o.Start) || !o.Start.Before(to) || (o.End.After(o.Start) && !o.End.After(from)) {
				t.Fatalf("occurrence outside the window or reversed: %+v", o)
			}
			if o.End.Sub(o.Start) > MaxEventLength+24*time.Hour || o.Start.Year() < MinYear {
				t.Fatalf("occurrence out of bounds: %+v", o)
			}
		}
	})
}
