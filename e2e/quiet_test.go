//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// quietStatus is the part of `lull status --json` about quiet.
type quietStatus struct {
	Running    bool   `json:"running"`
	Focusing   bool   `json:"focusing"`
	Held       int    `json:"held"`
	StatusLine string `json:"status_line"`
	Quiet      struct {
		Meeting      bool   `json:"meeting"`
		MeetingTitle string `json:"meeting_title"`
		Presenting   bool   `json:"presenting"`
		PresentingBy string `json:"presenting_by"`
	} `json:"quiet"`
}

// quietEnv runs the CLI with env and waits for states.
type quietEnv struct {
	t   *testing.T
	bin string
	env []string
	mon *busMonitor
	app *instance
}

func (e *quietEnv) lull(args ...string) string {
	e.t.Helper()
	out, errOut, code := runWith(e.t, e.bin, e.env, "", args...)
	if code != 0 {
		e.t.Fatalf("lull %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func (e *quietEnv) status() quietStatus {
	e.t.Helper()
	var st quietStatus
	if err := json.Unmarshal([]byte(e.lull("status", "--json")), &st); err != nil {
		e.t.Fatal(err)
	}
	return st
}

// wait polls cond with a generous deadline (a loaded machine).
func (e *quietEnv) wait(what string, timeout time.Duration, cond func(quietStatus) bool) quietStatus {
	e.t.Helper()
	for deadline := time.Now().Add(timeout); ; time.Sleep(200 * time.Millisecond) {
		st := e.status()
		if cond(st) {
			return st
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting for %s; status %+v\nNotify calls: %+v\napp output:\n%s", what, st, e.mon.calls(), e.app.logs.String())
		}
	}
}

// digestsFromLull are the Notify calls Lull made for digests.
func (e *quietEnv) digestsFromLull() []notifyCall {
	var out []notifyCall
	for _, c := range e.mon.calls() {
		if strings.HasPrefix(c.Summary, "Lull — ") && strings.Contains(c.Summary, "held") {
			out = append(out, c)
		}
	}
	return out
}

func notifySend(t *testing.T, app, summary string) {
	t.Helper()
	if out, err := exec.Command("notify-send", "-a", app, summary, "body").CombinedOutput(); err != nil {
		t.Fatalf("notify-send: %v %s", err, out)
	}
}

// TestMeetingHoldWithDunst: the real binary on an accelerated clock, a
// calendar file with a meeting covering now: a desktop notification sent
// with notify-send during it is held (dunst paused, nothing displayed),
// `lull status` says "In a meeting", and the meeting's end delivers one
// digest and un-pauses dunst.
func TestMeetingHoldWithDunst(t *testing.T) {
	needDesktop(t)
	for _, tool := range []string{"notify-send", "dunstctl", "dbus-monitor"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found", tool)
		}
	}
	start := time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC)
	cal := fmt.Sprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"+
		"BEGIN:VEVENT\r\nUID:sync@test\r\nDTSTAMP:20261201T000000Z\r\nSUMMARY:Weekly sync\r\n"+
		"DTSTART:%s\r\nDTEND:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		start.Format("20060102T150405Z"), start.Add(20*time.Minute).Format("20060102T150405Z"))
	home := t.TempDir()
	ics := filepath.Join(t.TempDir(), "work.ics")
	if err := os.WriteFile(ics, []byte(cal), 0o600); err != nil {
		t.Fatal(err)
	}
	// 40× from 10:00:30: the 20-minute meeting ends about 30 s later.
	const speed = 40
	clock := start.Add(30*time.Second).Format(time.RFC3339) + "," + strconv.Itoa(speed)
	e := &quietEnv{t: t, bin: testBinary(t),
		env: envWith("LULL_HOME="+home, "LANG=en_US.UTF-8", "TZ=UTC", "LULL_TEST_CLOCK="+clock)}
	e.lull("settings", "set", "zone", "UTC")
	e.lull("settings", "set", "onboarded", "true")
	e.lull("settings", "set", "digest-times", "none")
	e.lull("calendar", "add", "file", ics, "--name", "Work")

	exec.Command("dunstctl", "set-paused", "false").Run()
	exec.Command("dunstctl", "close-all").Run()
	e.mon = startMonitor(t)
	// With no tray on this desktop the resident starts its window
	// (minimised) after a while; it must not outlive the test.
	killWindowsAtEnd(t, home)
	e.app = startProcess(t, home, e.bin, e.env, "--hidden")
	e.app.waitAPI(90 * time.Second)

	step(t, "1. the meeting holds: status says so, dunst pauses")
	st := e.wait("the meeting to hold", 30*time.Second, func(st quietStatus) bool { return st.Quiet.Meeting })
	if st.Quiet.MeetingTitle != "Weekly sync" || !strings.HasPrefix(st.StatusLine, "In a meeting — ") || st.Focusing {
		t.Fatalf("status in the meeting: %+v", st)
	}
	text := e.lull("status")
	if !strings.Contains(text, "In a meeting — ") || !strings.Contains(text, "Weekly sync until 10:20") {
		t.Fatalf("lull status in the meeting:\n%s", text)
	}
	wait := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	wait("dunst to pause", func() bool { return dunstPaused(t) })

	step(t, "2. notify-send during the meeting: held, dunst shows nothing")
	notifySend(t, "Chat", "Lunch at noon?")
	st = e.wait("the notification to be held", 20*time.Second, func(st quietStatus) bool { return st.Held >= 1 })
	if !st.Quiet.Meeting {
		t.Fatalf("the meeting ended before the check (machine too slow for %d×): %+v", speed, st)
	}
	if n := dunstCount(t, "displayed"); n != 0 {
		t.Fatalf("dunst displays %d notifications during the meeting", n)
	}

	step(t, "3. the meeting ends: one digest, dunst un-pauses")
	e.wait("the meeting to end", 90*time.Second, func(st quietStatus) bool { return !st.Quiet.Meeting })
	wait("the digest", func() bool { return len(e.digestsFromLull()) == 1 })
	wait("dunst to un-pause", func() bool { return !dunstPaused(t) })
	if d := e.digestsFromLull()[0]; !strings.Contains(d.Summary, "1 held") || !strings.Contains(d.Body, "Chat") {
		t.Fatalf("digest %+v", d)
	}
	if list := e.lull("digest", "list"); !strings.Contains(list, "meeting") {
		t.Fatalf("lull digest list does not say the meeting ended:\n%s", list)
	}
	time.Sleep(2 * time.Second)
	if n := len(e.digestsFromLull()); n != 1 {
		t.Fatalf("%d digests, want one", n)
	}
	report := e.lull("report")
	if !strings.Contains(report, "held quiet in 1 meeting") {
		t.Fatalf("lull report has no meeting load:\n%s", report)
	}
}

