package ics

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestDamagedFiles: a truncated or partly garbage calendar keeps what is
// readable and says it is damaged (issue 13: such files were accepted with
// no warning); one with nothing usable is ErrNotICalendar.
func TestDamagedFiles(t *testing.T) {
	head := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
	ev := func(i int) string {
		return fmt.Sprintf("BEGIN:VEVENT\r\nUID:e%d\r\nSUMMARY:E%d\r\nDTSTART:202401%02dT090000Z\r\nDTEND:202401%02dT100000Z\r\nEND:VEVENT\r\n", i, i, i, i)
	}
	full := head + ev(1) + ev(2) + ev(3) + "END:VCALENDAR\r\n"
	rng := rand.New(rand.NewPCG(12, 13))
	garbage := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.UintN(256))
			if i%40 == 39 {
				b[i] = '\n'
			}
		}
		return string(b)
	}
	cases := []struct {
		name     string
		data     string
		events   int    // events read
		problem  string // in one of the problems
		notICal  bool
		noReport bool
	}{
		{"whole", full, 3, "", false, true},
		{"cut between two lines of an event", head + ev(1) + ev(2) + "BEGIN:VEVENT\r\nUID:e3\r\nSUMMARY:E3\r\nDTSTART:20240103T090000Z\r\n", 3, "line 16: the file ends inside this VEVENT (truncated?)", false, false},
		{"cut inside a line", full[:len(full)-60], 2, "truncated?", false, false},
		{"no END:VCALENDAR", head + ev(1) + ev(2), 2, "line 1: END:VCALENDAR missing: the file may be truncated", false, false},
		{"second half garbage", full[:len(full)/2] + garbage(4000), 1, "", false, false},
		{"garbage between events", head + ev(1) + garbage(200) + ev(2) + ev(3) + "END:VCALENDAR\r\n", 3, "the file may be damaged", false, false},
		{"garbage eats a BEGIN", head + ev(1) + "\x01\x02" + ev(2) + ev(3) + "END:VCALENDAR\r\n", 2, "END:VEVENT without its BEGIN", false, false},
		{"binary lines between events", head + ev(1) + "\x00\x00\x00\r\n\xff\xfe\r\n" + ev(2) + "END:VCALENDAR\r\n", 2, "line 10: 2 lines that are not iCalendar text, the first here: the file may be damaged", false, false},
		{"a header, then garbage", head + garbage(3000), 0, "", true, false},
	}
	for _, c := range cases {
		cal, err := Parse("d.ics", []byte(c.data))
		if c.notICal {
			if !errors.Is(err, ErrNotICalendar) {
				t.Errorf("%s: err = %v, want ErrNotICalendar", c.name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if cal.EventCount() != c.events {
			t.Errorf("%s: %d events read, want %d (problems %v)", c.name, cal.EventCount(), c.events, cal.Problems)
		}
		if c.noReport != (len(cal.Problems) == 0) {
			t.Errorf("%s: problems %v", c.name, cal.Problems)
		}
		found := c.problem == ""
		for _, p := range cal.Problems {
			found = found || strings.Contains(p.Error(), c.problem)
		}
		if !found {
			t.Errorf("%s: problems %v, want one containing %q", c.name, cal.Problems, c.problem)
		}
	}
}
