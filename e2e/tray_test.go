//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// ---- the resident process's tray, and the window process it starts ----------

// fakeWindow writes a stand-in for lull-window: it records "pid LULL_HOME
// args" in the returned file and stays up until killed or until its parent
// (the resident process) is gone.
func fakeWindow(t *testing.T) (bin, record string) {
	t.Helper()
	dir := t.TempDir()
	bin, record = filepath.Join(dir, "lull-window"), filepath.Join(dir, "windows")
	script := "#!/bin/sh\necho \"$$ $LULL_HOME $*\" >> '" + record + "'\n" +
		"while kill -0 $PPID 2>/dev/null; do sleep 0.2; done\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, w := range windowsStarted(t, record) {
			syscall.Kill(w.pid, syscall.SIGKILL)
		}
	})
	return bin, record
}

// windowProc is one start of the fake window.
type windowProc struct {
	pid  int
	home string
	args string
}

func windowsStarted(t *testing.T, record string) []windowProc {
	t.Helper()
	b, err := os.ReadFile(record)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []windowProc
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		pid, _ := strconv.Atoi(f[0])
		out = append(out, windowProc{pid: pid, home: f[1], args: strings.Join(f[2:], " ")})
	}
	return out
}

// waitWindows waits until the fake window has started n times.
func waitWindows(t *testing.T, record string, n int) []windowProc {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		w := windowsStarted(t, record)
		if len(w) >= n {
			if len(w) > n {
				t.Fatalf("%d window processes started, want %d: %+v", len(w), n, w)
			}
			return w
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d window processes started after 10 s, want %d", len(w), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// alive reports whether pid runs (and is not a zombie).
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(stat)
	return !strings.HasPrefix(s[strings.LastIndex(s, ")")+1:], " Z")
}

// residentEnv is the environment of a resident whose window is bin.
func residentEnv(home, windowBin string) []string {
	return envWith("LULL_HOME="+home, "LANG=en_US.UTF-8", "LULL_WINDOW_BIN="+windowBin)
}

// startResident starts `lull --hidden` on home with the fake window bin
// and waits for its API and, when w is not nil, its tray.
func startResident(t *testing.T, w *watcher, home, windowBin string) (*instance, dbus.BusObject, trayMenu) {
	t.Helper()
	if w != nil {
		for len(w.reg) > 0 {
			<-w.reg // registrations of processes started before
		}
	}
	app := startProcess(t, home, lullBin(t), residentEnv(home, windowBin), "--hidden")
	app.waitAPI(90 * time.Second)
	if w == nil {
		return app, nil, trayMenu{}
	}
	var it trayItem
	select {
	case it = <-w.reg:
	case <-time.After(30 * time.Second):
		t.Fatalf("the resident did not register a StatusNotifierItem within 30 s\n%s", app.logs.String())
	}
	item := w.conn.Object(it.bus, it.path)
	v, err := item.GetProperty(itemIface + ".Menu")
	if err != nil {
		t.Fatalf("%s.Menu: %v", itemIface, err)
	}
	path, ok := v.Value().(dbus.ObjectPath)
	if !ok || !path.IsValid() {
		t.Fatalf("%s.Menu = %v (%T)", itemIface, v.Value(), v.Value())
	}
	return app, item, trayMenu{t: t, obj: w.conn.Object(it.bus, path)}
}

// statusJSON is `lull status --json` of home.
func statusJSON(t *testing.T, home string) status {
	t.Helper()
	out := mustCLI(t, home, "status", "--json")
	var st status
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, out)
	}
	return st
}

