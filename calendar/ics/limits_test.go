package ics

import (
	"errors"
	"fmt"
	"io"
	"math/big"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// secondly20 is the calendar of issue 13 item 8: 20 events repeating every
// second, 2.4 KB that expand to 6 billion instances over ten years.
var secondly20 = filepath.Join("testdata", "limits", "secondly-20.ics")

// TestExpansionIsCapped: one expansion of a calendar stops at its limits
// (occurrences and rule repetitions for the whole calendar, not only per
// event), names the capped events as problems, keeps what it expanded, and
// gives the same result on every run although it expands on several
// goroutines.
func TestExpansionIsCapped(t *testing.T) {
	from, to := mustTime(t, "2020-01-01T00:00:00Z"), mustTime(t, "2030-01-01T00:00:00Z")
	var first string
	for run := range 2 {
		var out strings.Builder
		problems, err := ExpandFile(secondly20, from, to, time.UTC, &out)
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(out.String(), "\n"); n != DefaultMaxOccurrences {
			t.Fatalf("%d occurrences, want the cap %d", n, DefaultMaxOccurrences)
		}
		if len(problems) != 20 {
			t.Fatalf("%d problems, want one per event: %v", len(problems), problems)
		}
		for i, p := range problems {
			if !errors.Is(p, ErrCapped) || !strings.Contains(p.Error(), fmt.Sprintf(`event "sec%d@x"`, i)) || !strings.Contains(p.Error(), "500,000") {
				t.Errorf("problem %d = %v", i, p)
			}
		}
		if run == 0 {
			first = out.String()
		} else if out.String() != first {
			t.Fatal("a capped expansion differs from run to run")
		}
	}
	// File order decides which events reach the cap: the first event
	// takes all 500,000 occurrences, from the start of the window.
	if !strings.HasPrefix(first, "2020-01-01T00:00:00Z\t2020-01-01T00:00:01Z\ts\n2020-01-01T00:00:01Z\t2020-01-01T00:00:02Z\ts\n") ||
		!strings.HasSuffix(first, "2020-01-06T18:53:19Z\t2020-01-06T18:53:20Z\ts\n") {
		t.Errorf("the capped output does not start at the window: %.80q", first)
	}

	// The limit on rule repetitions: a window far from DTSTART makes the
	// rules walk without producing anything.
	cal := mustParseFile(t, secondly20)
	occs, problems := Expand(cal, mustTime(t, "2029-01-01T00:00:00Z"), mustTime(t, "2029-01-02T00:00:00Z"), ExpandOptions{MaxWork: 3000, MaxIterations: 1000})
	if len(occs) != 0 || len(problems) != 20 || !strings.Contains(problems[0].Error(), "1,000 times") || !strings.Contains(problems[3].Error(), "3,000 rule repetitions") {
		t.Errorf("%d occurrences, problems %v", len(occs), problems)
	}
	// Many capped events are summed up after the first few.
	occs, problems = Expand(cal, from, to, ExpandOptions{MaxOccurrences: 10, MaxWork: 1 << 30})
	if len(occs) != 10 || len(problems) != 20 {
		t.Errorf("%d occurrences, %d problems", len(occs), len(problems))
	}
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\n")
	for i := range 3 * maxCappedReports {
		fmt.Fprintf(&b, "BEGIN:VEVENT\nUID:e%d\nDTSTART:20200101T000000Z\nRRULE:FREQ=MINUTELY\nEND:VEVENT\n", i)
	}
	b.WriteString("END:VCALENDAR\n")
	cal, err := Parse("many.ics", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	_, problems = Expand(cal, from, to, ExpandOptions{MaxOccurrences: 100})
	if len(problems) != maxCappedReports+1 || !strings.Contains(problems[maxCappedReports].Error(), fmt.Sprintf("%d more events", 2*maxCappedReports)) {
		t.Errorf("problems %v", problems)
	}
}

func mustParseFile(t testing.TB, path string) *Calendar {
	t.Helper()
	data, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := Parse(path, data)
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

// TestExpansionMemoryIsBounded: `lull calendar expand` over ten years of
// the 20 FREQ=SECONDLY events allocates well under 100 MB in all (it used
// to peak at 1.96 GB), so its heap can never hold more.
func TestExpansionMemoryIsBounded(t *testing.T) {
	from, to := mustTime(t, "2020-01-01T00:00:00Z"), mustTime(t, "2030-01-01T00:00:00Z")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if _, err := ExpandFile(secondly20, from, to, time.UTC, io.Discard); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 100<<20 {
		t.Errorf("expanding allocated %s in all, want under 100 MB", SizeText(int64(alloc)))
	} else {
		t.Logf("expanding allocated %s in all", SizeText(int64(alloc)))
	}
}

// BenchmarkExpandCapped is the hostile calendar of issue 13 item 8 over
// ten years, as `lull calendar expand` runs it.
func BenchmarkExpandCapped(b *testing.B) {
	from := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(10, 0, 0)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ExpandFile(secondly20, from, to, time.UTC, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// durationPart is one number and unit of a DURATION, and durationForm a
// well-formed one, for FuzzDuration's independent reading.
var (
	durationPart = regexp.MustCompile(`([0-9]+)([WDHMS])`)
	durationForm = regexp.MustCompile(`^[+-]?P(([0-9]+[WD])*)(T([0-9]+[WHMS])*)?$`)
)

// FuzzDuration: parseDuration never panics or overflows; what it accepts is
// within MaxEventLength and equals the sum of its parts computed without
// overflow (math/big); a well-formed value it rejects is beyond the bound.
func FuzzDuration(f *testing.F) {
	for _, s := range []string{"PT1H", "-P16000W", "P16000W", "P1W2DT3H4M5S", "PT99999999999999999999S", "-PT1W1D2H3M4S", "P0D", "P", "PT", "P1H"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseDuration(s)
		if err == nil && (d > MaxEventLength || d < -MaxEventLength) {
			t.Fatalf("%q: %v is beyond the bound", s, d)
		}
		up := strings.ToUpper(strings.TrimSpace(s))
		if !durationForm.MatchString(up) || !durationPart.MatchString(up) {
			return
		}
		sum := new(big.Int)
		for _, m := range durationPart.FindAllStringSubmatch(up, -1) {
			n, _ := new(big.Int).SetString(m[1], 10)
			unit := map[string]time.Duration{"W": 7 * 24 * time.Hour, "D": 24 * time.Hour, "H": time.Hour, "M": time.Minute, "S": time.Second}[m[2]]
			sum.Add(sum, n.Mul(n, big.NewInt(int64(unit))))
		}
		if strings.HasPrefix(up, "-") {
			sum.Neg(sum)
		}
		within := sum.CmpAbs(big.NewInt(int64(MaxEventLength))) <= 0
		switch {
		case err == nil && (!within || sum.Int64() != int64(d)):
			t.Fatalf("%q: %v, want %v", s, d, sum)
		case err != nil && within:
			t.Fatalf("%q: rejected (%v) though %v is within the bound", s, err, sum)
		}
	})
}
