//go:build e2e

// End-to-end test of Lull's CalDAV source and publisher against a real
// Radicale server. Run with: go test -tags e2e -run CalDAV ./e2e/
// (needs the `radicale` command; E2E_REAL_KEYRING=1 uses the real OS keyring
// instead of go-keyring's in-memory mock).
package e2e

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	ical "github.com/emersion/go-ical"
	"github.com/zalando/go-keyring"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/store"
)

const (
	davUser     = "alice"
	davPassword = "correct horse battery staple"
	calPath     = "/alice/work/"
)

// radicale is a Radicale server started for one test.
type radicale struct {
	base string // http://127.0.0.1:PORT
	hc   *http.Client
}

func startRadicale(t *testing.T) *radicale {
	t.Helper()
	if _, err := exec.LookPath("radicale"); err != nil {
		t.Skip("radicale is not installed (apt-get install radicale)")
	}
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	users := filepath.Join(dir, "users")
	os.WriteFile(users, []byte(davUser+":"+davPassword+"\n"), 0o600)
	cfg := filepath.Join(dir, "config")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`[server]
hosts = 127.0.0.1:%d
[auth]
type = htpasswd
htpasswd_filename = %s
htpasswd_encryption = plain
[storage]
filesystem_folder = %s
[rights]
type = owner_only
[logging]
level = warning
`, port, users, filepath.Join(dir, "collections"))), 0o600)
	var logs bytes.Buffer
	cmd := exec.Command("radicale", "--config", cfg)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("radicale log:\n%s", logs.String())
		}
	})
	r := &radicale{base: fmt.Sprintf("http://127.0.0.1:%d", port), hc: &http.Client{Timeout: 10 * time.Second}}
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := r.hc.Get(r.base + "/")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("radicale did not answer on %s: %v\n%s", r.base, err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return r
}

// do sends one request as alice and returns status, ETag and body.
func (r *radicale) do(t *testing.T, method, path, body string, hdr ...string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, r.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(davUser, davPassword)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("ETag"), string(b)
}

// list returns the hrefs of every object in the calendar.
func (r *radicale) list(t *testing.T) []string {
	t.Helper()
	code, _, body := r.do(t, "PROPFIND", calPath, `<?xml version="1.0"?><propfind xmlns="DAV:"><prop><getetag/></prop></propfind>`, "Depth", "1")
	if code != http.StatusMultiStatus {
		t.Fatalf("PROPFIND %s: %d %s", calPath, code, body)
	}
	var ms struct {
		Resp []struct {
			Href string `xml:"DAV: href"`
		} `xml:"DAV: response"`
	}
	if err := xml.Unmarshal([]byte(body), &ms); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, x := range ms.Resp {
		if strings.HasSuffix(x.Href, ".ics") {
			out = append(out, x.Href)
		}
	}
	sort.Strings(out)
	return out
}

const berlinTZ = "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n" +
	"BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n" +
	"BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"

func vcal(events ...string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Colleague's App//EN\r\n" + berlinTZ + strings.Join(events, "") + "END:VCALENDAR\r\n"
}

func vevent(uid, start, end, summary string, extra ...string) string {
	return "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20261101T120000Z\r\n" +
		"DTSTART;TZID=Europe/Berlin:" + start + "\r\nDTEND;TZID=Europe/Berlin:" + end + "\r\n" +
		"SUMMARY:" + summary + "\r\n" + strings.Join(extra, "") + "END:VEVENT\r\n"
}

