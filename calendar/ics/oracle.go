package ics

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
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
	var ls oracleLines
	for _, o := range occs {
		ls.add(o)
	}
	lines := ls.all()
	sortOracleLines(lines)
	return writeOracleLines(w, lines)
}

// oracleLines collects occurrences formatted as WriteOracle lines. The
// text goes into blocks that are never moved, so lines point into them;
// the lines themselves are kept in pieces of oracleChunk, joined once by
// all (one growing slice would allocate five times its final size).
type oracleLines struct {
	buf    []byte
	chunks [][][]byte // lines, each with its newline
	n      int
}

// oracleChunk is how many lines one piece of oracleLines holds.
const oracleChunk = 4096

// all returns the lines collected, in the order added.
func (ls *oracleLines) all() [][]byte {
	out := make([][]byte, 0, ls.n)
	for _, c := range ls.chunks {
		out = append(out, c...)
	}
	return out
}

// oracleBlock is the size of a block of oracleLines text.
const oracleBlock = 64 << 10

func (ls *oracleLines) add(o Occurrence) {
	if need := 64 + len(o.Summary); cap(ls.buf)-len(ls.buf) < need {
		// A fresh block: appending beyond cap would move the lines.
		ls.buf = make([]byte, 0, max(oracleBlock, need))
	}
	start := len(ls.buf)
	ls.buf = appendOracleTime(ls.buf, o, o.Start)
	ls.buf = append(ls.buf, '\t')
	ls.buf = appendOracleTime(ls.buf, o, o.End)
	ls.buf = append(ls.buf, '\t')
	ls.buf = append(ls.buf, cleanSummary(o.Summary)...)
	ls.buf = append(ls.buf, '\n')
	if k := len(ls.chunks); k == 0 || len(ls.chunks[k-1]) == oracleChunk {
		ls.chunks = append(ls.chunks, make([][]byte, 0, oracleChunk))
	}
	c := &ls.chunks[len(ls.chunks)-1]
	*c = append(*c, ls.buf[start:len(ls.buf):len(ls.buf)])
	ls.n++
}

// compareOracleLines orders lines by code point (the byte order of UTF-8,
// like Python's sort), without their newlines.
func compareOracleLines(a, b []byte) int {
	return bytes.Compare(a[:len(a)-1], b[:len(b)-1])
}

func sortOracleLines(lines [][]byte) {
	slices.SortFunc(lines, compareOracleLines)
}

// writeOracleLines writes lists of sorted lines (ending in newlines) as
// one sorted list.
func writeOracleLines(w io.Writer, lists ...[][]byte) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	for {
		// A merge of a few lists: take the least of their heads.
		best := -1
		for i, l := range lists {
			if len(l) > 0 && (best < 0 || compareOracleLines(l[0], lists[best][0]) < 0) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		bw.Write(lists[best][0])
		lists[best] = lists[best][1:]
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write occurrences: %w", err)
	}
	return nil
}

// appendOracleTime appends t as WriteOracle writes it for o.
func appendOracleTime(b []byte, o Occurrence, t time.Time) []byte {
	layout := "2006-01-02T15:04:05Z"
	switch {
	case o.AllDay:
		layout = "2006-01-02"
	case o.Floating:
		layout = "2006-01-02T15:04:05"
	default:
		t = t.UTC()
	}
	y, m, d := t.Date()
	if y < 0 || y > 9999 {
		return t.AppendFormat(b, layout)
	}
	// What AppendFormat writes, several times faster.
	b = append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10))
	if o.AllDay {
		return b
	}
	hh, mm, ss := t.Clock()
	b = append(b, 'T', byte('0'+hh/10), byte('0'+hh%10), ':', byte('0'+mm/10), byte('0'+mm%10), ':', byte('0'+ss/10), byte('0'+ss%10))
	if !o.Floating {
		b = append(b, 'Z')
	}
	return b
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
// `lull calendar expand` runs. problems lists the events that were skipped
// or not expanded in full (see Expand);
// err is set when the file cannot be read or parsed at all, or is bigger
// than MaxInputBytes (ErrTooLarge).
func ExpandFile(path string, from, to time.Time, loc *time.Location, w io.Writer) (problems []error, err error) {
	text, err := readFileString(path)
	if err != nil {
		return nil, fmt.Errorf("calendar %q: %w", path, err)
	}
	cal, err := parseText(path, text)
	if err != nil {
		return nil, err
	}
	// Each expansion worker formats its own occurrences.
	var ls []oracleLines
	expProblems := expandEach(cal, from, to, ExpandOptions{Location: loc}, sink{
		reset: func() { ls = make([]oracleLines, expandWorkers) },
		add: func(worker, _ int, occs []Occurrence) {
			for _, o := range occs {
				ls[worker].add(o)
			}
		},
	})
	problems = append(slices.Clip(cal.Problems), expProblems...)
	// Each worker's lines are sorted on a goroutine of their own (started
	// and awaited here), then merged as they are written.
	lists := make([][][]byte, len(ls))
	var wg sync.WaitGroup
	for i := range ls {
		lists[i] = ls[i].all()
		wg.Go(func() { sortOracleLines(lists[i]) })
	}
	wg.Wait()
	if err := writeOracleLines(w, lists...); err != nil {
		return problems, fmt.Errorf("calendar %q: %w", path, err)
	}
	return problems, nil
}
