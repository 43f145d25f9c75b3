package devsync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lullapp/lull/calendar"
)

// mkCalendar makes a calendar named name at path on r.
func mkCalendar(t *testing.T, r *radicale, path, name string) {
	t.Helper()
	body := `<?xml version="1.0" encoding="utf-8"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>` +
		`<D:displayname>` + name + `</D:displayname></D:prop></D:set></C:mkcalendar>`
	if code, out := r.do(t, "MKCALENDAR", path, body, map[string]string{"Content-Type": "application/xml"}); code != 201 {
		t.Fatalf("MKCALENDAR %s: %d %s", path, code, out)
	}
}

// putForeign writes n events of another app into the calendar at path and
// returns them as stored, by href.
func putForeign(t *testing.T, r *radicale, path string, n int) map[string]string {
	t.Helper()
	out := map[string]string{}
	for i := 0; i < n; i++ {
		href := fmt.Sprintf("%sother-%d.ics", path, i)
		obj := fmt.Sprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\nUID:other-%d@x\r\nDTSTAMP:20261130T080000Z\r\n"+
			"DTSTART:20261130T%02d0000Z\r\nDTEND:20261130T%02d3000Z\r\nSUMMARY:Deep work %d\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", i, 6+i%12, 6+i%12, i)
		if code, _ := r.do(t, "PUT", href, obj, map[string]string{"If-None-Match": "*"}); code/100 != 2 {
			t.Fatalf("foreign %d: %d", i, code)
		}
		_, out[href] = r.do(t, "GET", href, "", nil)
	}
	return out
}

// logUIDs counts the Lull log events in the calendar at path by UID, and
// fails the test for any that is not transparent.
func logUIDs(t *testing.T, d *device, path string) (sessions, states map[string]int) {
	t.Helper()
	sessions, states = map[string]int{}, map[string]int{}
	for _, o := range logObjects(t, d, path) {
		p, ok := parseObject(o.Data)
		if !ok {
			continue
		}
		if !bytes.Contains(o.Data, []byte("TRANSP:TRANSPARENT")) {
			t.Errorf("%s is not transparent", o.Href)
		}
		if p.session != nil {
			sessions[p.uid]++
		} else {
			states[p.uid]++
		}
	}
	return sessions, states
}

// wantOnce fails unless got holds exactly the UIDs of want, once each.
func wantOnce(t *testing.T, what string, got map[string]int, want []Session) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s holds %d sessions, want %d: %v", what, len(got), len(want), got)
	}
	for _, s := range want {
		if got[s.UID] != 1 {
			t.Errorf("%s holds %s %d times, want once", what, s.UID, got[s.UID])
		}
	}
}

// wantRemote fails unless d's report holds exactly others' sessions.
func wantRemote(t *testing.T, d *device, others []Session) {
	t.Helper()
	got, err := d.sy.Store().Remote(t0.AddDate(0, 0, -2), t0.AddDate(0, 0, 3))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(others) || fmt.Sprint(uids(got)) != fmt.Sprint(uids(others)) {
		t.Errorf("%s's report holds %d sessions %v, want %v", d.name, len(got), uids(got), uids(others))
	}
}