// TestFullscreenPresenting: under Xvfb with a real window manager
// (openbox), a window made fullscreen with wmctrl makes Lull present:
// `lull status` says so and a notification is held even though a keyword
// matches; leaving fullscreen delivers the digest. `lull present on|off`
// does the same by hand.
func TestFullscreenPresenting(t *testing.T) {
	needDesktop(t)
	for _, tool := range []string{"openbox", "wmctrl", "xmessage", "notify-send", "dbus-monitor"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found (scripts/deps.sh SESSION_PACKAGES)", tool)
		}
	}
	wm := exec.Command("openbox", "--sm-disable")
	wm.Env = envWith("HOME=" + t.TempDir())
	if err := wm.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		wm.Process.Kill()
		wm.Wait()
		// A killed window manager leaves its EWMH check on the root window;
		// the next tests start on a clean desktop (a stale one is
		// TestWindowAfterTheWindowManagerDied's case).
		exec.Command("xprop", "-root", "-remove", "_NET_SUPPORTING_WM_CHECK").Run()
	})
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if out, err := exec.Command("wmctrl", "-m").CombinedOutput(); err == nil && strings.Contains(string(out), "Openbox") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("openbox did not start")
		}
	}

	home := onboardedHome(t)
	e := &quietEnv{t: t, bin: lullBin(t), env: appEnv(home)}
	e.lull("settings", "set", "keywords", "outage")
	exec.Command("dunstctl", "set-paused", "false").Run()
	e.mon = startMonitor(t)
	// With no tray on this desktop the resident starts its window
	// (minimised) after a while; it must not outlive the test.
	killWindowsAtEnd(t, home)
	e.app = startProcess(t, home, e.bin, e.env, "--hidden")
	e.app.waitAPI(90 * time.Second)
	if st := e.status(); st.Quiet.Presenting {
		t.Fatalf("presenting before any fullscreen window: %+v", st)
	}

	step(t, "1. a fullscreen window: Lull presents")
	name := fmt.Sprintf("lull-slides-%d", time.Now().UnixNano())
	xm := exec.Command("xmessage", "-name", name, "Slides")
	if err := xm.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { xm.Process.Kill(); xm.Wait() })
	var wid string
	for deadline := time.Now().Add(20 * time.Second); wid == ""; time.Sleep(100 * time.Millisecond) {
		out, _ := exec.Command("xdotool", "search", "--classname", name).Output()
		wid = strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
		if time.Now().After(deadline) {
			t.Fatal("the xmessage window did not appear")
		}
	}
	exec.Command("xdotool", "windowactivate", "--sync", wid).Run()
	if out, err := exec.Command("wmctrl", "-i", "-r", wid, "-b", "add,fullscreen").CombinedOutput(); err != nil {
		t.Fatalf("wmctrl fullscreen: %v %s", err, out)
	}
	st := e.wait("presenting", 20*time.Second, func(st quietStatus) bool { return st.Quiet.Presenting })
	if st.Quiet.PresentingBy != "fullscreen" || !strings.HasPrefix(st.StatusLine, "Presenting (fullscreen)") {
		t.Fatalf("status while fullscreen: %+v", st)
	}
	if text := e.lull("status"); !strings.Contains(text, "Presenting:") || !strings.Contains(text, "a window is fullscreen") {
		t.Fatalf("lull status while fullscreen:\n%s", text)
	}

	step(t, "2. notifications are held, a keyword does not break through")
	notifySend(t, "Mail", "outage in prod")
	notifySend(t, "Chat", "coffee?")
	e.wait("two held", 20*time.Second, func(st quietStatus) bool { return st.Held >= 2 })
	if len(e.digestsFromLull()) != 0 {
		t.Fatalf("a digest while presenting: %+v", e.mon.calls())
	}
	if out := e.lull("present", "off"); !strings.Contains(out, "Still presenting") {
		t.Fatalf("lull present off while fullscreen: %q", out)
	}

	step(t, "3. leaving fullscreen ends it: one digest")
	if out, err := exec.Command("wmctrl", "-i", "-r", wid, "-b", "remove,fullscreen").CombinedOutput(); err != nil {
		t.Fatalf("wmctrl: %v %s", err, out)
	}
	e.wait("presenting to end", 20*time.Second, func(st quietStatus) bool { return !st.Quiet.Presenting })
	for deadline := time.Now().Add(20 * time.Second); len(e.digestsFromLull()) == 0; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no digest after presenting: %+v", e.mon.calls())
		}
	}
	if d := e.digestsFromLull()[0]; !strings.Contains(d.Summary, "2 held") {
		t.Fatalf("digest %+v", d)
	}

	step(t, "4. lull present on | off by hand")
	if out := e.lull("present", "on"); !strings.HasPrefix(out, "Presenting — ") {
		t.Fatalf("lull present on: %q", out)
	}
	if st := e.status(); !st.Quiet.Presenting || st.Quiet.PresentingBy != "you" {
		t.Fatalf("after present on: %+v", st)
	}
	if out := e.lull("present", "off"); strings.Contains(out, "Presenting") {
		t.Fatalf("lull present off: %q", out)
	}
	if st := e.status(); st.Quiet.Presenting {
		t.Fatalf("after present off: %+v", st)
	}
	if report := e.lull("report"); !strings.Contains(report, "presenting") {
		t.Fatalf("lull report has no presenting time:\n%s", report)
	}
}

