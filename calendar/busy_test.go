package calendar

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lullapp/lull/calendar/ics"
)

// icsText wraps VEVENT/VTIMEZONE text in a VCALENDAR with CRLF line ends.
func icsText(body string, calProps ...string) []byte {
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

// TestBusySemantics: what counts as busy per PRODUCT.md, for timed and
// all-day events, with the calendar's "all-day events are free" setting
// off and on. All-day events follow their marking: unmarked ones are busy
// (RFC 5545's default; Lull used to take them as free, and an all-day
// "Team offsite" got two focus blocks), explicitly free ones are free,
// and the setting frees the unmarked ones only.
func TestBusySemantics(t *testing.T) {
	cases := []struct {
		name, props  string
		allDay       bool
		busy, busyIf bool // busy with the setting off, and on
		oof          bool
	}{
		{"meeting", "", false, true, true, false},
		{"transparent meeting", "TRANSP:TRANSPARENT", false, false, false, false},
		{"opaque meeting", "TRANSP:OPAQUE", false, true, true, false},
		{"cancelled meeting", "STATUS:CANCELLED", false, false, false, false},
		{"declined meeting", "ATTENDEE;PARTSTAT=DECLINED:mailto:Me@Example.com\nATTENDEE;PARTSTAT=ACCEPTED:mailto:other@example.com", false, false, false, false},
		{"accepted meeting", "ATTENDEE;PARTSTAT=ACCEPTED:mailto:me@example.com", false, true, true, false},
		{"declined by someone else", "ATTENDEE;PARTSTAT=DECLINED:mailto:other@example.com", false, true, true, false},
		{"free per Outlook", "X-MICROSOFT-CDO-BUSYSTATUS:FREE", false, false, false, false},
		{"tentative per Outlook, transparent", "X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE\nTRANSP:TRANSPARENT", false, true, true, false},
		{"out of office", "X-MICROSOFT-CDO-BUSYSTATUS:OOF", false, true, true, false},
		{"unmarked all-day (Team offsite)", "", true, true, false, false},
		{"transparent all-day (holiday)", "TRANSP:TRANSPARENT", true, false, false, false},
		{"opaque all-day", "TRANSP:OPAQUE", true, true, true, false},
		{"free all-day per Outlook", "X-MICROSOFT-CDO-BUSYSTATUS:FREE", true, false, false, false},
		{"busy all-day per Outlook", "X-MICROSOFT-CDO-BUSYSTATUS:BUSY", true, true, true, false},
		{"tentative all-day per Outlook", "X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE", true, true, true, false},
		{"intended OOF all-day", "X-MICROSOFT-CDO-INTENDEDSTATUS:OOF", true, true, true, true},
		{"out-of-office all-day", "X-MICROSOFT-CDO-BUSYSTATUS:OOF", true, true, true, true},
		{"cancelled all-day", "STATUS:CANCELLED", true, false, false, false},
		{"declined all-day", "ATTENDEE;PARTSTAT=DECLINED:mailto:me@example.com", true, false, false, false},
		{"declined out-of-office", "X-MICROSOFT-CDO-BUSYSTATUS:OOF\nATTENDEE;PARTSTAT=DECLINED:mailto:me@example.com", true, false, false, false},
	}
	from, to := mustTime(t, "2024-01-01T00:00:00Z"), mustTime(t, "2024-01-08T00:00:00Z")
	for _, c := range cases {
		when := "DTSTART:20240102T090000Z\nDTEND:20240102T100000Z"
		if c.allDay {
			when = "DTSTART;VALUE=DATE:20240102\nDTEND;VALUE=DATE:20240104"
		}
		ev := "BEGIN:VEVENT\nUID:x\nSUMMARY:" + c.name + "\n" + when + "\n" + c.props + "\nEND:VEVENT"
		for _, allDayFree := range []bool{false, true} {
			want := c.busy
			if allDayFree {
				want = c.busyIf
			}
			bt, err := ReadBusy("t.ics", icsText(ev), from, to, BusyOptions{Location: time.UTC, UserAddresses: []string{"ME@example.com"}, AllDayFree: allDayFree})
			if err != nil || len(bt.Problems) > 0 || bt.Events != 1 {
				t.Fatalf("%s: %v %v %d events", c.name, err, bt.Problems, bt.Events)
			}
			if got := len(bt.Busy) == 1; got != want {
				t.Errorf("%s (all-day free %v): busy = %v, want %v", c.name, allDayFree, bt.Busy, want)
			}
			if got := len(bt.OutOfOffice) == 2; got != c.oof {
				t.Errorf("%s: out-of-office days %v, want %v", c.name, bt.OutOfOffice, c.oof)
			}
			if c.allDay {
				if want && (len(bt.AllDay) != 1 || bt.AllDay[0].Summary != c.name || bt.AllDay[0].OutOfOffice != c.oof ||
					!bt.AllDay[0].Start.Equal(mustTime(t, "2024-01-02T00:00:00Z")) || !bt.AllDay[0].End.Equal(mustTime(t, "2024-01-04T00:00:00Z"))) {
					t.Errorf("%s: all-day events %+v", c.name, bt.AllDay)
				}
				if !want && len(bt.AllDay) != 0 {
					t.Errorf("%s: a free all-day event is listed: %+v", c.name, bt.AllDay)
				}
			}
		}
	}
}

// TestBusyMergesAndSpansAllDay: busy intervals are merged, an all-day
// event spans local midnights in the user's zone.
func TestBusyMergesAndSpansAllDay(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	data := icsText(`BEGIN:VEVENT
UID:1
DTSTART:20240102T090000Z
DTEND:20240102T100000Z
END:VEVENT
BEGIN:VEVENT
UID:2
DTSTART:20240102T100000Z
DTEND:20240102T103000Z
END:VEVENT
BEGIN:VEVENT
UID:3
SUMMARY:Team offsite
DTSTART;VALUE=DATE:20240104
END:VEVENT`)
	bt, err := ReadBusy("t", data, mustTime(t, "2024-01-01T00:00:00Z"), mustTime(t, "2024-01-08T00:00:00Z"), BusyOptions{Location: berlin})
	if err != nil {
		t.Fatal(err)
	}
	want := []Interval{
		{mustTime(t, "2024-01-02T09:00:00Z"), mustTime(t, "2024-01-02T10:30:00Z")},
		{time.Date(2024, 1, 4, 0, 0, 0, 0, berlin), time.Date(2024, 1, 5, 0, 0, 0, 0, berlin)},
	}
	if len(bt.Busy) != len(want) {
		t.Fatalf("busy = %v, want %v", bt.Busy, want)
	}
	for i := range want {
		if !bt.Busy[i].Start.Equal(want[i].Start) || !bt.Busy[i].End.Equal(want[i].End) {
			t.Errorf("busy[%d] = %v, want %v", i, bt.Busy[i], want[i])
		}
	}
}

// TestAllDayBusyOnDSTDay: an all-day event on the spring-forward day is
// busy from local midnight to local midnight, 23 hours.
func TestAllDayBusyOnDSTDay(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	bt, err := ReadBusy("t", icsText("BEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE:20240331\nEND:VEVENT"),
		mustTime(t, "2024-03-30T00:00:00Z"), mustTime(t, "2024-04-02T00:00:00Z"), BusyOptions{Location: berlin})
	if err != nil {
		t.Fatal(err)
	}
	if len(bt.Busy) != 1 || bt.Busy[0].Duration() != 23*time.Hour || !bt.Busy[0].Start.Equal(time.Date(2024, 3, 31, 0, 0, 0, 0, berlin)) {
		t.Errorf("busy = %v", bt.Busy)
	}
}

// TestReadBusyReportsProblems: unreadable events and capped expansions
// reach the caller as problems; data that is no calendar is an error.
func TestReadBusyReportsProblems(t *testing.T) {
	if _, err := ReadBusy("junk", []byte("<html>"), time.Time{}, time.Now(), BusyOptions{}); !errors.Is(err, ics.ErrNotICalendar) {
		t.Errorf("junk: %v", err)
	}
	data := icsText("BEGIN:VEVENT\nUID:bad\nDTSTART:2024XX01T090000Z\nEND:VEVENT\n" +
		"BEGIN:VEVENT\nUID:sec\nDTSTART:20000101T000000Z\nDURATION:PT1S\nRRULE:FREQ=SECONDLY\nEND:VEVENT")
	bt, err := ReadBusy("t", data, mustTime(t, "2024-01-01T00:00:00Z"), mustTime(t, "2024-02-01T00:00:00Z"), BusyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(bt.Problems) != 2 || !errors.Is(bt.Problems[0], ics.ErrBadEvent) || !errors.Is(bt.Problems[1], ics.ErrCapped) {
		t.Fatalf("problems: %v", bt.Problems)
	}
	if !strings.Contains(bt.Problems[1].Error(), `event "sec"`) {
		t.Errorf("the capped problem does not name the event: %v", bt.Problems[1])
	}
}