// TestPickedLogCalendarIsFollowed: A and B share the default log; A picks
// the existing calendar "Focus" (which holds another app's events); B keeps
// its log until its next pointer check, then follows. Every session of both
// ends up in "Focus" exactly once, transparent, each report holds the
// other's sessions once, the foreign events stay byte-identical; and back
// to Lull's own log ("") the same holds there, nothing written twice.
func TestPickedLogCalendarIsFollowed(t *testing.T) {
	r := startRadicale(t)
	mkCalendar(t, r, "/alice/focus/", "Focus")
	foreign := putForeign(t, r, "/alice/focus/", 15)
	a := newDevice(t, r, "laptop", t0, false)
	b := newDevice(t, r, "desktop", t0, false)
	var aSess, bSess []Session
	for i := 0; i < 3; i++ {
		aSess = append(aSess, a.session(t0.Add(time.Duration(i)*2*time.Hour), 50*time.Minute, i))
		bSess = append(bSess, b.session(t0.Add(time.Duration(i)*2*time.Hour+time.Hour), 40*time.Minute, 0))
	}
	a.clk.Advance(8 * time.Hour)
	b.clk.Advance(8 * time.Hour)
	mustSync(t, a, aSess)
	mustSync(t, b, bSess)
	mustSync(t, a, aSess)
	wantRemote(t, a, bSess)
	wantRemote(t, b, aSess)

	// The list marks the current log; an unknown name lists the valid ones.
	list, err := a.sy.LogCalendars(context.Background(), a.source)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(choiceNames(list)) != "[alice/work Focus *Lull focus log]" {
		t.Errorf("choices = %+v", list)
	}
	if _, err := a.sy.SetLogCalendar(context.Background(), a.source, "Focsu", a.clk.Now()); !errors.Is(err, ErrNoSuchLogCalendar) ||
		!strings.Contains(err.Error(), `"Focus"`) || !strings.Contains(err.Error(), `"alice/work"`) {
		t.Errorf("unknown name: %v", err)
	}

	// A picks "Focus" (by name, any case).
	got, err := a.sy.SetLogCalendar(context.Background(), a.source, "focus", a.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got.Path != "/alice/focus/" || got.Name != "Focus" {
		t.Errorf("picked %+v", got)
	}
	_, ptr := r.do(t, "GET", "/alice/work/"+PointerName, "", nil)
	if !strings.Contains(ptr, "X-LULL-LOG-CALENDAR:/alice/focus/") || !strings.Contains(ptr, "TRANSP:TRANSPARENT") ||
		!strings.Contains(ptr, "UID:"+PointerUID) || !strings.Contains(ptr, "DTSTART:19700101T000000Z") {
		t.Errorf("pointer object:\n%s", ptr)
	}
	aSess = append(aSess, a.session(t0.Add(8*time.Hour), 30*time.Minute, 0))
	a.clk.Advance(time.Hour)
	mustSync(t, a, aSess)
	if st, _ := a.sy.Store().Status("laptop"); st.LogCalendar != "Focus" {
		t.Errorf("a's log calendar = %q, want Focus", st.LogCalendar)
	}

	// B, before its pointer check (its last was its first sync, 5
	// minutes ago): still on the old log, and a new session goes there.
	bSess = append(bSess, b.session(t0.Add(7*time.Hour), 20*time.Minute, 1))
	b.clk.Advance(5 * time.Minute)
	mustSync(t, b, bSess)
	if st, _ := b.sy.Store().Status("desktop"); st.LogCalendar != LogCalendarName {
		t.Errorf("b switched before its pointer check: %q", st.LogCalendar)
	}
	// B's next pointer check: it follows, sends its whole log to "Focus"
	// and reads it in full.
	b.clk.Advance(PointerCheck)
	mustSync(t, b, bSess)
	if st, _ := b.sy.Store().Status("desktop"); st.LogCalendar != "Focus" {
		t.Errorf("b's log calendar after its pointer check = %q, want Focus", st.LogCalendar)
	}
	a.clk.Advance(PointerCheck)
	mustSync(t, a, aSess)
	b.clk.Advance(time.Minute)
	mustSync(t, b, bSess)

	sess, states := logUIDs(t, a, "/alice/focus/")
	wantOnce(t, "Focus", sess, append(append([]Session(nil), aSess...), bSess...))
	if len(states) != 2 || states[stateUID(a.sy.Store().DeviceID())] != 1 || states[stateUID(b.sy.Store().DeviceID())] != 1 {
		t.Errorf("Focus holds states %v, want one per device", states)
	}
	wantRemote(t, a, bSess)
	wantRemote(t, b, aSess)
	for href, want := range foreign {
		if _, after := r.do(t, "GET", href, "", nil); after != want {
			t.Errorf("foreign event %s changed:\n%s", href, after)
		}
	}
	if st, _ := b.sy.Store().Status("desktop"); st.Pending != 0 || st.Held != 0 || st.LastError != "" {
		t.Errorf("b's status = %+v", st)
	}

	// Back to Lull's own log, picked on B this time: A follows; the
	// sessions already there from before are adopted, none written twice.
	if got, err := b.sy.SetLogCalendar(context.Background(), b.source, "", b.clk.Now()); err != nil || got.Name != LogCalendarName {
		t.Fatalf("back to Lull's own: %+v, %v", got, err)
	}
	mustSync(t, b, bSess)
	a.clk.Advance(PointerCheck)
	mustSync(t, a, aSess)
	b.clk.Advance(time.Minute)
	mustSync(t, b, bSess)
	sess, _ = logUIDs(t, a, "/alice/lull-focus-log/")
	wantOnce(t, LogCalendarName, sess, append(append([]Session(nil), aSess...), bSess...))
	wantRemote(t, a, bSess)
	wantRemote(t, b, aSess)
	if st, _ := a.sy.Store().Status("laptop"); st.LogCalendar != LogCalendarName || st.Held != 0 || st.Pending != 0 {
		t.Errorf("a's status back on Lull's own log = %+v", st)
	}
}

func choiceNames(list []LogChoice) []string {
	var out []string
	for _, c := range list {
		n := c.Name
		if c.Current {
			n = "*" + n
		}
		out = append(out, n)
	}
	return out
}

// TestForeignPointerIsNeverOverwritten: an object of another app at the
// pointer's name is left byte-identical; picking says so in words, and
// syncs go on with the log they have.
func TestForeignPointerIsNeverOverwritten(t *testing.T) {
	r := startRadicale(t)
	mkCalendar(t, r, "/alice/focus/", "Focus")
	href := "/alice/work/" + PointerName
	obj := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\nUID:" + PointerUID + "\r\nDTSTAMP:20261130T080000Z\r\n" +
		"DTSTART:20261130T100000Z\r\nDTEND:20261130T110000Z\r\nSUMMARY:Not Lull's\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	if code, _ := r.do(t, "PUT", href, obj, nil); code/100 != 2 {
		t.Fatalf("foreign: %d", code)
	}
	_, before := r.do(t, "GET", href, "", nil)
	a := newDevice(t, r, "laptop", t0, false)
	s := a.session(t0, time.Hour, 0)
	a.clk.Advance(2 * time.Hour)
	mustSync(t, a, []Session{s})
	_, err := a.sy.SetLogCalendar(context.Background(), a.source, "Focus", a.clk.Now())
	if !errors.Is(err, calendar.ErrNotLullObject) || !strings.Contains(err.Error(), PointerName) || !strings.Contains(err.Error(), "leaves it alone") {
		t.Errorf("pick over a foreign object: %v", err)
	}
	if _, after := r.do(t, "GET", href, "", nil); after != before {
		t.Errorf("the foreign object changed:\n%s", after)
	}
	a.clk.Advance(PointerCheck + time.Minute)
	mustSync(t, a, []Session{s})
	if st, _ := a.sy.Store().Status("laptop"); st.LogCalendar != LogCalendarName || st.LastError != "" {
		t.Errorf("status after a refused pick = %+v, want the log where it was", st)
	}
	if sess, _ := logUIDs(t, a, "/alice/lull-focus-log/"); sess[s.UID] != 1 {
		t.Errorf("log holds %v, want the session once", sess)
	}
}
