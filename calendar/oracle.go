package calendar

import (
	"bufio"
	"bytes"
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
	// All lines go into one buffer; an index is sorted instead of strings.
	buf := make([]byte, 0, len(occs)*64)
	spans := make([][2]int, len(occs))
	for i, o := range occs {
		start := len(buf)
		buf = appendOracleTime(buf, o, o.Start)
		buf = append(buf, '\t')
		buf = appendOracleTime(buf, o, o.End)
		buf = append(buf, '\t')
		buf = append(buf, cleanSummary(o.Summary)...)
		buf = append(buf, '\n')
		spans[i] = [2]int{start, len(buf) - 1} // without the newline
	}
	// Byte order of UTF-8 is code point order, like Python's sort.
	sort.Slice(spans, func(i, j int) bool {
		return bytes.Compare(buf[spans[i][0]:spans[i][1]], buf[spans[j][0]:spans[j][1]]) < 0
	})
	bw := bufio.NewWriterSize(w, 64<<10)
	for _, sp := range spans {
		bw.Write(buf[sp[0] : sp[1]+1])
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write occurrences: %w", err)
	}
	return nil
}

func appendOracleTime(b []byte, o Occurrence, t time.Time) []byte {
	switch {
	case o.AllDay:
		return t.AppendFormat(b, "2006-01-02")
	case o.Floating:
		return t.AppendFormat(b, "2006-01-02T15:04:05")
	}
	return t.UTC().AppendFormat(b, "2006-01-02T15:04:05Z")
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
	text, err := readFileString(path)
	if err != nil {
		return nil, fmt.Errorf("calendar %q: %w", path, err)
	}
	cal, err := parseText(path, text)
	if err != nil {
		return nil, err
	}
	occs := Expand(cal, from, to, ExpandOptions{Location: loc})
	if err := WriteOracle(w, occs); err != nil {
		return cal.Problems, fmt.Errorf("calendar %q: %w", path, err)
	}
	return cal.Problems, nil
}

// readFileString reads a whole file into a string without the extra copy
// of os.ReadFile + string().
func readFileString(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var sb strings.Builder
	if st, err := f.Stat(); err == nil && st.Size() > 0 && st.Size() < 1<<31 {
		sb.Grow(int(st.Size()) + 1)
	}
	if _, err := io.Copy(&sb, f); err != nil {
		return "", err
	}
	return sb.String(), nil
}
