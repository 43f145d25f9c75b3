//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The day: Monday 7 December 2026, all times UTC (the app runs with TZ=UTC
// and zone UTC). The calendar holds a realistic week.
var dayStart = time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)

const dayUser = "alice"

// dayCalendar is what a colleague's calendar app wrote: a recurring
// stand-up with a moved instance, a meeting moved to another day, a meeting
// the user declined, an all-day event and a meeting set in New York time.
func dayCalendar() map[string]string {
	ev := func(uid, start, end, summary string, extra ...string) string {
		return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Colleague's App//EN\r\n" +
			"BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20261201T120000Z\r\n" + start + end +
			"SUMMARY:" + summary + "\r\n" + strings.Join(extra, "") + "END:VEVENT\r\nEND:VCALENDAR\r\n"
	}
	utc := func(prop, v string) string { return prop + ":" + v + "Z\r\n" }
	return map[string]string{
		"standup.ics": strings.Replace(ev("standup@corp", utc("DTSTART", "20261207T090000"), utc("DTEND", "20261207T091500"), "Stand-up",
			"RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=10\r\n"), "END:VCALENDAR\r\n",
			// Wednesday's stand-up moved to 09:30.
			"BEGIN:VEVENT\r\nUID:standup@corp\r\nDTSTAMP:20261201T120000Z\r\nRECURRENCE-ID:20261209T090000Z\r\n"+
				"DTSTART:20261209T093000Z\r\nDTEND:20261209T094500Z\r\nSUMMARY:Stand-up (moved)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", 1),
		"planning.ics": ev("planning@corp", utc("DTSTART", "20261207T130000"), utc("DTEND", "20261207T133000"), "Sprint planning (moved from Tuesday)",
			"SEQUENCE:2\r\n"),
		"vendor.ics": ev("vendor@corp", utc("DTSTART", "20261207T110000"), utc("DTEND", "20261207T120000"), "Vendor pitch",
			"ORGANIZER:mailto:bob@example.com\r\n",
			"ATTENDEE;PARTSTAT=DECLINED:mailto:alice@example.com\r\n"),
		"offsite.ics": ev("offsite@corp", "DTSTART;VALUE=DATE:20261210\r\n", "DTEND;VALUE=DATE:20261211\r\n", "Offsite prep day"),
		"ny.ics": ev("ny@corp", "DTSTART;TZID=America/New_York:20261207T100000\r\n", "DTEND;TZID=America/New_York:20261207T110000\r\n",
			"Call with New York"),
	}
}

// dayMeetings are the busy intervals of Monday the planner must avoid.
var dayMeetings = [][2]time.Time{
	{time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC), time.Date(2026, 12, 7, 9, 15, 0, 0, time.UTC)},
	{time.Date(2026, 12, 7, 13, 0, 0, 0, time.UTC), time.Date(2026, 12, 7, 13, 30, 0, 0, time.UTC)},
	{time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC), time.Date(2026, 12, 7, 16, 0, 0, 0, time.UTC)},
}

type dav struct {
	t    *testing.T
	base string
	path string
}

