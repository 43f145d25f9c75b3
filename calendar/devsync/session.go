// Package devsync shares the focus log and focus state between the user's
// devices through the user's own CalDAV server (issue 16): each finished
// session becomes one transparent event in a log calendar ("Lull focus
// log", made with MKCALENDAR where the server allows, else the sync-enabled
// calendar itself), each device keeps one focus-state event there, and every
// device reads the others' events back with time-range queries and merges
// them by UID. Writes wait in a durable outbox in bbolt until the server
// takes them, always with a precondition (If-None-Match: * to create,
// If-Match: <etag> to replace); a 412 is resolved by reading the object
// again, never by overwriting another device's object.
package devsync

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	ical "github.com/emersion/go-ical"
)

// Session is one finished focus session as the shared log holds it: when,
// how long, how often notifications broke through, and on which device.
// It never carries notification content (titles, senders, reasons).
type Session struct {
	// UID is the session's event UID, the same on every device:
	// SessionUID(Device, local session id).
	UID string `json:"uid"`
	// Device is the ID of the device that recorded it; DeviceName its name
	// when it was written.
	Device     string `json:"device"`
	DeviceName string `json:"device_name"`
	// Start and End bound the session.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Interruptions is how many notifications broke through.
	Interruptions int `json:"interruptions"`
}

// Minutes is the session's length in whole minutes, as the event states it.
func (s Session) Minutes() int { return int(s.End.Sub(s.Start) / time.Minute) }

// Properties of Lull's log events.
const (
	propSession    = "X-LULL-SESSION"
	propState      = "X-LULL-STATE"
	propDevice     = "X-LULL-DEVICE"
	propDeviceName = "X-LULL-DEVICE-NAME"
	propMinutes    = "X-LULL-MINUTES"
	propInterrupts = "X-LULL-INTERRUPTIONS"
	propChanged    = "X-LULL-CHANGED"
	propSince      = "X-LULL-SINCE"
	propUntil      = "X-LULL-UNTIL"
	propSeq        = "X-LULL-SEQ"
	propBackfill   = "X-LULL-BACKFILL"
)

// SessionUID is the UID of device's session sessionID: stable, so a session
// written twice (a lost answer, a replay) is still one event.
func SessionUID(device, sessionID string) string {
	return "lull-session-" + device + "-" + sessionID
}

// stateUID is the UID of device's focus-state event.
func stateUID(device string) string { return "lull-state-" + device }

const icsStamp = "20060102T150405Z"

func stamp(t time.Time) string { return t.UTC().Format(icsStamp) }