// foreignCalendar returns 200 objects another app wrote (href → body): a
// realistic fortnight of meetings in the planning window, recurring series
// with RRULE, EXDATE (comma lists and repeated lines) and a moved instance,
// events that are not busy (all-day marked free, transparent, cancelled), and history
// from 2025 outside the window.
func foreignCalendar() map[string]string {
	objs := map[string]string{}
	add := func(name, body string) { objs[calPath+name+".ics"] = body }
	add("standup", vcal(
		vevent("standup@corp", "20261123T091500", "20261123T093000", "Standup",
			"RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20261231T225959Z\r\n",
			"EXDATE;TZID=Europe/Berlin:20261125T091500,20261126T091500\r\n"),
		// The 24 Nov instance moved to the afternoon.
		"BEGIN:VEVENT\r\nUID:standup@corp\r\nDTSTAMP:20261101T120000Z\r\nRECURRENCE-ID;TZID=Europe/Berlin:20261124T091500\r\n"+
			"DTSTART;TZID=Europe/Berlin:20261124T151500\r\nDTEND;TZID=Europe/Berlin:20261124T153000\r\nSUMMARY:Standup (moved)\r\nEND:VEVENT\r\n"))
	add("one-on-one", vcal(vevent("1on1@corp", "20261126T140000", "20261126T150000", "1:1",
		"RRULE:FREQ=WEEKLY;BYDAY=TH\r\n", "EXDATE;TZID=Europe/Berlin:20261203T140000\r\n")))
	add("review", vcal(vevent("review@corp", "20261124T100000", "20261124T113000", "Design review",
		"RRULE:FREQ=WEEKLY;COUNT=2\r\n")))
	days := []string{"20261123", "20261124", "20261125", "20261126", "20261127", "20261130", "20261201", "20261202", "20261203", "20261204"}
	for i, d := range days {
		if i%2 == 0 {
			add(fmt.Sprintf("sync-%d", i), vcal(vevent(fmt.Sprintf("sync-%d@corp", i), d+"T113000", d+"T121500", "Team sync")))
		} else {
			add(fmt.Sprintf("call-%d", i), vcal(vevent(fmt.Sprintf("call-%d@corp", i), d+"T160000", d+"T163000", "Customer call")))
		}
		add(fmt.Sprintf("late-%d", i), vcal(vevent(fmt.Sprintf("late-%d@corp", i), d+"T083000", d+"T085000", "Early check-in")))
	}
	// An all-day event marked free, as Google and Apple write them (an
	// unmarked one would be busy).
	add("holiday", vcal("BEGIN:VEVENT\r\nUID:holiday@corp\r\nDTSTAMP:20261101T120000Z\r\nDTSTART;VALUE=DATE:20261125\r\nDTEND;VALUE=DATE:20261126\r\nSUMMARY:Team offsite planning day\r\nTRANSP:TRANSPARENT\r\nEND:VEVENT\r\n"))
	add("free", vcal(vevent("free@corp", "20261125T090000", "20261125T170000", "Available for pairing", "TRANSP:TRANSPARENT\r\n")))
	add("cancelled", vcal(vevent("cancelled@corp", "20261127T090000", "20261127T170000", "Cancelled workshop", "STATUS:CANCELLED\r\n")))
	// History outside the window, half of it recurring.
	for i := 0; len(objs) < 200; i++ {
		d := time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i)
		day := d.Format("20060102")
		name := fmt.Sprintf("past-%03d", i)
		if i%2 == 0 {
			add(name, vcal(vevent(name+"@corp", day+"T100000", day+"T110000", "Old weekly "+name,
				"RRULE:FREQ=WEEKLY;COUNT=4\r\n",
				"EXDATE;TZID=Europe/Berlin:"+d.AddDate(0, 0, 7).Format("20060102")+"T100000\r\n",
				"EXDATE;TZID=Europe/Berlin:"+d.AddDate(0, 0, 14).Format("20060102")+"T100000\r\n")))
		} else {
			add(name, vcal(vevent(name+"@corp", day+"T140000", day+"T150000", "Old meeting "+name)))
		}
	}
	return objs
}

type davObject struct{ body, etag string }

func snapshot(t *testing.T, r *radicale, hrefs []string) map[string]davObject {
	t.Helper()
	out := map[string]davObject{}
	for _, h := range hrefs {
		code, etag, body := r.do(t, http.MethodGet, h, "")
		if code != http.StatusOK {
			t.Fatalf("GET %s: %d", h, code)
		}
		out[h] = davObject{body, etag}
	}
	return out
}

// lullSetup is what a caller of the calendar package wires together.
type lullSetup struct {
	st       *calendar.SourceStore
	src      calendar.Source
	pub      *calendar.CalDAVPublisher
	clk      *clock.Fake
	settings calendar.PlanSettings
	loc      *time.Location
}

// busy fetches the source and returns the busy time of the planning window.
func (l *lullSetup) busy(t *testing.T) []calendar.Interval {
	t.Helper()
	data, err := l.src.Fetch(context.Background())
	if err != nil {
		t.Fatalf("fetch: %v", err)
	}
	from := l.clk.Now().Add(-24 * time.Hour)
	bt, err := calendar.ReadBusy(l.src.Name(), data, from, from.Add(16*24*time.Hour), calendar.BusyOptions{Location: l.loc})
	if err != nil || len(bt.Problems) > 0 {
		t.Fatalf("read busy time: %v %v", err, bt.Problems)
	}
	return bt.Busy
}

