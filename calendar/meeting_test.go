package calendar

import (
	"testing"
	"time"

	"github.com/lullapp/lull/calendar/ics"
)

// TestMeetingsFollowBusyRules: a meeting is a timed busy event by the same
// rules as planning; all-day events and day-long timed ones never are.
func TestMeetingsFollowBusyRules(t *testing.T) {
	cases := []struct {
		name, event string
		meeting     bool
	}{
		{"plain meeting", "DTSTART:20261201T100000Z\nDTEND:20261201T110000Z", true},
		{"declined", "DTSTART:20261201T100000Z\nDTEND:20261201T110000Z\nATTENDEE;PARTSTAT=DECLINED:mailto:me@example.com", false},
		{"accepted", "DTSTART:20261201T100000Z\nDTEND:20261201T110000Z\nATTENDEE;PARTSTAT=ACCEPTED:mailto:me@example.com", true},
		{"transparent", "DTSTART:20261201T100000Z\nDTEND:20261201T110000Z\nTRANSP:TRANSPARENT", false},
		{"cancelled", "DTSTART:20261201T100000Z\nDTEND:20261201T110000Z\nSTATUS:CANCELLED", false},
		{"Outlook free", "DTSTART:20261201T100000Z\nDTEND:20261201T110000Z\nX-MICROSOFT-CDO-BUSYSTATUS:FREE", false},
		{"Outlook tentative", "DTSTART:20261201T100000Z\nDTEND:20261201T110000Z\nX-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE", true},
		{"all-day busy", "DTSTART;VALUE=DATE:20261201\nDTEND;VALUE=DATE:20261202\nTRANSP:OPAQUE", false},
		{"timed, 12 h", "DTSTART:20261201T060000Z\nDTEND:20261201T180000Z", true},
		{"timed, two days", "DTSTART:20261201T000000Z\nDTEND:20261203T000000Z", false},
		{"zero length", "DTSTART:20261201T100000Z\nDTEND:20261201T100000Z", false},
	}
	from, to := mustTime(t, "2026-11-30T00:00:00Z"), mustTime(t, "2026-12-07T00:00:00Z")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := icsText("BEGIN:VEVENT\nUID:x@test\nSUMMARY:Sync\n" + c.event + "\nEND:VEVENT")
			bt, err := ReadBusy("test", data, from, to, BusyOptions{Location: time.UTC, UserAddresses: []string{"me@example.com"}})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(bt.Meetings) == 1; got != c.meeting {
				t.Fatalf("meeting = %v, want %v (%+v)", got, c.meeting, bt.Meetings)
			}
			if c.meeting && bt.Meetings[0].Summary != "Sync" {
				t.Errorf("summary %q", bt.Meetings[0].Summary)
			}
		})
	}
}

// TestMeetingAtJoinsBackToBack: meetings at most the join gap apart are
// one stretch; a longer gap is not covered.
func TestMeetingAtJoinsBackToBack(t *testing.T) {
	at := func(hm string) time.Time { return mustTime(t, "2026-12-01T"+hm+":00Z") }
	ms := []Meeting{
		{"Standup", at("09:00"), at("09:15")},
		{"Design", at("09:15"), at("10:00")}, // back to back
		{"Review", at("10:03"), at("10:30")}, // 3 min gap
		{"1:1", at("11:00"), at("11:30")},    // 30 min gap
		{"Inner", at("11:10"), at("11:20")},  // inside 1:1
	}
	join := 5 * time.Minute
	cases := []struct {
		t          string
		ok         bool
		start, end string
		title      string
	}{
		{"08:59", false, "", "", ""},
		{"09:00", true, "09:00", "10:30", "Standup"},
		{"09:15", true, "09:00", "10:30", "Design"},
		{"10:01", true, "09:00", "10:30", "Review"},
		{"10:30", false, "", "", ""},
		{"10:45", false, "", "", ""},
		{"11:15", true, "11:00", "11:30", "Inner"},
		{"11:25", true, "11:00", "11:30", "1:1"},
	}
	for _, c := range cases {
		iv, title, ok := MeetingAt(ms, at(c.t), join)
		if ok != c.ok {
			t.Errorf("%s: ok %v, want %v", c.t, ok, c.ok)
			continue
		}
		if ok && (!iv.Start.Equal(at(c.start)) || !iv.End.Equal(at(c.end)) || title != c.title) {
			t.Errorf("%s: %v–%v %q, want %s–%s %q", c.t, iv.Start, iv.End, title, c.start, c.end, c.title)
		}
	}
}

// TestIsMeetingNeverAllDay: an all-day occurrence is never a meeting,
// whatever span it was given (the length limit alone is not the rule).
func TestIsMeetingNeverAllDay(t *testing.T) {
	start := mustTime(t, "2026-12-01T00:00:00Z")
	o := ics.Occurrence{Summary: "Holiday", Start: start, End: start.Add(time.Hour), AllDay: true, Opaque: true}
	if IsMeeting(o, false) {
		t.Fatal("an all-day occurrence counted as a meeting")
	}
	o.AllDay = false
	if !IsMeeting(o, false) {
		t.Fatal("the same hour, timed, is a meeting")
	}
}
