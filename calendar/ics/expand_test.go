package ics

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// ics wraps VEVENT/VTIMEZONE text in a VCALENDAR with CRLF line ends.
func ics(body string, calProps ...string) []byte {
	s := "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n" + strings.Join(calProps, "\n")
	if len(calProps) > 0 {
		s += "\n"
	}
	s += strings.TrimSpace(body) + "\nEND:VCALENDAR\n"
	return []byte(strings.ReplaceAll(s, "\n", "\r\n"))
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// expandOK is Expand for a calendar no limit should stop: a problem fails
// the test.
func expandOK(t testing.TB, cal *Calendar, from, to time.Time, opt ExpandOptions) []Occurrence {
	t.Helper()
	occs, problems := Expand(cal, from, to, opt)
	if len(problems) > 0 {
		t.Fatalf("expansion problems: %v", problems)
	}
	return occs
}

func oracleOf(t *testing.T, data []byte, from, to string, opt ExpandOptions) (string, *Calendar) {
	t.Helper()
	cal, err := Parse("test.ics", data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	var buf bytes.Buffer
	if err := WriteOracle(&buf, expandOK(t, cal, mustTime(t, from), mustTime(t, to), opt)); err != nil {
		t.Fatal(err)
	}
	return buf.String(), cal
}

const berlinVTZ = `BEGIN:VTIMEZONE
TZID:My Custom Zone
BEGIN:STANDARD
DTSTART:16011028T030000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010325T020000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE`

// TestExpandWorkarounds covers each hole of go-ical / rrule-go that Lull
// works around (TESTING.md); every case fails without its fix.
func TestExpandWorkarounds(t *testing.T) {
	cases := []struct {
		name     string
		data     []byte
		from, to string
		opt      ExpandOptions
		want     string
	}{
		{
			name: "RDATE date-time list, DATE and PERIOD (go-ical ignores RDATE)",
			data: ics(`BEGIN:VEVENT
UID:r1
SUMMARY:R
DTSTART:20240101T090000Z
DTEND:20240101T100000Z
RDATE:20240105T090000Z,20240106T090000Z
RDATE;VALUE=PERIOD:20240110T120000Z/PT30M
END:VEVENT
BEGIN:VEVENT
UID:r2
SUMMARY:D
DTSTART;VALUE=DATE:20240102
RDATE;VALUE=DATE:20240103
END:VEVENT`),
			from: "2024-01-01T00:00:00Z", to: "2024-02-01T00:00:00Z",
			want: "2024-01-01T09:00:00Z\t2024-01-01T10:00:00Z\tR\n" +
				"2024-01-02\t2024-01-03\tD\n" +
				"2024-01-03\t2024-01-04\tD\n" +
				"2024-01-05T09:00:00Z\t2024-01-05T10:00:00Z\tR\n" +
				"2024-01-06T09:00:00Z\t2024-01-06T10:00:00Z\tR\n" +
				"2024-01-10T12:00:00Z\t2024-01-10T12:30:00Z\tR\n",
		},
		{
			name: "comma-separated and repeated EXDATE (go-ical: extra text), date-only EXDATE on timed series",
			data: ics(`BEGIN:VEVENT
UID:e1
SUMMARY:E
DTSTART;TZID=Europe/Berlin:20240101T090000
DTEND;TZID=Europe/Berlin:20240101T093000
RRULE:FREQ=DAILY;COUNT=6
EXDATE;TZID=Europe/Berlin:20240102T090000,20240103T090000
EXDATE;TZID=Europe/Berlin:20240104T090000
EXDATE;VALUE=DATE:20240105
END:VEVENT`),
			from: "2024-01-01T00:00:00Z", to: "2024-02-01T00:00:00Z",
			want: "2024-01-01T08:00:00Z\t2024-01-01T08:30:00Z\tE\n" +
				"2024-01-06T08:00:00Z\t2024-01-06T08:30:00Z\tE\n",
		},
		{
			name: "Windows zone name via CLDR, IANA name in the wrong case",
			data: ics(`BEGIN:VEVENT
UID:w1
SUMMARY:W
DTSTART;TZID=W. Europe Standard Time:20240701T090000
DTEND;TZID=W. Europe Standard Time:20240701T100000
END:VEVENT
BEGIN:VEVENT
UID:w2
SUMMARY:L
DTSTART;TZID=america/new_york:20240701T090000
DTEND;TZID=america/new_york:20240701T100000
END:VEVENT`),
			from: "2024-07-01T00:00:00Z", to: "2024-07-02T00:00:00Z",
			want: "2024-07-01T07:00:00Z\t2024-07-01T08:00:00Z\tW\n" +
				"2024-07-01T13:00:00Z\t2024-07-01T14:00:00Z\tL\n",
		},
		{
			name: "the file's VTIMEZONE for an unknown TZID, across DST",
			data: ics(berlinVTZ + `
BEGIN:VEVENT
UID:v1
SUMMARY:V
DTSTART;TZID=My Custom Zone:20240325T090000
DTEND;TZID=My Custom Zone:20240325T100000
RRULE:FREQ=WEEKLY;COUNT=2
EXDATE;TZID=My Custom Zone:20240318T090000
END:VEVENT
BEGIN:VEVENT
UID:v0
SUMMARY:B
DTSTART;TZID=My Custom Zone:20240318T090000
DURATION:PT1H
END:VEVENT`),
			from: "2024-03-01T00:00:00Z", to: "2024-04-30T00:00:00Z",
			want: "2024-03-18T08:00:00Z\t2024-03-18T09:00:00Z\tB\n" +
				"2024-03-25T08:00:00Z\t2024-03-25T09:00:00Z\tV\n" + // CET until 31 March
				"2024-04-01T07:00:00Z\t2024-04-01T08:00:00Z\tV\n",
		},
		{
			name: "X-WR-TIMEZONE places floating times",
			data: ics(`BEGIN:VEVENT
UID:x1
SUMMARY:X
DTSTART:20240701T200000
DTEND:20240701T203000
END:VEVENT`, "X-WR-TIMEZONE:America/New_York"),
			from: "2024-07-01T00:00:00Z", to: "2024-07-03T00:00:00Z",
			want: "2024-07-02T00:00:00Z\t2024-07-02T00:30:00Z\tX\n",
		},
		{
			name: "RECURRENCE-ID: moved, retitled, cancelled, moved out of and into the window",
			data: ics(`BEGIN:VEVENT
UID:o1
SUMMARY:Weekly
DTSTART:20240101T090000Z
DTEND:20240101T100000Z
RRULE:FREQ=WEEKLY;COUNT=5
END:VEVENT
BEGIN:VEVENT
UID:o1
RECURRENCE-ID:20240108T090000Z
SUMMARY:Moved
DTSTART:20240108T140000Z
DTEND:20240108T150000Z
END:VEVENT
BEGIN:VEVENT
UID:o1
RECURRENCE-ID:20240115T090000Z
SUMMARY:Gone
STATUS:CANCELLED
DTSTART:20240115T090000Z
DTEND:20240115T100000Z
END:VEVENT
BEGIN:VEVENT
UID:o1
RECURRENCE-ID:20240122T090000Z
SUMMARY:Away
DTSTART:20240301T090000Z
DTEND:20240301T100000Z
END:VEVENT
BEGIN:VEVENT
UID:o1
RECURRENCE-ID:20240205T090000Z
SUMMARY:Into
DTSTART:20240129T120000Z
DTEND:20240129T130000Z
END:VEVENT`),
			from: "2024-01-01T00:00:00Z", to: "2024-02-01T00:00:00Z",
			want: "2024-01-01T09:00:00Z\t2024-01-01T10:00:00Z\tWeekly\n" +
				"2024-01-08T14:00:00Z\t2024-01-08T15:00:00Z\tMoved\n" +
				"2024-01-15T09:00:00Z\t2024-01-15T10:00:00Z\tGone\n" +
				"2024-01-29T09:00:00Z\t2024-01-29T10:00:00Z\tWeekly\n" +
				"2024-01-29T12:00:00Z\t2024-01-29T13:00:00Z\tInto\n",
		},
		{
			name: "RANGE=THISANDFUTURE shifts and retitles the rest of the series",
			data: ics(`BEGIN:VEVENT
UID:f1
SUMMARY:Old
DTSTART:20240101T090000Z
DTEND:20240101T100000Z
RRULE:FREQ=DAILY;COUNT=4
END:VEVENT
BEGIN:VEVENT
UID:f1
RECURRENCE-ID;RANGE=THISANDFUTURE:20240103T090000Z
SUMMARY:New
DTSTART:20240103T110000Z
DTEND:20240103T113000Z
END:VEVENT`),
			from: "2024-01-01T00:00:00Z", to: "2024-02-01T00:00:00Z",
			want: "2024-01-01T09:00:00Z\t2024-01-01T10:00:00Z\tOld\n" +
				"2024-01-02T09:00:00Z\t2024-01-02T10:00:00Z\tOld\n" +
				"2024-01-03T11:00:00Z\t2024-01-03T11:30:00Z\tNew\n" +
				"2024-01-04T11:00:00Z\t2024-01-04T11:30:00Z\tNew\n",
		},
		{
			name: "all-day without DTEND is one calendar day on a DST day (not 24 h)",
			data: ics(`BEGIN:VEVENT
UID:a1
SUMMARY:Spring
DTSTART;VALUE=DATE:20240331
END:VEVENT`),
			from: "2024-03-30T00:00:00Z", to: "2024-04-02T00:00:00Z",
			opt:  ExpandOptions{Location: mustLoc(t, "Europe/Berlin")},
			want: "2024-03-31\t2024-04-01\tSpring\n",
		},
		{
			name: "UNTIL equal to an instance keeps it; DATE-TIME in a DST gap moves forward",
			data: ics(`BEGIN:VEVENT
UID:u1
SUMMARY:U
DTSTART:20240101T090000Z
DURATION:PT15M
RRULE:FREQ=DAILY;UNTIL=20240103T090000Z
END:VEVENT
BEGIN:VEVENT
UID:g1
SUMMARY:Gap
DTSTART;TZID=Europe/Berlin:20240331T023000
DTEND;TZID=Europe/Berlin:20240331T033000
END:VEVENT`),
			from: "2024-01-01T00:00:00Z", to: "2024-05-01T00:00:00Z",
			want: "2024-01-01T09:00:00Z\t2024-01-01T09:15:00Z\tU\n" +
				"2024-01-02T09:00:00Z\t2024-01-02T09:15:00Z\tU\n" +
				"2024-01-03T09:00:00Z\t2024-01-03T09:15:00Z\tU\n" +
				"2024-03-31T01:30:00Z\t2024-03-31T01:30:00Z\tGap\n",
		},
		{
			name: "multi-day DATE event and floating time in the user's zone",
			data: ics(`BEGIN:VEVENT
UID:m1
SUMMARY:Trip
DTSTART;VALUE=DATE:20240110
DTEND;VALUE=DATE:20240113
END:VEVENT
BEGIN:VEVENT
UID:m2
SUMMARY:Float
DTSTART:20240111T090000
DTEND:20240111T100000
END:VEVENT`),
			from: "2024-01-11T00:00:00Z", to: "2024-01-12T00:00:00Z",
			want: "2024-01-10\t2024-01-13\tTrip\n" +
				"2024-01-11T09:00:00\t2024-01-11T10:00:00\tFloat\n",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, cal := oracleOf(t, c.data, c.from, c.to, c.opt)
			if len(cal.Problems) > 0 {
				t.Errorf("problems: %v", cal.Problems)
			}
			if got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestExpandOpenEndedRuleIsBounded: an endless rule is iterated only up to
// the window (rrule.Set.All would run to year 9999).
func TestExpandOpenEndedRuleIsBounded(t *testing.T) {
	data := ics(`BEGIN:VEVENT
UID:d
SUMMARY:Daily
DTSTART:20000101T090000Z
DTEND:20000101T091500Z
RRULE:FREQ=MINUTELY;INTERVAL=15
END:VEVENT`)
	cal, err := Parse("t", data)
	if err != nil {
		t.Fatal(err)
	}
	occs := expandOK(t, cal, mustTime(t, "2000-01-02T00:00:00Z"), mustTime(t, "2000-01-03T00:00:00Z"), ExpandOptions{})
	if len(occs) != 96 {
		t.Fatalf("got %d occurrences, want 96", len(occs))
	}
	occs, problems := Expand(cal, mustTime(t, "2001-01-01T00:00:00Z"), mustTime(t, "2001-01-02T00:00:00Z"), ExpandOptions{MaxIterations: 1000})
	if len(occs) != 0 {
		t.Fatalf("iteration cap ignored: %d occurrences", len(occs))
	}
	if len(problems) != 1 || !errors.Is(problems[0], ErrCapped) || !strings.Contains(problems[0].Error(), `event "d"`) {
		t.Fatalf("the capped series is not reported: %v", problems)
	}
}

// TestParseBadInput: clear errors naming the source and line; one bad event
// never hides the others; encodings are repaired.
func TestParseBadInput(t *testing.T) {
	if _, err := Parse("empty.ics", nil); !errors.Is(err, ErrEmpty) || !strings.Contains(err.Error(), "empty.ics") {
		t.Errorf("empty: %v", err)
	}
	if _, err := Parse("junk.ics", []byte("<html>404</html>\n")); !errors.Is(err, ErrNotICalendar) || !strings.Contains(err.Error(), "junk.ics") {
		t.Errorf("garbage: %v", err)
	}
	data := []byte("\xef\xbb\xbfBEGIN:VCALENDAR\rBEGIN:VEVENT\rUID:good\rSUMMARY:Caf\xe9 \x80\rDTSTART:20240101T090000Z\rDTEND:20240101T10\r 0000Z\rEND:VEVENT\r" +
		"BEGIN:VEVENT\rUID:bad\rDTSTART:20240101T090000Z\rRRULE:FREQ=SOMETIMES\rEND:VEVENT\r" +
		"BEGIN:VEVENT\rUID:worse\rthis line has no colon\rEND:VEVENT\rEND:VCALENDAR\r")
	cal, err := Parse("mixed.ics", data)
	if err != nil {
		t.Fatal(err)
	}
	occs := expandOK(t, cal, mustTime(t, "2024-01-01T00:00:00Z"), mustTime(t, "2024-01-02T00:00:00Z"), ExpandOptions{})
	if len(occs) != 1 || occs[0].Summary != "Café €" || !occs[0].End.Equal(mustTime(t, "2024-01-01T10:00:00Z")) {
		t.Fatalf("good event: %+v", occs)
	}
	if len(cal.Problems) != 2 {
		t.Fatalf("problems: %v", cal.Problems)
	}
	for i, want := range []string{`line 9: event "bad": line 12: RRULE`, `line 14: event "worse": line 16: malformed`} {
		p := cal.Problems[i]
		if !errors.Is(p, ErrBadEvent) || !strings.Contains(p.Error(), want) || !strings.Contains(p.Error(), "mixed.ics") {
			t.Errorf("problem %d = %v, want it to contain %q", i, p, want)
		}
	}
}

// TestWriteOracleFormat: sorting by code point and summary cleaning match
// the reference scripts byte for byte.
func TestWriteOracleFormat(t *testing.T) {
	s := mustTime(t, "2024-01-01T09:00:00Z")
	occs := []Occurrence{
		{Summary: "b\t\r\nline", Start: s, End: s.Add(time.Hour)},
		{Summary: "a", Start: s, End: s.Add(time.Hour)},
		{Summary: "day", Start: s.Truncate(24 * time.Hour), End: s.Truncate(24 * time.Hour).Add(24 * time.Hour), AllDay: true},
		{Summary: "float", Start: s, End: s, Floating: true},
	}
	var buf bytes.Buffer
	if err := WriteOracle(&buf, occs); err != nil {
		t.Fatal(err)
	}
	want := "2024-01-01\t2024-01-02\tday\n" +
		"2024-01-01T09:00:00\t2024-01-01T09:00:00\tfloat\n" +
		"2024-01-01T09:00:00Z\t2024-01-01T10:00:00Z\ta\n" +
		"2024-01-01T09:00:00Z\t2024-01-01T10:00:00Z\tb line\n"
	if buf.String() != want {
		t.Errorf("got\n%q\nwant\n%q", buf.String(), want)
	}
}

// TestAllDayEndIsLocalMidnightOnDSTDay: without DTEND an all-day event ends
// at the next local midnight, 23 h later on the spring-forward day (go-ical
// uses start + 24 h, which would eat an hour of the next day).
func TestAllDayEndIsLocalMidnightOnDSTDay(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	cal, err := Parse("t", ics("BEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE:20240331\nX-MICROSOFT-CDO-BUSYSTATUS:BUSY\nEND:VEVENT"))
	if err != nil {
		t.Fatal(err)
	}
	occs := expandOK(t, cal, mustTime(t, "2024-03-30T00:00:00Z"), mustTime(t, "2024-04-02T00:00:00Z"), ExpandOptions{Location: berlin})
	if len(occs) != 1 {
		t.Fatalf("occurrences: %v", occs)
	}
	o := occs[0]
	if want := time.Date(2024, 4, 1, 0, 0, 0, 0, berlin); !o.End.Equal(want) || o.End.Sub(o.Start) != 23*time.Hour {
		t.Errorf("end = %v (length %v), want %v (23h)", o.End, o.End.Sub(o.Start), want)
	}
}

// TestUnsatisfiableRulesAreProblems: rules rrule-go would search forever
// are reported at parse time instead of hanging expansion.
func TestUnsatisfiableRulesAreProblems(t *testing.T) {
	for _, rule := range []string{
		"FREQ=SECONDLY;INTERVAL=2;BYSECOND=1",
		"FREQ=MINUTELY;INTERVAL=2;BYMINUTE=1,3",
		"FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
		"FREQ=HOURLY;BYSETPOS=2",
	} {
		cal, err := Parse("t", ics("BEGIN:VEVENT\nUID:h\nDTSTART:20240101T000000Z\nRRULE:"+rule+"\nEND:VEVENT"))
		if err != nil {
			t.Fatal(err)
		}
		if len(cal.Problems) != 1 || !strings.Contains(cal.Problems[0].Error(), "RRULE") {
			t.Errorf("%s: problems %v", rule, cal.Problems)
		}
	}
	// A reachable sub-daily rule still expands.
	cal, _ := Parse("t", ics("BEGIN:VEVENT\nUID:h\nDTSTART:20240101T000000Z\nRRULE:FREQ=MINUTELY;INTERVAL=30;BYMINUTE=30\nEND:VEVENT"))
	occs := expandOK(t, cal, mustTime(t, "2024-01-01T00:00:00Z"), mustTime(t, "2024-01-01T03:00:00Z"), ExpandOptions{})
	if len(cal.Problems) != 0 || len(occs) != 4 { // DTSTART + 00:30, 01:30, 02:30
		t.Errorf("reachable rule: %d occurrences, problems %v", len(occs), cal.Problems)
	}
}

// TestRuleStartJumpMatchesFullIteration: jumping a DAILY/WEEKLY rule's
// start to the window gives exactly the instances a walk from DTSTART
// gives (checked against rrule-go's own Between over the full history).
func TestRuleStartJumpMatchesFullIteration(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	rules := []string{
		"FREQ=DAILY", "FREQ=DAILY;INTERVAL=3", "FREQ=DAILY;INTERVAL=5;BYMONTH=3,10",
		"FREQ=WEEKLY", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", "FREQ=WEEKLY;INTERVAL=3;BYDAY=SU;WKST=SU",
		"FREQ=DAILY;UNTIL=20240320T000000Z",
	}
	from := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2024, 4, 15, 0, 0, 0, 0, time.UTC)
	for _, rule := range rules {
		data := ics("BEGIN:VEVENT\nUID:j\nDTSTART;TZID=Europe/Berlin:20010105T023000\nDURATION:PT1H\nRRULE:" + rule + "\nEND:VEVENT")
		cal, err := Parse("t", data)
		if err != nil || len(cal.Problems) > 0 {
			t.Fatalf("%s: %v %v", rule, err, cal.Problems)
		}
		got := map[int64]bool{}
		for _, o := range expandOK(t, cal, from, to, ExpandOptions{}) {
			got[o.Start.Unix()] = true
		}
		spec, _ := parseRule(rule)
		r, err := spec.build(time.Date(2001, 1, 5, 2, 30, 0, 0, berlin))
		if err != nil {
			t.Fatal(err)
		}
		want := r.Between(from.Add(-time.Hour), to, false)
		n := 0
		for _, w := range want {
			if w.Add(time.Hour).After(from) && w.Before(to) {
				n++
				if !got[w.Unix()] {
					t.Errorf("%s: missing %v", rule, w)
				}
			}
		}
		if n != len(got) || n == 0 {
			t.Errorf("%s: got %d instances, want %d", rule, len(got), n)
		}
	}
}

// TestGoICalPanicIsAProblem: go-ical panics on a character after a quoted
// parameter value; Lull reports that event and keeps the others.
func TestGoICalPanicIsAProblem(t *testing.T) {
	cal, err := Parse("t", ics(`BEGIN:VEVENT
UID:boom
DTSTART;TZID="Europe/Berlin"x:20240101T090000
END:VEVENT
BEGIN:VEVENT
UID:fine
SUMMARY:fine
DTSTART;TZID="Europe/Berlin":20240101T090000
DURATION:PT1H
END:VEVENT`))
	if err != nil {
		t.Fatal(err)
	}
	if len(cal.Problems) != 1 || !strings.Contains(cal.Problems[0].Error(), `"boom"`) {
		t.Fatalf("problems: %v", cal.Problems)
	}
	occs := expandOK(t, cal, mustTime(t, "2024-01-01T00:00:00Z"), mustTime(t, "2024-01-02T00:00:00Z"), ExpandOptions{})
	if len(occs) != 1 || !occs[0].Start.Equal(mustTime(t, "2024-01-01T08:00:00Z")) {
		t.Fatalf("occurrences: %+v", occs)
	}
}

// TestRuleParts: FREQ and BYxxx parts, COUNT and UNTIL (RFC 5545 3.8.5.3
// style examples, DTSTART on the first instance).
func TestRuleParts(t *testing.T) {
	cases := []struct {
		dtstart, rule string
		want          []string
	}{
		{"20240126T090000Z", "FREQ=MONTHLY;BYDAY=-1FR;COUNT=3", []string{"2024-01-26T09", "2024-02-23T09", "2024-03-29T09"}},
		{"20240131T090000Z", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3", []string{"2024-01-31T09", "2024-02-29T09", "2024-03-29T09"}},
		{"20240513T090000Z", "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO;COUNT=2", []string{"2024-05-13T09", "2025-05-12T09"}},
		{"20240409T090000Z", "FREQ=YEARLY;BYYEARDAY=100;COUNT=2", []string{"2024-04-09T09", "2025-04-10T09"}},
		{"20240229T090000Z", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=2", []string{"2024-02-29T09", "2028-02-29T09"}},
		{"20240101T090000Z", "FREQ=HOURLY;INTERVAL=3;COUNT=3", []string{"2024-01-01T09", "2024-01-01T12", "2024-01-01T15"}},
		{"20240101T090000Z", "FREQ=MINUTELY;INTERVAL=30;BYHOUR=9,10;COUNT=4", []string{"2024-01-01T09", "2024-01-01T09", "2024-01-01T10", "2024-01-01T10"}},
		{"20240101T090000Z", "FREQ=SECONDLY;INTERVAL=1800;COUNT=2", []string{"2024-01-01T09", "2024-01-01T09"}},
		{"20240101T090000Z", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;UNTIL=20240117T090000Z", []string{"2024-01-01T09", "2024-01-03T09", "2024-01-15T09", "2024-01-17T09"}},
		{"20240105T090000Z", "FREQ=DAILY;BYMONTHDAY=5,-1;COUNT=3", []string{"2024-01-05T09", "2024-01-31T09", "2024-02-05T09"}},
		{"20240101T090000Z", "FREQ=YEARLY;BYMONTH=1,7;BYDAY=1MO;COUNT=3", []string{"2024-01-01T09", "2024-07-01T09", "2025-01-06T09"}},
		{"20240107T090000Z", "FREQ=WEEKLY;BYDAY=SU,TU;WKST=SU;INTERVAL=2;COUNT=3", []string{"2024-01-07T09", "2024-01-09T09", "2024-01-21T09"}},
	}
	for _, c := range cases {
		cal, err := Parse("t", ics("BEGIN:VEVENT\nUID:r\nDTSTART:"+c.dtstart+"\nRRULE:"+c.rule+"\nEND:VEVENT"))
		if err != nil || len(cal.Problems) > 0 {
			t.Fatalf("%s: %v %v", c.rule, err, cal.Problems)
		}
		var got []string
		occs := expandOK(t, cal, mustTime(t, "2024-01-01T00:00:00Z"), mustTime(t, "2030-01-01T00:00:00Z"), ExpandOptions{})
		var buf bytes.Buffer
		if err := WriteOracle(&buf, occs); err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
			got = append(got, l[:13])
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("%s: got %v, want %v", c.rule, got, c.want)
		}
	}
}

// TestParseManyEventsConcurrently: calendars bigger than one parse batch
// are read on several goroutines; events and problems keep file order and
// zones resolve consistently (run with -race).
func TestParseManyEventsConcurrently(t *testing.T) {
	var b strings.Builder
	zones := []string{"Europe/Berlin", "W. Europe Standard Time", "america/new_york", `"Asia/Tokyo"`}
	const n = 4*parseBatch + 7 // several parse batches and expansion chunks
	for i := range n {
		fmt.Fprintf(&b, "BEGIN:VEVENT\nUID:e%d\nSUMMARY:%d\nDESCRIPTION:long text %d\n", i, i, i)
		if i%500 == 250 {
			b.WriteString("DTSTART;TZID=Europe/Berlin:2024XX01T090000\n") // a bad one now and then
		} else {
			fmt.Fprintf(&b, "DTSTART;TZID=%s:20240102T%02d0000\nDURATION:PT30M\n", zones[i%len(zones)], i%20)
		}
		b.WriteString("END:VEVENT\n")
	}
	cal, err := Parse("big.ics", ics(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	bad := (n + 250) / 500 // i = 250, 750, 1250
	if cal.EventCount() != n-bad || len(cal.Problems) != bad {
		t.Fatalf("%d events, %d problems", cal.EventCount(), len(cal.Problems))
	}
	for i, p := range cal.Problems {
		if want := fmt.Sprintf(`"e%d"`, 250+500*i); !strings.Contains(p.Error(), want) {
			t.Errorf("problem %d = %v, want %s", i, p, want)
		}
	}
	occs := expandOK(t, cal, mustTime(t, "2024-01-01T00:00:00Z"), mustTime(t, "2024-01-03T00:00:00Z"), ExpandOptions{})
	if len(occs) != n-bad {
		t.Errorf("expanded %d occurrences, want %d", len(occs), n-bad)
	}
	for i, ev := range cal.events {
		if i > 0 && ev.Line <= cal.events[i-1].Line {
			t.Fatalf("events out of file order at %d", i)
		}
		if ev.Start.Kind != kindZoned {
			t.Fatalf("event %s: zone not resolved", ev.UID)
		}
	}
}
