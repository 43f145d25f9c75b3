package calendar

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

// WriteOracle writes occs in the reference expanders' format
// (../shared/oracle/README.md), so Lull's expansion can be diffed with
// software nobody here wrote: one line per occurrence,
// "start<TAB>end<TAB>summary", lines sorted by code point; zoned times in
// UTC as 2006-01-02T15:04:05Z, floating times without suffix, all-day
// dates as 2006-01-02. Runs of tabs, CRs and LFs in a summary become one
// space.
func WriteOracle(w io.Writer, occs []Occurrence) error {
	lines := make([]string, len(occs))
	for i, o := range occs {
		lines[i] = oracleLine(o)
	}
	sort.Strings(lines) // byte order of UTF-8 is code point order, like Python's sort
	bw := bufio.NewWriter(w)
	for _, l := range lines {
		bw.WriteString(l)
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write occurrences: %w", err)
	}
	return nil
}

func oracleLine(o Occurrence) string {
	var b strings.Builder
	b.Grow(48 + len(o.Summary))
	b.WriteString(oracleTime(o, o.Start))
	b.WriteByte('\t')
	b.WriteString(oracleTime(o, o.End))
	b.WriteByte('\t')
	b.WriteString(cleanSummary(o.Summary))
	return b.String()
}

func oracleTime(o Occurrence, t time.Time) string {
	switch {
	case o.AllDay:
		return t.Format("2006-01-02")
	case o.Floating:
		return t.Format("2006-01-02T15:04:05")
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// cleanSummary replaces each run of tab, CR and LF with one space.
func cleanSummary(s string) string {
	if !strings.ContainsAny(s, "\t\r\n") {
		return s
	}
	var b strings.Builder
	inRun := false
	for _, r := range s {
		if r == '\t' || r == '\r' || r == '\n' {
			if !inRun {
				b.WriteByte(' ')
			}
			inRun = true
			continue
		}
		inRun = false
		b.WriteRune(r)
	}
	return b.String()
}

// ExpandFile reads the iCalendar file at path, expands it over [from, to)
// with floating times and dates in loc (nil: UTC) and writes the
// occurrences to w in the reference format (WriteOracle). It is what
// `lull calendar expand` runs. problems lists the events that were skipped;
// err is set when the file cannot be read or parsed at all.
func ExpandFile(path string, from, to time.Time, loc *time.Location, w io.Writer) (problems []error, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("calendar %q: %w", path, err)
	}
	cal, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	occs := Expand(cal, from, to, ExpandOptions{Location: loc})
	if err := WriteOracle(w, occs); err != nil {
		return cal.Problems, fmt.Errorf("calendar %q: %w", path, err)
	}
	return cal.Problems, nil
}
