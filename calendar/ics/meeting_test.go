package ics

import (
	"strings"
	"testing"
	"time"
)

// TestOccurrenceMeetingFacts: an occurrence carries what the meeting audit
// reads: whether it recurs (rule or override), how many attendees, the
// organizer's address and the description, cut at MaxDescriptionBytes.
func TestOccurrenceMeetingFacts(t *testing.T) {
	long := strings.Repeat("é", MaxDescriptionBytes)
	data := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" +
		"BEGIN:VEVENT\r\nUID:sync\r\nSUMMARY:Weekly sync\r\nDTSTART:20261123T100000Z\r\nDTEND:20261123T110000Z\r\n" +
		"RRULE:FREQ=WEEKLY;COUNT=3\r\nORGANIZER;CN=Boss:MAILTO:Boss@Example.com\r\n" +
		"ATTENDEE:mailto:a@example.com\r\nATTENDEE:mailto:b@example.com\r\nATTENDEE:mailto:me@example.com\r\n" +
		"DESCRIPTION:Agenda:\\n1. budget\\, hiring\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nUID:one\r\nSUMMARY:Dentist\r\nDTSTART:20261124T100000Z\r\nDTEND:20261124T110000Z\r\n" +
		"DESCRIPTION:" + long + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	cal, err := Parse("t.ics", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	occs, _ := Expand(cal, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), ExpandOptions{})
	if len(occs) != 2 {
		t.Fatalf("%d occurrences", len(occs))
	}
	by := map[string]Occurrence{}
	for _, o := range occs {
		by[o.UID] = o
	}
	s := by["sync"]
	if !s.Recurring || s.Attendees != 3 || s.Organizer != "boss@example.com" || s.Description != "Agenda:\n1. budget, hiring" {
		t.Errorf("sync = %+v", s)
	}
	d := by["one"]
	if d.Recurring || d.Attendees != 0 || d.Organizer != "" || len(d.Description) > MaxDescriptionBytes || !strings.HasPrefix(long, d.Description) || len(d.Description) < MaxDescriptionBytes-1 {
		t.Errorf("one: recurring %v, attendees %d, organizer %q, description of %d bytes", d.Recurring, d.Attendees, d.Organizer, len(d.Description))
	}
}