// waitItem polls the menu until an enabled item labelled want is there.
func (m trayMenu) waitItem(want string, timeout time.Duration) *menuNode {
	m.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		root := m.layout()
		if n := root.find(plain(want)); n != nil && n.enabled() {
			return n
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("no enabled %q in the tray menu after %s:\n%s", want, timeout, root)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// rssKB is a process's resident set size in KiB.
func rssKB(t *testing.T, pid int) int {
	t.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return 0
}

// TestTrayMenuOverDBus plays the desktop panel against the resident
// process (`lull --hidden`, which links no GUI toolkit): it owns
// org.kde.StatusNotifierWatcher, receives the tray's registration, reads
// the menu with com.canonical.dbusmenu.GetLayout and clicks items with
// Event: Start focus ▸ 25 min, Deliver digest now (1 held), Stop focus,
// with `lull status --json`, the status line and the icon following; then
// Quit ends the resident and its window.
func TestTrayMenuOverDBus(t *testing.T) {
	needDesktop(t)
	began := time.Now()
	w := ownWatcher(t)
	mon := startMonitor(t)
	bin, record := fakeWindow(t)
	home := onboardedHome(t)
	app, item, m := startResident(t, w, home, bin)
	t.Logf("tray registered after %s", time.Since(began).Round(time.Millisecond))
	if visibleWindow() {
		t.Fatal("the resident showed a window")
	}

	iconIdle := iconPixmap(t, item)
	root := m.waitStatus(regexp.MustCompile(`^Not focusing$`), 10*time.Second)
	t.Logf("tray menu:\n%s", root)
	for _, want := range []string{"Start focus", "25 min", "50 min", "90 min", "Until next meeting", "Stop focus",
		"Deliver digest now (none held)", "Open Lull", "Weekly report", "Quit"} {
		if root.find(plain(want)) == nil {
			t.Errorf("tray menu lacks %q", want)
		}
	}
	for _, off := range []string{"stop focus", "deliver digest now (none held)"} {
		if n := root.find(off); n != nil && n.enabled() {
			t.Errorf("%q is enabled while not focusing with nothing held", off)
		}
	}

	m.click("25 min")
	t.Logf("focusing per lull status after %s", waitFocusing(t, home, true, 10*time.Second).Round(time.Millisecond))
	root = m.waitStatus(regexp.MustCompile(`^Focusing — 2[45] min left$`), 10*time.Second)
	if n := root.find("start focus"); n == nil || n.enabled() {
		t.Error("Start focus is not disabled while focusing")
	}
	deadline := time.Now().Add(5 * time.Second)
	for iconPixmapEqual(iconIdle, iconPixmap(t, item)) {
		if time.Now().After(deadline) {
			t.Error("the tray icon did not change when focus started")
			break
		}
		time.Sleep(100 * time.Millisecond)
	}

	mustCLI(t, home, "notify", "--source", "ci", "--title", "Build failed")
	m.waitItem("Deliver digest now (1 held)", 10*time.Second)
	m.click("Deliver digest now (1 held)")
	m.waitItem("Stop focus", 10*time.Second)
	for deadline := time.Now().Add(10 * time.Second); statusJSON(t, home).Held != 0; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("Deliver digest now left notifications held")
		}
	}
	if !notified(mon, "Lull — 1 held", "Build failed") {
		t.Errorf("no digest naming the held notification reached the desktop: %+v", mon.calls())
	}

	m.click("Stop focus")
	waitFocusing(t, home, false, 10*time.Second)
	root = m.waitStatus(regexp.MustCompile(`^(Not focusing|Next block .*)$`), 10*time.Second)
	if n := root.find("stop focus"); n == nil || n.enabled() {
		t.Error("Stop focus still enabled after stopping")
	}
	deadline = time.Now().Add(5 * time.Second)
	for !iconPixmapEqual(iconIdle, iconPixmap(t, item)) {
		if time.Now().After(deadline) {
			t.Error("the tray icon did not return to idle when focus stopped")
			break
		}
		time.Sleep(100 * time.Millisecond)
	}

	pid := app.cmd.Process.Pid
	time.Sleep(2 * time.Second) // let the clicks' work settle
	t.Logf("resident: %d KiB resident, %.1f wake-ups/s idle", rssKB(t, pid), switchRate(t, pid, 3*time.Second))

	m.click("Open Lull")
	win := waitWindows(t, record, 1)[0]
	m.click("Quit")
	select {
	case <-app.done:
	case <-time.After(20 * time.Second):
		t.Fatal("Quit did not end the resident within 20 s")
	}
	if code := app.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("the resident exited %d after Quit\n%s", code, app.logs.String())
	}
	for deadline := time.Now().Add(10 * time.Second); alive(win.pid); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the window process outlived Quit")
		}
	}
	if _, err := os.Stat(filepath.Join(home, "api.json")); !os.IsNotExist(err) {
		t.Errorf("api.json after Quit: %v", err)
	}
	t.Logf("tray round trip in %s", time.Since(began).Round(time.Millisecond))
}

