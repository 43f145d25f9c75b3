package ics

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// expandLines expands a calendar body over [from, to) in UTC and returns
// the occurrences as sorted "start end summary" lines, failing on any
// problem.
func expandLines(t *testing.T, body, from, to string) []string {
	t.Helper()
	cal, err := Parse("t.ics", ics(body))
	if err != nil || len(cal.Problems) > 0 {
		t.Fatalf("parse: %v %v", err, cal.Problems)
	}
	var out []string
	for _, o := range expandOK(t, cal, mustTime(t, from), mustTime(t, to), ExpandOptions{Location: time.UTC}) {
		out = append(out, o.Start.UTC().Format("01-02T15:04")+" "+o.End.UTC().Format("15:04")+" "+o.Summary)
	}
	slices.Sort(out)
	return out
}

// TestSeveralRRULEs: an event with several RRULE lines (deprecated by RFC
// 5545, still written) has the union of their instances, with its RDATEs
// and without its EXDATEs, each instance once; nothing is reported. Only
// the first rule used to count.
func TestSeveralRRULEs(t *testing.T) {
	got := expandLines(t, `BEGIN:VEVENT
UID:two
SUMMARY:T
DTSTART:20240101T090000Z
DTEND:20240101T100000Z
RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3
RRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20240111T000000Z
RDATE:20240120T090000Z
EXDATE:20240110T090000Z
END:VEVENT`, "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z")
	want := []string{
		"01-01T09:00 10:00 T", // DTSTART, first instance of both rules: once
		"01-03T09:00 10:00 T",
		"01-08T09:00 10:00 T",
		// 01-10 excluded
		"01-15T09:00 10:00 T",
		"01-20T09:00 10:00 T", // RDATE
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

// TestSeveralRRULEsAreTheUnion: for pairs of rules, the expansion of one
// event carrying both equals the union of the expansions of two events
// carrying one each.
func TestSeveralRRULEsAreTheUnion(t *testing.T) {
	rules := []string{
		"FREQ=DAILY;COUNT=5", "FREQ=WEEKLY;BYDAY=TU,TH", "FREQ=MONTHLY;BYMONTHDAY=1,15",
		"FREQ=DAILY;INTERVAL=3;UNTIL=20240301T000000Z", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "FREQ=HOURLY;INTERVAL=7;COUNT=30",
	}
	ev := func(uid string, rules ...string) string {
		return "BEGIN:VEVENT\nUID:" + uid + "\nSUMMARY:E\nDTSTART;TZID=Europe/Berlin:20240101T090000\nDURATION:PT45M\nRRULE:" +
			strings.Join(rules, "\nRRULE:") + "\nEND:VEVENT\n"
	}
	for i, a := range rules {
		for _, b := range rules[i+1:] {
			both := expandLines(t, ev("x", a, b), "2024-01-10T00:00:00Z", "2024-04-01T00:00:00Z")
			apart := slices.Compact(expandLines(t, ev("a", a)+ev("b", b), "2024-01-10T00:00:00Z", "2024-04-01T00:00:00Z"))
			if !slices.Equal(both, apart) {
				t.Errorf("%s + %s: %d instances, the union of each alone has %d\n got %q\nwant %q", a, b, len(both), len(apart), both, apart)
			}
		}
	}
}

// TestCopiesOfOneEvent: an event sent again (same UID, no RECURRENCE-ID)
// replaces the older copy when it is newer: a higher SEQUENCE, or the same
// SEQUENCE and a later LAST-MODIFIED, or else a later DTSTAMP, whatever
// their order in the file. Copies nothing tells apart are all kept (feeds
// reuse UIDs). Overrides of different instances are not copies; of one
// instance, the newest wins and the last in the file on a tie.
func TestCopiesOfOneEvent(t *testing.T) {
	copyAt := func(hour int, props string) string {
		return fmt.Sprintf("BEGIN:VEVENT\nUID:same\nSUMMARY:at %02d\nDTSTART:20240102T%02d0000Z\nDURATION:PT1H\n%s\nEND:VEVENT\n", hour, hour, props)
	}
	cases := []struct {
		name       string
		old, new   string // props of the copy at 09 and of the one at 11
		want       []string
		bothOrders bool
	}{
		{"higher SEQUENCE", "SEQUENCE:1", "SEQUENCE:2", []string{"01-02T11:00 12:00 at 11"}, true},
		{"SEQUENCE beats stamps", "SEQUENCE:1\nDTSTAMP:20240301T000000Z", "SEQUENCE:2\nDTSTAMP:20240101T000000Z", []string{"01-02T11:00 12:00 at 11"}, true},
		{"no SEQUENCE is 0", "", "SEQUENCE:1", []string{"01-02T11:00 12:00 at 11"}, true},
		{"later DTSTAMP", "DTSTAMP:20240101T000000Z", "DTSTAMP:20240101T000001Z", []string{"01-02T11:00 12:00 at 11"}, true},
		{"LAST-MODIFIED before DTSTAMP", "LAST-MODIFIED:20240101T000000Z\nDTSTAMP:20240105T000000Z", "LAST-MODIFIED:20240102T000000Z\nDTSTAMP:20240101T000000Z", []string{"01-02T11:00 12:00 at 11"}, true},
		{"nothing tells them apart", "DTSTAMP:20240101T000000Z", "DTSTAMP:20240101T000000Z", []string{"01-02T09:00 10:00 at 09", "01-02T11:00 12:00 at 11"}, true},
		{"no stamps at all", "", "", []string{"01-02T09:00 10:00 at 09", "01-02T11:00 12:00 at 11"}, true},
	}
	for _, c := range cases {
		orders := [][2]string{{copyAt(9, c.old), copyAt(11, c.new)}}
		if c.bothOrders {
			orders = append(orders, [2]string{copyAt(11, c.new), copyAt(9, c.old)})
		}
		for _, o := range orders {
			if got := expandLines(t, o[0]+o[1], "2024-01-01T00:00:00Z", "2024-01-08T00:00:00Z"); !slices.Equal(got, c.want) {
				t.Errorf("%s: got %q, want %q", c.name, got, c.want)
			}
		}
	}

	// A recurring event sent twice, the second time moved to 14:00, with
	// overrides of two instances (not copies) and one instance overridden
	// twice.
	series := func(hour, seq int) string {
		return fmt.Sprintf("BEGIN:VEVENT\nUID:s\nSUMMARY:series %d\nSEQUENCE:%d\nDTSTART:20240101T%02d0000Z\nDURATION:PT1H\nRRULE:FREQ=DAILY;COUNT=5\nEND:VEVENT\n", seq, seq, hour)
	}
	override := func(day, hour, seq int, summary string) string {
		return fmt.Sprintf("BEGIN:VEVENT\nUID:s\nSUMMARY:%s\nSEQUENCE:%d\nRECURRENCE-ID:202401%02dT140000Z\nDTSTART:202401%02dT%02d0000Z\nDURATION:PT1H\nEND:VEVENT\n", summary, seq, day, day, hour)
	}
	body := override(2, 8, 3, "moved to 8") + series(14, 3) + override(3, 16, 3, "third, older") + series(9, 1) +
		override(3, 17, 4, "third, newest") + override(4, 10, 3, "fourth, tie 1") + override(4, 11, 3, "fourth, tie 2")
	want := []string{
		"01-01T14:00 15:00 series 3",
		"01-02T08:00 09:00 moved to 8",
		"01-03T17:00 18:00 third, newest",
		"01-04T11:00 12:00 fourth, tie 2",
		"01-05T14:00 15:00 series 3",
	}
	if got := expandLines(t, body, "2024-01-01T00:00:00Z", "2024-01-08T00:00:00Z"); !slices.Equal(got, want) {
		t.Errorf("series sent twice:\n got %q\nwant %q", got, want)
	}
}

// TestEmptyRecurrence: COUNT=0, a negative COUNT and an UNTIL before
// DTSTART leave DTSTART as the one instance, with no problem: RFC 5545
// counts DTSTART as the first instance whatever the rule says, and for
// busy time the meeting its producer placed there is the safe reading.
// (Python's reference agrees on COUNT=0 and COUNT=-1; ical.js repeats
// COUNT=0 forever and drops the others; node-ical drops all three.)
func TestEmptyRecurrence(t *testing.T) {
	for _, rule := range []string{"FREQ=DAILY;COUNT=0", "FREQ=DAILY;COUNT=-1", "FREQ=WEEKLY;COUNT=-5;BYDAY=MO", "FREQ=DAILY;UNTIL=20240101T000000Z", "FREQ=DAILY;UNTIL=20240104"} {
		got := expandLines(t, "BEGIN:VEVENT\nUID:c\nSUMMARY:C\nDTSTART:20240105T090000Z\nDTEND:20240105T100000Z\nRRULE:"+rule+"\nEND:VEVENT",
			"2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z")
		if want := []string{"01-05T09:00 10:00 C"}; !slices.Equal(got, want) {
			t.Errorf("%s: got %q, want %q", rule, got, want)
		}
	}
	// Another rule of the same event still counts.
	got := expandLines(t, "BEGIN:VEVENT\nUID:c\nSUMMARY:C\nDTSTART:20240105T090000Z\nDTEND:20240105T100000Z\nRRULE:FREQ=DAILY;COUNT=0\nRRULE:FREQ=DAILY;COUNT=2\nEND:VEVENT",
		"2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z")
	if want := []string{"01-05T09:00 10:00 C", "01-06T09:00 10:00 C"}; !slices.Equal(got, want) {
		t.Errorf("COUNT=0 beside COUNT=2: got %q, want %q", got, want)
	}
}

// TestOutOfRangeValues: durations and dates outside the bounds are
// problems naming the line, never overflowed into years of busy time,
// zero-length events or silently dropped ones (issue 13 item 9); the other
// events stay.
func TestOutOfRangeValues(t *testing.T) {
	cases := []struct{ props, want string }{
		{"DTSTART:20200101T090000Z\nDURATION:-P16000W", `line 8: DURATION: DURATION "-P16000W" is longer than 5 years`},
		{"DTSTART:20200101T090000Z\nDURATION:P16000W", `line 8: DURATION: DURATION "P16000W" is longer than 5 years`},
		{"DTSTART:20200101T090000Z\nDURATION:PT99999999999999999999S", `line 8: DURATION: DURATION "PT99999999999999999999S" is longer`},
		{"DTSTART:20200101T090000Z\nDURATION:P1W1000000000D", `is longer than 5 years`},
		{"DTSTART:20200101T090000Z\nDURATION:P1W9223372036854775807D", `is longer than 5 years`},
		{"DTSTART:00010101T000000Z\nDTEND:99991231T000000Z", `line 7: DTSTART: year 0001 is out of range`},
		{"DTSTART;VALUE=DATE:15001231\nDTEND;VALUE=DATE:15020101", `line 7: DTSTART: year 1500 is out of range`},
		{"DTSTART:20200101T090000Z\nDTEND:99991231T000000Z", `line 8: DTEND: the event would last 7985 years: events last at most 5 years`},
		{"DTSTART:20200101T090000Z\nDTEND:19000101T000000Z", `line 8: DTEND: the event would last 120 years`},
		{"DTSTART:20200101T090000Z\nDURATION:PT1H\nRDATE;VALUE=PERIOD:20200102T090000Z/P9999W", `line 9: RDATE: DURATION "P9999W" is longer`},
		{"DTSTART:20200101T090000Z\nDURATION:PT1H\nRDATE;VALUE=PERIOD:20200102T090000Z/99990101T000000Z", `line 9: RDATE: the event would last`},
		{"DTSTART:20200101T090000Z\nDURATION:PT1H\nRDATE:00050101T000000Z", `line 9: RDATE: year 0005 is out of range`},
		{"DTSTART:20200101T090000Z\nDURATION:PT1H\nRECURRENCE-ID:10000101T000000Z", `line 9: RECURRENCE-ID: year 1000`},
	}
	for _, c := range cases {
		data := ics("BEGIN:VEVENT\nUID:bad\nSUMMARY:bad\n" + c.props + "\nEND:VEVENT\nBEGIN:VEVENT\nUID:good\nSUMMARY:good\nDTSTART:20200101T090000Z\nDURATION:P260W\nEND:VEVENT")
		cal, err := Parse("t.ics", data)
		if err != nil {
			t.Fatal(err)
		}
		if len(cal.Problems) != 1 || !errors.Is(cal.Problems[0], ErrBadEvent) || !strings.Contains(cal.Problems[0].Error(), c.want) || !strings.Contains(cal.Problems[0].Error(), `event "bad"`) {
			t.Errorf("%q: problems %v, want one containing %q", c.props, cal.Problems, c.want)
		}
		occs := expandOK(t, cal, mustTime(t, "2020-01-01T00:00:00Z"), mustTime(t, "2030-01-01T00:00:00Z"), ExpandOptions{})
		if len(occs) != 1 || occs[0].Summary != "good" || !occs[0].End.Equal(mustTime(t, "2024-12-25T09:00:00Z")) {
			t.Errorf("%q: occurrences %+v", c.props, occs)
		}
	}
}

// TestDurationBounds: parseDuration accepts everything up to
// MaxEventLength either way, exactly, and nothing beyond.
func TestDurationBounds(t *testing.T) {
	weeks := int(MaxEventLength / (7 * 24 * time.Hour))
	days := int(MaxEventLength / (24 * time.Hour))
	for _, c := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"PT0S", 0, true},
		{"-PT15M", -15 * time.Minute, true},
		{fmt.Sprintf("P%dD", days), MaxEventLength, true},
		{fmt.Sprintf("-P%dD", days), -MaxEventLength, true},
		{fmt.Sprintf("P%dDT1S", days), 0, false},
		{fmt.Sprintf("P%dW", weeks), time.Duration(weeks) * 7 * 24 * time.Hour, true},
		{fmt.Sprintf("P%dW", weeks+1), 0, false},
		{fmt.Sprintf("PT%dS", int64(MaxEventLength/time.Second)), MaxEventLength, true},
		{fmt.Sprintf("PT%dS", int64(MaxEventLength/time.Second)+1), 0, false},
		{"P1W2DT3H4M5S", 9*24*time.Hour + 3*time.Hour + 4*time.Minute + 5*time.Second, true},
	} {
		d, err := parseDuration(c.in)
		if (err == nil) != c.ok || (c.ok && d != c.want) {
			t.Errorf("%s: %v %v, want %v ok=%v", c.in, d, err, c.want, c.ok)
		}
	}
}
