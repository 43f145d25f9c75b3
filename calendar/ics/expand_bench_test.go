package ics

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// synthCalendar generates the shared synthetic calendar (20,000 events,
// 5 years) once per benchmark run and returns its path, or skips when the
// generator or its Python dependency is missing.
func synthCalendar(b *testing.B) string {
	b.Helper()
	gen := filepath.Join("..", "..", "..", "shared", "bench", "gen_synthetic.py")
	if _, err := os.Stat(gen); err != nil {
		b.Skipf("generator %s absent", gen)
	}
	out := filepath.Join(b.TempDir(), "synth.ics")
	if msg, err := exec.Command("/usr/bin/python3", gen, out).CombinedOutput(); err != nil {
		b.Skipf("gen_synthetic.py failed (apt-get install -y python3-dateutil): %v: %s", err, msg)
	}
	return out
}

// BenchmarkExpandYear parses the synthetic calendar and expands 2023, as
// `lull calendar expand` does (output written to io.Discard).
func BenchmarkExpandYear(b *testing.B) {
	data, err := os.ReadFile(synthCalendar(b))
	if err != nil {
		b.Fatal(err)
	}
	from := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(1, 0, 0)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		cal, err := Parse("synth.ics", data)
		if err != nil {
			b.Fatal(err)
		}
		occs := expandOK(b, cal, from, to, ExpandOptions{Location: time.UTC})
		if len(occs) == 0 {
			b.Fatal("no occurrences")
		}
		if err := WriteOracle(io.Discard, occs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExpandFile is `lull calendar expand` over 2023 of the synthetic
// calendar: ExpandFile reads, parses, expands and writes (to io.Discard).
func BenchmarkExpandFile(b *testing.B) {
	path := synthCalendar(b)
	from := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(1, 0, 0)
	b.ReportAllocs()
	for b.Loop() {
		problems, err := ExpandFile(path, from, to, time.UTC, io.Discard)
		if err != nil || len(problems) > 0 {
			b.Fatal(err, problems)
		}
	}
}