// TestTrayWhileHidden: the resident shows no window of its own; the tray's
// Open Lull, Weekly report, a tap on the icon and a plain `lull` start the
// window process (one at a time, with the data directory and the tab),
// and once it was killed the next click starts a new one.
func TestTrayWhileHidden(t *testing.T) {
	needDesktop(t)
	w := ownWatcher(t)
	bin, record := fakeWindow(t)
	home := onboardedHome(t)
	_, item, m := startResident(t, w, home, bin)
	m.waitStatus(regexp.MustCompile(`^Not focusing$`), 10*time.Second)
	if visibleWindow() {
		t.Fatal("lull --hidden showed a window")
	}

	start := time.Now()
	m.click("Open Lull")
	first := waitWindows(t, record, 1)[0]
	t.Logf("Open Lull: window process started after %s", time.Since(start).Round(time.Millisecond))
	if first.home != home || first.args != "" {
		t.Fatalf("window started with LULL_HOME %q and args %q, want %q and none", first.home, first.args, home)
	}
	// While it runs, the next requests raise it instead of starting another.
	m.click("Weekly report")
	if call := item.Call(itemIface+".Activate", 0, int32(0), int32(0)); call.Err != nil {
		t.Fatalf("Activate: %v", call.Err)
	}
	if out, errOut, code := runWith(t, lullBin(t), residentEnv(home, bin), ""); code != 0 || !strings.Contains(out, "showing its window") {
		t.Errorf("plain lull with the resident running: exit %d, %q %q", code, out, errOut)
	}
	time.Sleep(time.Second) // a second window would have started by now
	waitWindows(t, record, 1)

	// kill -9 of the window: the tray goes on, the next click starts anew.
	if err := syscall.Kill(first.pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // the resident reaps it
	m.click("Weekly report")
	second := waitWindows(t, record, 2)[1]
	if second.pid == first.pid || second.args != "--tab report" {
		t.Fatalf("after kill -9, Weekly report started %+v, want a new window on the report", second)
	}
	m.click("25 min")
	waitFocusing(t, home, true, 10*time.Second)
	syscall.Kill(second.pid, syscall.SIGKILL)
	time.Sleep(500 * time.Millisecond)
	if call := item.Call(itemIface+".Activate", 0, int32(0), int32(0)); call.Err != nil {
		t.Fatalf("Activate: %v", call.Err)
	}
	third := waitWindows(t, record, 3)[2]
	if third.args != "" {
		t.Fatalf("tapping the icon started a window with %q", third.args)
	}
	if st := statusJSON(t, home); !st.Focusing {
		t.Fatal("focus stopped when the window was killed")
	}
}

// TestTrayWindowNotInstalled: with no window binary, Open Lull says so in
// a notification naming where Lull looked, and the tray carries on.
func TestTrayWindowNotInstalled(t *testing.T) {
	needDesktop(t)
	w := ownWatcher(t)
	mon := startMonitor(t)
	home := onboardedHome(t)
	missing := filepath.Join(t.TempDir(), "lull-window")
	_, _, m := startResident(t, w, home, missing)
	m.waitStatus(regexp.MustCompile(`^Not focusing$`), 10*time.Second)
	m.click("Open Lull")
	deadline := time.Now().Add(10 * time.Second)
	for !notified(mon, "Lull cannot open its window", "The window is not installed beside lull: LULL_WINDOW_BIN="+missing) {
		if time.Now().After(deadline) {
			t.Fatalf("no notice about the missing window: %+v", mon.calls())
		}
		time.Sleep(100 * time.Millisecond)
	}
	m.click("25 min")
	waitFocusing(t, home, true, 10*time.Second)
}

// TestPlainLullStartsTheResidentAndTheWindow: with nothing running, a
// plain `lull` starts the resident in the tray (detached) and the window;
// a second `lull` starts neither again.
func TestPlainLullStartsTheResidentAndTheWindow(t *testing.T) {
	needDesktop(t)
	bin, record := fakeWindow(t)
	home := onboardedHome(t)
	lull := lullBin(t)
	t.Cleanup(func() {
		for _, pid := range trayInstances(t, lull, home) {
			stopPid(pid)
		}
	})
	out, errOut, code := runWith(t, lull, residentEnv(home, bin), "")
	if code != 0 || !strings.Contains(errOut, "started it in the tray") {
		t.Fatalf("lull: exit %d\n%s%s", code, out, errOut)
	}
	waitWindows(t, record, 1)
	pids := trayInstances(t, lull, home)
	if len(pids) != 1 {
		t.Fatalf("%d residents run, want 1", len(pids))
	}
	out, errOut, code = runWith(t, lull, residentEnv(home, bin), "")
	if code != 0 || !strings.Contains(out, "showing its window") {
		t.Fatalf("second lull: exit %d\n%s%s", code, out, errOut)
	}
	time.Sleep(time.Second)
	waitWindows(t, record, 1)
	if pids := trayInstances(t, lull, home); len(pids) != 1 {
		t.Fatalf("after a second lull %d residents run", len(pids))
	}
}

// TestNoTrayDesktop: on a desktop with no StatusNotifierWatcher (this
// session has none unless a test provides one), the resident says so once
// as a notification after its grace and starts the window minimised, so
// the task bar has Lull. (What the window does on close there is the
// window's test.)
func TestNoTrayDesktop(t *testing.T) {
	needDesktop(t)
	mon := startMonitor(t)
	bin, record := fakeWindow(t)
	home := onboardedHome(t)
	startResident(t, nil, home, bin)
	deadline := time.Now().Add(60 * time.Second)
	count := func() int {
		n := 0
		for _, c := range mon.calls() {
			if c.App == "Lull" && c.Summary == "Lull is running without a tray icon" {
				n++
			}
		}
		return n
	}
	for count() == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no no-tray notification; calls: %+v", mon.calls())
		}
		time.Sleep(500 * time.Millisecond)
	}
	if win := waitWindows(t, record, 1)[0]; win.args != "--minimized" {
		t.Fatalf("the window started with %q, want --minimized", win.args)
	}
	time.Sleep(2 * time.Second)
	if n := count(); n != 1 {
		t.Errorf("%d no-tray notices, want 1", n)
	}
}