func (d *dav) do(method, path, body string, hdr ...string) (int, string) {
	d.t.Helper()
	req, err := http.NewRequest(method, d.base+path, strings.NewReader(body))
	if err != nil {
		d.t.Fatal(err)
	}
	req.SetBasicAuth(dayUser, "pw")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// objects returns every object in the calendar, href → body.
func (d *dav) objects() map[string]string {
	d.t.Helper()
	code, body := d.do("PROPFIND", d.path, `<?xml version="1.0"?><propfind xmlns="DAV:"><prop><getetag/></prop></propfind>`, "Depth", "1")
	if code != http.StatusMultiStatus {
		d.t.Fatalf("PROPFIND: %d %s", code, body)
	}
	var ms struct {
		Resp []struct {
			Href string `xml:"DAV: href"`
		} `xml:"DAV: response"`
	}
	if err := xml.Unmarshal([]byte(body), &ms); err != nil {
		d.t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range ms.Resp {
		if strings.HasSuffix(r.Href, ".ics") {
			code, b := d.do("GET", r.Href, "")
			if code != http.StatusOK {
				d.t.Fatalf("GET %s: %d", r.Href, code)
			}
			out[r.Href] = b
		}
	}
	return out
}

// busMonitor records every Notify call on the session bus.
type busMonitor struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	msgs []notifyCall
	done chan struct{}
}

type notifyCall struct {
	App, Summary, Body string
	Critical           bool
}

func startMonitor(t *testing.T) *busMonitor {
	t.Helper()
	m := &busMonitor{done: make(chan struct{})}
	m.cmd = exec.Command("dbus-monitor", "--session", "interface='org.freedesktop.Notifications',member='Notify'")
	out, err := m.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := m.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(m.done)
		raw, _ := os.Create(filepath.Join(artifacts(t), "day-dbus-monitor.txt"))
		defer raw.Close()
		sc := bufio.NewScanner(io.TeeReader(out, raw))
		sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
		// A call is recorded as soon as its four leading strings (app, icon,
		// summary, body) are in, so the last call is not stuck waiting for
		// the next one; the urgency hint updates it later.
		idx, inCall := -1, false
		var strs []string
		expectUrgency := false
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			switch {
			case strings.HasPrefix(line, "method call") && strings.Contains(line, "member=Notify"):
				idx, inCall, strs, expectUrgency = -1, true, nil, false
			case strings.HasPrefix(line, "method call"), strings.HasPrefix(line, "signal"), strings.HasPrefix(line, "method return"), strings.HasPrefix(line, "error"):
				idx, inCall = -1, false
			case inCall && strings.HasPrefix(line, "string \""):
				s, err := strconv.Unquote(strings.TrimPrefix(line, "string "))
				if err != nil {
					s = strings.Trim(strings.TrimPrefix(line, "string "), `"`)
				}
				strs = append(strs, s)
				if len(strs) == 4 {
					m.mu.Lock()
					m.msgs = append(m.msgs, notifyCall{App: strs[0], Summary: strs[2], Body: strs[3]})
					idx = len(m.msgs) - 1
					m.mu.Unlock()
				}
				expectUrgency = s == "urgency"
			case inCall && expectUrgency && strings.HasPrefix(line, "variant"):
				if idx >= 0 && strings.Contains(line, "byte 2") {
					m.mu.Lock()
					m.msgs[idx].Critical = true
					m.mu.Unlock()
				}
				expectUrgency = false
			}
		}
	}()
	t.Cleanup(func() { m.cmd.Process.Kill(); <-m.done })
	return m
}

func (m *busMonitor) calls() []notifyCall {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]notifyCall(nil), m.msgs...)
}

func dunstCount(t *testing.T, what string) int {
	t.Helper()
	out, err := exec.Command("dunstctl", "count", what).Output()
	if err != nil {
		t.Fatalf("dunstctl count %s: %v", what, err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("dunstctl count %s: %q", what, out)
	}
	return n
}

func dunstPaused(t *testing.T) bool {
	t.Helper()
	out, err := exec.Command("dunstctl", "is-paused").Output()
	if err != nil {
		t.Fatalf("dunstctl is-paused: %v", err)
	}
	return strings.TrimSpace(string(out)) == "true"
}

// testBinary is the app built with -tags lulltest, the only build that
// honours LULL_TEST_CLOCK: $LULL_TESTCLOCK_BIN (what scripts/test.sh
// builds, race-instrumented like LULL_BIN) or one built here.
func testBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("LULL_TESTCLOCK_BIN"); p != "" {
		return p
	}
	_, file, _, _ := runtime.Caller(0)
	out := filepath.Join(t.TempDir(), "lull")
	cmd := exec.Command("go", "build", "-tags", "lulltest", "-o", out, "./cmd/lull")
	cmd.Dir = filepath.Join(filepath.Dir(file), "..")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build -tags lulltest: %v\n%s", err, b)
	}
	return out
}

type dayEnv struct {
	t     *testing.T
	bin   string
	home  string
	clock string
}

func (e *dayEnv) env() []string {
	return envWith("LULL_HOME="+e.home, "LANG=en_US.UTF-8", "TZ=UTC", "LULL_TEST_CLOCK="+e.clock)
}