// escapeText escapes an iCalendar TEXT value (RFC 5545 3.3.11).
func escapeText(s string) string {
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`, "\r", "")
	return r.Replace(s)
}

// event writes one VEVENT calendar object; props are written in order.
func event(uid, summary string, start, end, now time.Time, props [][2]string) []byte {
	var b bytes.Buffer
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Lull//focus log//EN\r\nBEGIN:VEVENT\r\n")
	fmt.Fprintf(&b, "UID:%s\r\nDTSTAMP:%s\r\nDTSTART:%s\r\nDTEND:%s\r\n", uid, stamp(now), stamp(start), stamp(end))
	fmt.Fprintf(&b, "SUMMARY:%s\r\nTRANSP:TRANSPARENT\r\nCLASS:PRIVATE\r\n", escapeText(summary))
	for _, p := range props {
		fmt.Fprintf(&b, "%s:%s\r\n", p[0], p[1])
	}
	b.WriteString("END:VEVENT\r\nEND:VCALENDAR\r\n")
	return b.Bytes()
}

// sessionObject is the event of a finished session: transparent (it never
// blocks anyone's time), titled with its length and device.
func sessionObject(s Session, now time.Time) []byte {
	summary := fmt.Sprintf("Focus %d min (%s)", s.Minutes(), s.DeviceName)
	return event(s.UID, summary, s.Start, s.End, now, [][2]string{
		{propSession, "1"},
		{propDevice, s.Device},
		{propDeviceName, escapeText(s.DeviceName)},
		{propMinutes, strconv.Itoa(s.Minutes())},
		{propInterrupts, strconv.Itoa(s.Interruptions)},
	})
}

// State is a device's focus state as its state event holds it.
type State struct {
	// Device and DeviceName say whose state it is.
	Device     string `json:"device"`
	DeviceName string `json:"device_name"`
	// Focusing is true while a session runs there; Since is when it began
	// and Until its planned end (zero for open-ended).
	Focusing bool      `json:"focusing"`
	Since    time.Time `json:"since,omitzero"`
	Until    time.Time `json:"until,omitzero"`
	// Changed is when focus last started or stopped there: the newest
	// change across devices is the one focus follows.
	Changed time.Time `json:"changed"`
	// Written is when the event was last written (its DTSTART, so a
	// time-range query of recent days finds it).
	Written time.Time `json:"written"`
	// Seq counts the device's uploads of sessions; Backfill is the start of
	// the oldest session in its latest upload, so a reader widens its
	// query when a device comes back with old sessions.
	Seq      int64     `json:"seq"`
	Backfill time.Time `json:"backfill,omitzero"`
}

// stateObject is a device's focus-state event.
func stateObject(st State) []byte {
	summary := "Lull on " + st.DeviceName + ": not focusing"
	end := st.Written.Add(time.Minute)
	if st.Focusing {
		summary = "Lull on " + st.DeviceName + ": focusing"
		if st.Until.After(end) {
			end = st.Until
		}
	}
	props := [][2]string{
		{propState, map[bool]string{true: "focusing", false: "idle"}[st.Focusing]},
		{propDevice, st.Device},
		{propDeviceName, escapeText(st.DeviceName)},
		{propChanged, stamp(st.Changed)},
		{propSeq, strconv.FormatInt(st.Seq, 10)},
	}
	if !st.Since.IsZero() {
		props = append(props, [2]string{propSince, stamp(st.Since)})
	}
	if !st.Until.IsZero() {
		props = append(props, [2]string{propUntil, stamp(st.Until)})
	}
	if !st.Backfill.IsZero() {
		props = append(props, [2]string{propBackfill, stamp(st.Backfill)})
	}
	return event(stateUID(st.Device), summary, st.Written, end, st.Written, props)
}

// parsed is what an object of the log calendar turned out to be.
type parsed struct {
	uid     string
	device  string
	session *Session
	state   *State
}

// parseObject reads a log calendar object. Objects that are not Lull's log
// events (anything else living in the calendar) are ok=false and left
// alone.
func parseObject(data []byte) (p parsed, ok bool) {
	cal, err := ical.NewDecoder(bytes.NewReader(data)).Decode()
	if err != nil {
		return p, false
	}
	evs := cal.Events()
	if len(evs) != 1 {
		return p, false
	}
	ev := evs[0]
	text := func(name string) string {
		if prop := ev.Props.Get(name); prop != nil {
			if v, err := prop.Text(); err == nil {
				return v
			}
			return prop.Value
		}
		return ""
	}
	when := func(name string) time.Time {
		t, _ := time.Parse(icsStamp, text(name))
		return t
	}
	p.uid, p.device = text(ical.PropUID), text(propDevice)
	if p.uid == "" || p.device == "" {
		return p, false
	}
	start, err1 := ev.DateTimeStart(time.UTC)
	end, err2 := ev.DateTimeEnd(time.UTC)
	if err1 != nil || err2 != nil {
		return p, false
	}
	switch {
	case text(propSession) == "1" && p.uid != "":
		n, _ := strconv.Atoi(text(propInterrupts))
		if !end.After(start) {
			return p, false
		}
		p.session = &Session{UID: p.uid, Device: p.device, DeviceName: text(propDeviceName),
			Start: start.UTC(), End: end.UTC(), Interruptions: n}
	case text(propState) != "" && p.uid == stateUID(p.device):
		seq, _ := strconv.ParseInt(text(propSeq), 10, 64)
		p.state = &State{Device: p.device, DeviceName: text(propDeviceName), Focusing: text(propState) == "focusing",
			Since: when(propSince), Until: when(propUntil), Changed: when(propChanged), Written: start.UTC(),
			Seq: seq, Backfill: when(propBackfill)}
	default:
		return p, false
	}
	return p, true
}

// isOwn reports whether data is an event this device wrote under uid: the
// only objects it ever replaces.
func isOwn(data []byte, uid, device string) bool {
	p, ok := parseObject(data)
	return ok && p.uid == uid && p.device == device
}

// better reports whether a should be kept over b for the same UID. A
// session is written once, so two versions only differ when something
// rewrote one; the rule is a total order on content, so every device keeps
// the same one whatever order they arrive in.
func better(a, b Session) bool {
	switch {
	case !a.End.Equal(b.End):
		return a.End.After(b.End)
	case !a.Start.Equal(b.Start):
		return a.Start.Before(b.Start)
	case a.Interruptions != b.Interruptions:
		return a.Interruptions > b.Interruptions
	case a.DeviceName != b.DeviceName:
		return a.DeviceName < b.DeviceName
	}
	return a.Device < b.Device
}

// Merge returns the sessions with one per UID (by better), ordered by start
// then UID: the same result for any order of the input and any
// duplicates.
func Merge(in []Session) []Session {
	by := map[string]Session{}
	for _, s := range in {
		if cur, ok := by[s.UID]; !ok || better(s, cur) {
			by[s.UID] = s
		}
	}
	out := make([]Session, 0, len(by))
	for _, s := range by {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.Before(out[j].Start)
		}
		return out[i].UID < out[j].UID
	})
	return out
}