// TestTrayResumeOverDBus: on the accelerated test clock (-tags lulltest),
// an accepted block starts focus by itself; Stop focus in the tray offers
// "Resume block — N min left", and clicking it resumes the block.
func TestTrayResumeOverDBus(t *testing.T) {
	needDesktop(t)
	w := ownWatcher(t)
	win, _ := fakeWindow(t)
	e := &dayEnv{t: t, bin: testBinary(t), home: t.TempDir(), clock: "2026-12-07T07:00:00Z,1"}
	e.lull("", "settings", "set", "zone", "UTC")
	e.lull("", "settings", "set", "onboarded", "true")
	e.lull("", "calendar", "add", "file", filepath.Join(repoRoot(), "cmd", "lull", "testdata", "week.ics"), "--name", "Work")
	var plan struct {
		Blocks []struct {
			ID    string    `json:"id"`
			Start time.Time `json:"start"`
			End   time.Time `json:"end"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(e.lull("", "plan", "--sync", "--format", "json")), &plan); err != nil || len(plan.Blocks) == 0 {
		t.Fatalf("plan: %v %+v", err, plan)
	}
	first := plan.Blocks[0]
	for _, b := range plan.Blocks {
		if b.Start.Before(first.Start) {
			first = b
		}
	}
	e.lull("", "plan", "accept", first.ID)

	// The resident starts 20 s (of test time) before the block, ten times
	// as fast as real time.
	e.clock = first.Start.Add(-20*time.Second).Format(time.RFC3339) + ",10"
	for len(w.reg) > 0 {
		<-w.reg
	}
	app := startProcess(t, e.home, e.bin, append(e.env(), "LULL_WINDOW_BIN="+win), "--hidden")
	app.waitAPI(90 * time.Second)
	var it trayItem
	select {
	case it = <-w.reg:
	case <-time.After(30 * time.Second):
		t.Fatalf("no StatusNotifierItem within 30 s\n%s", app.logs.String())
	}
	item := w.conn.Object(it.bus, it.path)
	v, err := item.GetProperty(itemIface + ".Menu")
	if err != nil {
		t.Fatal(err)
	}
	m := trayMenu{t: t, obj: w.conn.Object(it.bus, v.Value().(dbus.ObjectPath))}
	m.waitStatus(regexp.MustCompile(`^Focusing — `), 30*time.Second)
	m.click("Stop focus")
	m.waitStatus(regexp.MustCompile(`^Not focusing$`), 10*time.Second)
	resume := regexp.MustCompile(`^Resume block — .* left$`)
	var label string
	for deadline := time.Now().Add(10 * time.Second); label == ""; time.Sleep(100 * time.Millisecond) {
		for _, c := range m.layout().Children {
			if resume.MatchString(c.label()) && c.enabled() {
				label = c.label()
			}
		}
		if label == "" && time.Now().After(deadline) {
			t.Fatalf("no Resume block item after stopping the block:\n%s", m.layout())
		}
	}
	t.Logf("offered %q", label)
	// The minutes move on (the item keeps its id): click whatever it says.
	m.click(label)
	m.waitStatus(regexp.MustCompile(`^Focusing — `), 10*time.Second)
	var st struct {
		Focus struct {
			BlockID    string    `json:"block_id"`
			PlannedEnd time.Time `json:"planned_end"`
		} `json:"focus"`
	}
	if err := json.Unmarshal([]byte(e.lull("", "status", "--json")), &st); err != nil {
		t.Fatal(err)
	}
	if st.Focus.BlockID != first.ID || !st.Focus.PlannedEnd.Equal(first.End) {
		t.Fatalf("resumed %+v, want block %s until %s", st.Focus, first.ID, first.End)
	}
}