func (e *dayEnv) lull(stdin string, args ...string) string {
	e.t.Helper()
	out, errOut, code := runWith(e.t, e.bin, e.env(), stdin, args...)
	if code != 0 {
		e.t.Fatalf("lull %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func step(t *testing.T, format string, args ...any) { t.Logf("── "+format, args...) }

// TestADayWithLull lives one working day with the real binary on an
// accelerated clock: CalDAV calendar → plan → publish → focus starts by
// itself with dunst paused → notifications held, one critical breaks
// through → the block ends with exactly one digest → the report adds up.
func TestADayWithLull(t *testing.T) {
	needDesktop(t)
	radicaleURL := os.Getenv("RADICALE_URL")
	if radicaleURL == "" {
		if os.Getenv("E2E_DESKTOP") == "1" {
			t.Fatal("RADICALE_URL is not set inside the e2e session")
		}
		t.Skip("needs RADICALE_URL (scripts/test.sh starts Radicale)")
	}
	for _, tool := range []string{"notify-send", "dunstctl", "dbus-monitor", "secret-tool"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found", tool)
		}
	}

	step(t, "1. a CalDAV calendar on Radicale holds a realistic week")
	d := &dav{t: t, base: strings.TrimRight(radicaleURL, "/"), path: fmt.Sprintf("/%s/day-%d/", dayUser, time.Now().UnixNano())}
	if code, body := d.do("MKCALENDAR", d.path, ""); code != http.StatusCreated {
		t.Fatalf("MKCALENDAR: %d %s", code, body)
	}
	for name, body := range dayCalendar() {
		if code, resp := d.do("PUT", d.path+name, body, "Content-Type", "text/calendar"); code >= 300 {
			t.Fatalf("PUT %s: %d %s", name, code, resp)
		}
	}
	foreign := d.objects()

	e := &dayEnv{t: t, bin: testBinary(t), home: t.TempDir(), clock: dayStart.Format(time.RFC3339) + ",1"}
	e.lull("", "settings", "set", "zone", "UTC")
	e.lull("", "settings", "set", "user-addresses", "alice@example.com")
	e.lull("pw\n", "calendar", "add", "caldav", d.base+d.path, "--user", dayUser, "--publish", "--name", "Work")
	if out, err := exec.Command("secret-tool", "search", "--all", "service", "lull").CombinedOutput(); err != nil || !strings.Contains(string(out), "secret = pw") {
		t.Fatalf("the CalDAV password is not in the real keyring: %v\n%s", err, out)
	}
	raw, _ := os.ReadFile(filepath.Join(e.home, "lull.db"))
	if bytes.Contains(raw, []byte("secret = pw")) || bytes.Contains(raw, []byte(`"password"`)) {
		t.Fatal("the password reached the database")
	}

	step(t, "2. Lull plans and publishes; blocks overlap no meeting, foreign events unchanged")
	var plan struct {
		Blocks []struct {
			ID    string    `json:"id"`
			Start time.Time `json:"start"`
			End   time.Time `json:"end"`
			State string    `json:"state"`
		} `json:"blocks"`
		Days []struct {
			Date   time.Time `json:"date"`
			Reason string    `json:"reason"`
		} `json:"days"`
	}
	planOut := e.lull("", "plan", "--sync", "--format", "json")
	err := json.Unmarshal([]byte(planOut), &plan)
	blocks := plan.Blocks
	if err != nil || len(blocks) == 0 {
		t.Fatalf("plan json (%v):\n%s", err, planOut)
	}
	// Thursday's unmarked all-day "Offsite prep day" is busy: no focus that
	// day, and the plan says why.
	offsite := false
	for _, d := range plan.Days {
		offsite = offsite || d.Date.UTC().Format(time.DateOnly) == "2026-12-10" && d.Reason == "all-day 'Offsite prep day'"
	}
	for _, b := range blocks {
		if b.Start.UTC().Format(time.DateOnly) == "2026-12-10" {
			t.Fatalf("a block on Thursday, the all-day offsite: %+v", b)
		}
	}
	if !offsite {
		t.Fatalf("the plan does not say why Thursday has no focus: %+v", plan.Days)
	}
	t.Logf("plan:\n%s", e.lull("", "plan"))
	first := blocks[0]
	for _, b := range blocks {
		if b.Start.Before(first.Start) {
			first = b
		}
	}
	if first.Start.UTC().Format("2006-01-02") != "2026-12-07" {
		t.Fatalf("the first block is not on Monday 7 December:\n%s", planOut)
	}
	for _, m := range dayMeetings {
		if first.Start.Before(m[1]) && m[0].Before(first.End) {
			t.Fatalf("block %s %s–%s overlaps meeting %s–%s", first.ID, first.Start, first.End, m[0], m[1])
		}
	}
	e.lull("", "plan", "accept", first.ID)
	after := d.objects()
	var published []string
	for href, body := range after {
		if orig, ok := foreign[href]; ok {
			if orig != body {
				t.Fatalf("foreign event %s changed:\n%s\n→\n%s", href, orig, body)
			}
			continue
		}
		if !strings.Contains(body, "UID:lull-block-") {
			t.Fatalf("unexpected object %s:\n%s", href, body)
		}
		published = append(published, body)
	}
	if len(after) < len(foreign) {
		t.Fatal("a foreign event disappeared")
	}
	if len(published) != 1 || !strings.Contains(published[0], "DTSTART:"+first.Start.UTC().Format("20060102T150405Z")) {
		t.Fatalf("published %d blocks, want the accepted %s at %s:\n%v", len(published), first.ID, first.Start, published)
	}

	step(t, "3. the clock reaches the block: focus starts by itself, dunst pauses")
	// The session's dunst is shared with the other tests: start unpaused.
	exec.Command("dunstctl", "set-paused", "false").Run()
	if dunstPaused(t) {
		t.Fatal("dunst paused before Lull started")
	}
	const speed = 60
	lead := 90 * time.Second
	e.clock = first.Start.Add(-lead).Format(time.RFC3339) + "," + strconv.Itoa(speed)
	mon := startMonitor(t)
	app := startProcess(t, e.home, e.bin, e.env(), "--hidden")
	app.waitAPI(90 * time.Second)
	wait := func(what string, timeout time.Duration, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(timeout); !cond(); time.Sleep(200 * time.Millisecond) {
			if time.Now().After(deadline) {
				digests, _, _ := runWith(t, e.bin, e.env(), "", "digest", "list")
				if os.Getenv("E2E_DUMP") == "1" {
					app.cmd.Process.Signal(syscall.SIGQUIT)
					time.Sleep(time.Second)
				}
				t.Fatalf("timed out waiting for %s\nNotify calls seen: %+v\nlull digest list:\n%s", what, mon.calls(), digests)
			}
		}
	}
	focusing := func() bool {
		var st status
		json.Unmarshal([]byte(e.lull("", "status", "--json")), &st)
		return st.Focusing
	}
	wait("focus to start at the block", 60*time.Second, focusing)
	wait("dunst to pause", 10*time.Second, func() bool { return dunstPaused(t) })

	step(t, "4. five desktop notifications and five API posts are held; one critical breaks through")
	disc := struct {
		Port  int    `json:"port"`
		Token string `json:"token"`
	}{}
	b, _ := os.ReadFile(filepath.Join(e.home, "api.json"))
	json.Unmarshal(b, &disc)
	for i, app := range []string{"Mail", "Mail", "Chat", "Chat", "Calendar"} {
		if out, err := exec.Command("notify-send", "-a", app, fmt.Sprintf("%s message %d", app, i), "body").CombinedOutput(); err != nil {
			t.Fatalf("notify-send: %v %s", err, out)
		}
	}
	for i, src := range []string{"ci", "ci", "deploy", "monitor", "backup"} {
		body := fmt.Sprintf(`{"title":"%s event %d","source":"%s","priority":"normal"}`, src, i, src)
		req, _ := http.NewRequest("POST", fmt.Sprintf("http://127.0.0.1:%d/v1/notifications", disc.Port), strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+disc.Token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		rb, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated || !strings.Contains(string(rb), `"held"`) {
			t.Fatalf("API post %d: %d %s", i, resp.StatusCode, rb)
		}
	}
	if out, err := exec.Command("notify-send", "-u", "critical", "-a", "Pager", "Production is down", "db-1 unreachable").CombinedOutput(); err != nil {
		t.Fatalf("notify-send critical: %v %s", err, out)
	}
	wait("10 held", 20*time.Second, func() bool {
		var st status
		json.Unmarshal([]byte(e.lull("", "status", "--json")), &st)
		return st.Held == 10
	})
	if !focusing() {
		t.Fatal("the block ended before the notifications were all in; the test clock is too fast")
	}

	step(t, "5. the block ends: exactly one digest with \"10 held\", dunst unpaused")
	wait("focus to end with the block", time.Duration(float64(first.End.Sub(first.Start))/speed)+60*time.Second, func() bool { return !focusing() })
	wait("the digest", 20*time.Second, func() bool {
		for _, c := range mon.calls() {
			if c.App == "Lull" && strings.Contains(c.Summary+c.Body, "held") {
				return true
			}
		}
		return false
	})
	wait("dunst to unpause", 10*time.Second, func() bool { return !dunstPaused(t) })
	time.Sleep(2 * time.Second) // a second digest would show up by now
	var digests []notifyCall
	for _, c := range mon.calls() {
		if c.App == "Lull" && strings.Contains(c.Summary+c.Body, "held") {
			digests = append(digests, c)
		}
	}
	if len(digests) != 1 || !strings.Contains(digests[0].Summary+" "+digests[0].Body, "10 held") {
		t.Fatalf("digest notifications on the bus = %+v, want exactly one saying 10 held", digests)
	}
	t.Logf("digest: %q / %q", digests[0].Summary, digests[0].Body)
	// The held originals do not pop up after focus: dunst has nothing
	// waiting, and shows at most the digest and the critical breakthrough.
	waiting, displayed := dunstCount(t, "waiting"), dunstCount(t, "displayed")
	t.Logf("dunst after the block: %d waiting, %d displayed", waiting, displayed)
	if waiting != 0 || displayed > 2 {
		t.Fatalf("dunst after the block: %d waiting, %d displayed; want 0 waiting and at most the digest and the critical one displayed", waiting, displayed)
	}

	step(t, "6. the week's report adds up")
	var rep struct {
		FocusHours   float64 `json:"focus_hours"`
		PlannedHours float64 `json:"planned_hours"`
		KeptHours    float64 `json:"kept_hours"`
		Batched      int     `json:"notifications_batched"`
		Digests      int     `json:"digests_delivered"`
		Interrupts   []struct {
			Source string `json:"source"`
			Title  string `json:"title"`
		} `json:"interruptions"`
	}
	out := e.lull("", "report", "--format", "json")
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	blockHours := first.End.Sub(first.Start).Hours()
	near := func(a, b float64) bool { return a > b-0.02 && a < b+0.02 }
	sort.Slice(rep.Interrupts, func(i, j int) bool { return rep.Interrupts[i].Source < rep.Interrupts[j].Source })
	if !near(rep.FocusHours, blockHours) || !near(rep.PlannedHours, blockHours) || !near(rep.KeptHours, blockHours) ||
		rep.Batched != 10 || rep.Digests != 1 || len(rep.Interrupts) != 1 || rep.Interrupts[0].Title != "Production is down" {
		t.Fatalf("report: focus %.2f h, planned %.2f h, kept %.2f h (want %.2f each), batched %d (want 10), digests %d (want 1), interruptions %+v (want the Pager one)\n%s",
			rep.FocusHours, rep.PlannedHours, rep.KeptHours, blockHours, rep.Batched, rep.Digests, rep.Interrupts, out)
	}

	// The Report tab after the day, drawn from real data (the README's
	// picture with LULL_UPDATE_DOCS=1), in the window a plain `lull` opens.
	e.lull("")
	win := windowID(t, 30*time.Second)
	xdotool(t, "windowfocus", "--sync", win)
	xdotool(t, "key", "--window", win, "ctrl+4")
	shot := steady(t, win, "e2e-day-report.png")
	if os.Getenv("LULL_UPDATE_DOCS") == "1" {
		savePNG(t, shot, filepath.Join(repoRoot(), "docs", "report.png"))
	}
}
