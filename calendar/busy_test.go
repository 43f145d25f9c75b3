package calendar

import (
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

// TestBusySemantics: what counts as busy per PRODUCT.md.
func TestBusySemantics(t *testing.T) {
	data := icsText(`BEGIN:VEVENT
UID:1
SUMMARY:meeting
DTSTART:20240102T090000Z
DTEND:20240102T100000Z
END:VEVENT
BEGIN:VEVENT
UID:2
SUMMARY:transparent
TRANSP:TRANSPARENT
DTSTART:20240102T110000Z
DTEND:20240102T120000Z
END:VEVENT
BEGIN:VEVENT
UID:3
SUMMARY:cancelled
STATUS:CANCELLED
DTSTART:20240102T120000Z
DTEND:20240102T130000Z
END:VEVENT
BEGIN:VEVENT
UID:4
SUMMARY:declined
DTSTART:20240102T130000Z
DTEND:20240102T140000Z
ATTENDEE;PARTSTAT=DECLINED:mailto:Me@Example.com
ATTENDEE;PARTSTAT=ACCEPTED:mailto:other@example.com
END:VEVENT
BEGIN:VEVENT
UID:5
SUMMARY:free per Outlook
X-MICROSOFT-CDO-BUSYSTATUS:FREE
DTSTART:20240102T140000Z
DTEND:20240102T150000Z
END:VEVENT
BEGIN:VEVENT
UID:6
SUMMARY:holiday
DTSTART;VALUE=DATE:20240103
END:VEVENT
BEGIN:VEVENT
UID:7
SUMMARY:vacation
X-MICROSOFT-CDO-BUSYSTATUS:OOF
DTSTART;VALUE=DATE:20240104
DTEND;VALUE=DATE:20240106
END:VEVENT
BEGIN:VEVENT
UID:8
SUMMARY:adjacent
DTSTART:20240102T100000Z
DTEND:20240102T103000Z
END:VEVENT`)
	cal, err := ics.Parse("t", data)
	if err != nil {
		t.Fatal(err)
	}
	occs := ics.Expand(cal, mustTime(t, "2024-01-01T00:00:00Z"), mustTime(t, "2024-01-08T00:00:00Z"),
		ics.ExpandOptions{Location: time.UTC, UserAddresses: []string{"me@example.com"}})
	got := Busy(occs, time.UTC)
	want := []Interval{
		{mustTime(t, "2024-01-02T09:00:00Z"), mustTime(t, "2024-01-02T10:30:00Z")},
		{mustTime(t, "2024-01-04T00:00:00Z"), mustTime(t, "2024-01-06T00:00:00Z")},
	}
	if len(got) != len(want) {
		t.Fatalf("busy = %v, want %v", got, want)
	}
	for i := range want {
		if !got[i].Start.Equal(want[i].Start) || !got[i].End.Equal(want[i].End) {
			t.Errorf("busy[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	days := OutOfOfficeDays(occs, time.UTC)
	if len(days) != 2 || !days[0].Equal(mustTime(t, "2024-01-04T00:00:00Z")) || !days[1].Equal(mustTime(t, "2024-01-05T00:00:00Z")) {
		t.Errorf("out-of-office days = %v", days)
	}
}

// TestAllDayBusyOnDSTDay: an all-day event on the spring-forward day is
// busy from local midnight to local midnight, 23 hours.
func TestAllDayBusyOnDSTDay(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	cal, err := ics.Parse("t", icsText("BEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE:20240331\nX-MICROSOFT-CDO-BUSYSTATUS:BUSY\nEND:VEVENT"))
	if err != nil {
		t.Fatal(err)
	}
	occs := ics.Expand(cal, mustTime(t, "2024-03-30T00:00:00Z"), mustTime(t, "2024-04-02T00:00:00Z"), ics.ExpandOptions{Location: berlin})
	busy := Busy(occs, berlin)
	if len(busy) != 1 || busy[0].Duration() != 23*time.Hour || !busy[0].Start.Equal(time.Date(2024, 3, 31, 0, 0, 0, 0, berlin)) {
		t.Errorf("busy = %v", busy)
	}
}