// TestWindowAfterTheWindowManagerDied: a window manager that died leaves
// _NET_SUPPORTING_WM_CHECK on the root window naming a window that is
// gone; GLFW's EWMH check then leaves its X error handler grabbed and the
// window process aborts on an assertion as it creates its window (glfw
// issue 2601). Lull's window clears the stale property first and opens.
func TestWindowAfterTheWindowManagerDied(t *testing.T) {
	needDesktop(t)
	gone := leaveStaleWMCheck()
	if gone == 0 || wmCheck() != gone {
		t.Fatalf("the stale check is not set: left %#x, root names %#x", gone, wmCheck())
	}
	t.Cleanup(func() { exec.Command("xprop", "-root", "-remove", "_NET_SUPPORTING_WM_CHECK").Run() })
	home := onboardedHome(t)
	keepDigestsAway(t, home)
	startApp(t, home)
	win := windowID(t, 60*time.Second)
	screenshot(t, win, "e2e-window-after-wm-died.png")
	if w := wmCheck(); w == gone {
		t.Errorf("the stale check %#x is still on the root window", w)
	}
	if raw, _ := os.ReadFile(filepath.Join(home, "window.log")); strings.Contains(string(raw), "Assertion") {
		t.Errorf("window.log has GLFW's abort:\n%s", raw)
	}
}