func (l *lullSetup) input(busy []calendar.Interval, tombs []calendar.Tombstone) calendar.PlanInput {
	return calendar.PlanInput{From: l.clk.Now(), Settings: l.settings, Location: l.loc, Busy: busy, Tombstones: tombs}
}

func accepted(bs []calendar.Block) []calendar.Block {
	out := make([]calendar.Block, 0, len(bs))
	for _, b := range bs {
		if b.State != calendar.StateSkipped {
			b.State = calendar.StateAccepted
			out = append(out, b)
		}
	}
	return out
}

func TestCalDAVRadicaleEndToEnd(t *testing.T) {
	r := startRadicale(t)
	ctx := context.Background()

	// A calendar another app filled with 200 events.
	if code, _, body := r.do(t, "MKCALENDAR", calPath, ""); code != http.StatusCreated {
		t.Fatalf("MKCALENDAR: %d %s", code, body)
	}
	foreign := foreignCalendar()
	if len(foreign) != 200 {
		t.Fatalf("%d foreign events, want 200", len(foreign))
	}
	for h, body := range foreign {
		if code, _, resp := r.do(t, http.MethodPut, h, body, "Content-Type", "text/calendar", "If-None-Match", "*"); code != http.StatusCreated {
			t.Fatalf("PUT %s: %d %s", h, code, resp)
		}
	}
	foreignHrefs := r.list(t)
	if len(foreignHrefs) != 200 {
		t.Fatalf("server lists %d objects", len(foreignHrefs))
	}
	before := snapshot(t, r, foreignHrefs)

	// Lull, wired through its calendar package.
	var secrets calendar.Secrets = calendar.Keyring{}
	if os.Getenv("E2E_REAL_KEYRING") != "1" {
		keyring.MockInit()
	}
	db, err := store.Open(filepath.Join(t.TempDir(), "lull.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)) // Monday 07:00 in Berlin
	st, err := calendar.NewSourceStore(db, secrets, clk, calendar.SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := st.AddCalDAVSource(ctx, r.base+calPath, davUser, davPassword, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.RemoveSource(cfg.ID) }) // also drops the password from a real keyring
	if cfg.CalendarPath != calPath {
		t.Fatalf("chose calendar %q", cfg.CalendarPath)
	}
	if got, err := secrets.Get("source/" + cfg.ID + "/password"); err != nil || got != davPassword {
		t.Fatalf("password not in the keyring: %v", err)
	}
	raw, _ := os.ReadFile(db.Path())
	if bytes.Contains(raw, []byte(davPassword)) {
		t.Fatal("the password is in the bbolt file")
	}
	src, _ := st.Source(cfg.ID)
	pub, err := st.Publisher(cfg.ID)
	if err != nil {
		t.Fatal(err)
	}
	settings := calendar.DefaultPlanSettings()
	settings.Zone = "Europe/Berlin"
	l := &lullSetup{st: st, src: src, pub: pub, clk: clk, settings: settings, loc: loc}

	// 1. Plan and publish.
	busy := l.busy(t)
	if len(busy) < 20 {
		t.Fatalf("only %d busy intervals read from the server", len(busy))
	}
	plan, err := calendar.Plan(l.input(busy, nil))
	if err != nil {
		t.Fatal(err)
	}
	plan = accepted(plan)
	if len(plan) < 4 {
		t.Fatalf("the planner placed %d blocks", len(plan))
	}
	res, err := pub.Sync(ctx, plan)
	if err != nil || len(res.Created) != len(plan) {
		t.Fatalf("publish: %+v, %v", res, err)
	}
	t.Logf("published %d blocks", len(res.Created))
	// Lull's own blocks do not come back as busy time.
	if again := l.busy(t); !equalIntervals(again, busy) {
		t.Fatal("Lull's published blocks were read back as busy time")
	}

	// 2. A colleague books a meeting over the first block; re-plan, re-publish.
	hit := plan[0]
	meetingHref := calPath + "urgent.ics"
	meetStart := hit.Start.Add(30 * time.Minute).In(loc).Format("20060102T150405")
	meetEnd := hit.Start.Add(90 * time.Minute).In(loc).Format("20060102T150405")
	if code, _, body := r.do(t, http.MethodPut, meetingHref, vcal(vevent("urgent@corp", meetStart, meetEnd, "Urgent meeting")),
		"Content-Type", "text/calendar", "If-None-Match", "*"); code != http.StatusCreated {
		t.Fatalf("PUT meeting: %d %s", code, body)
	}
	busy = l.busy(t)
	changes, err := calendar.Replan(plan, l.input(busy, nil))
	if err != nil {
		t.Fatal(err)
	}
	plan = accepted(changes.Blocks())
	res, err = pub.Sync(ctx, plan)
	if err != nil {
		t.Fatalf("re-publish: %+v, %v", res, err)
	}
	if !contains(res.Updated, hit.ID) && !contains(res.Deleted, hit.ID) {
		t.Fatalf("the block under the new meeting was neither moved nor removed: %+v", res)
	}
	t.Logf("after the meeting: %+v", res)

	// 3. The user deletes one Lull block in their calendar app.
	var victim calendar.Block
	for _, b := range plan {
		if b.ID != hit.ID {
			victim = b
			break
		}
	}
	victimHref := calPath + calendar.BlockUID(victim.ID) + ".ics"
	if code, _, _ := r.do(t, http.MethodDelete, victimHref, ""); code/100 != 2 {
		t.Fatalf("user DELETE %s: %d", victimHref, code)
	}
	res, err = pub.Sync(ctx, plan)
	if err != nil || !equalStrings(res.GoneOnServer, []string{victim.ID}) || contains(res.Created, victim.ID) {
		t.Fatalf("sync after the user's delete: %+v, %v", res, err)
	}
	// The caller tombstones it and plans again; a later sync must not bring
	// it back, even if a plan still listed it.
	tombs := []calendar.Tombstone{{ID: victim.ID, Start: victim.Start, End: victim.End, Deleted: clk.Now()}}
	var kept []calendar.Block
	for _, b := range plan {
		if b.ID != victim.ID {
			kept = append(kept, b)
		}
	}
	changes, err = calendar.Replan(kept, l.input(l.busy(t), tombs))
	if err != nil {
		t.Fatal(err)
	}
	plan = accepted(changes.Blocks())
	if res, err = pub.Sync(ctx, plan); err != nil {
		t.Fatalf("sync after re-plan: %+v, %v", res, err)
	}
	if res, err = pub.Sync(ctx, append(plan, victim)); err != nil || !contains(res.Skipped, victim.ID) {
		t.Fatalf("sync with the deleted block still wanted: %+v, %v", res, err)
	}
	if code, _, _ := r.do(t, http.MethodGet, victimHref, ""); code != http.StatusNotFound {
		t.Fatalf("the block the user deleted is back (GET %d)", code)
	}

	// The 200 foreign events (and the colleague's meeting) are byte-identical.
	after := snapshot(t, r, foreignHrefs)
	for _, h := range foreignHrefs {
		if before[h] != after[h] {
			t.Errorf("foreign object %s changed:\nbefore %q\nafter  %q", h, before[h].body, after[h].body)
		}
	}
	// Lull's objects on the server are exactly the plan, and none overlaps
	// a meeting.
	busy = l.busy(t)
	var lullHrefs []string
	for _, h := range r.list(t) {
		if strings.HasPrefix(filepath.Base(h), calendar.BlockUIDPrefix) {
			lullHrefs = append(lullHrefs, h)
		}
	}
	if len(lullHrefs) != len(plan) {
		t.Fatalf("server holds %d Lull blocks, the plan has %d", len(lullHrefs), len(plan))
	}
	for h, obj := range snapshot(t, r, lullHrefs) {
		cal, err := ical.NewDecoder(strings.NewReader(obj.body)).Decode()
		if err != nil {
			t.Fatalf("%s: %v", h, err)
		}
		ev := cal.Events()[0]
		s, _ := ev.DateTimeStart(time.UTC)
		e, _ := ev.DateTimeEnd(time.UTC)
		if ev.Props.Get("X-LULL-BLOCK") == nil {
			t.Errorf("%s lacks X-LULL-BLOCK", h)
		}
		for _, b := range busy {
			if (calendar.Interval{Start: s, End: e}).Overlaps(b) {
				t.Errorf("Lull block %s [%v, %v) overlaps a meeting [%v, %v)", h, s, e, b.Start, b.End)
			}
		}
	}
	if ts, _ := pub.Tombstones(); !equalStrings(ts, []string{victim.ID}) {
		t.Fatalf("publisher tombstones = %v", ts)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func equalStrings(a, b []string) bool {
	return strings.Join(a, "\x00") == strings.Join(b, "\x00")
}

func equalIntervals(a, b []calendar.Interval) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Start.Equal(b[i].Start) || !a[i].End.Equal(b[i].End) {
			return false
		}
	}
	return true
}
