//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestKill9WindowAndResident is issue 14's reliability on the real
// binaries: the window process and the resident process are separate, so
//   - two window processes never run on one data directory, however many
//     `lull` and `lull-window` start at once;
//   - kill -9 of the window during focus leaves focus running and
//     notifications held, and the next `lull` opens a new window;
//   - kill -9 of the resident leaves the window up saying so, and Restart
//     Lull (its Ctrl+R) starts a resident that lost nothing acknowledged.
func TestKill9WindowAndResident(t *testing.T) {
	needDesktop(t)
	home := onboardedHome(t)
	resident := startApp(t, home)
	// The resident the window restarts is the window's child, not the
	// test's: it goes when the test ends, before the window processes
	// (registered first, so run last), or it could start another one.
	t.Cleanup(func() {
		for _, pid := range procsOf(t, lullBin(t), home) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	first := waitWindowProcs(t, home, 1, 60*time.Second)[0]
	windowID(t, 60*time.Second)

	mustCLI(t, home, "focus", "start", "90m")
	if out := mustCLI(t, home, "notify", "--source", "ci", "--title", "Build 42 failed"); !strings.Contains(out, "Held") {
		t.Fatalf("notify during focus: %q", out)
	}

	// Never two windows: three `lull` and two `lull-window` at once.
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out, errOut string
			var code int
			if i < 3 {
				out, errOut, code = runCLI(t, home, "")
			} else {
				out, errOut, code = runWith(t, windowBin(t), residentEnv(home, windowBin(t)), "")
			}
			if code != 0 {
				t.Errorf("start %d while the window is open: exit %d, %q %q", i, code, out, errOut)
			}
		}()
	}
	wg.Wait()
	time.Sleep(2 * time.Second) // a second window would be running by now
	if got := windowProcs(t, home); len(got) != 1 || got[0] != first {
		t.Fatalf("window processes after five more starts: %v, want only %d", got, first)
	}

	// kill -9 of the window during focus.
	if err := syscall.Kill(first, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitWindowProcs(t, home, 0, 10*time.Second)
	if st := statusJSON(t, home); !st.Running || !st.Focusing || st.Held != 1 {
		t.Fatalf("after kill -9 of the window: %+v, want focus running and 1 held", st)
	}
	if out := mustCLI(t, home, "notify", "--source", "ci", "--title", "Build 43 failed"); !strings.Contains(out, "Held") {
		t.Fatalf("notify after the window was killed: %q", out)
	}
	mustCLI(t, home) // Open Lull again: a new window
	second := waitWindowProcs(t, home, 1, 60*time.Second)[0]
	if second == first {
		t.Fatalf("the new window has the killed one's pid %d", first)
	}
	win := windowID(t, 60*time.Second)

	// kill -9 of the resident: the window stays and says so.
	resident.kill9()
	waitWindowLog(t, home, "Lull stopped running", 30*time.Second)
	if got := windowProcs(t, home); len(got) != 1 || got[0] != second {
		t.Fatalf("window processes after kill -9 of the resident: %v, want %d still", got, second)
	}
	stopped := steady(t, win, "e2e-resident-stopped.png")
	if out, _, code := runCLI(t, home, "", "status"); code != 0 || !strings.Contains(out, "Lull is not running") {
		t.Fatalf("status with the resident killed: exit %d, %q", code, out)
	}

	// Restart Lull from the window: nothing acknowledged is lost.
	xdotool(t, "key", "--window", win, "ctrl+r")
	waitWindowLog(t, home, "Lull runs again", 90*time.Second)
	st := statusJSON(t, home)
	if !st.Running || st.PID == resident.cmd.Process.Pid || st.Held != 2 {
		t.Fatalf("after Restart Lull: %+v, want a new resident holding both notifications", st)
	}
	if got := windowProcs(t, home); len(got) != 1 || got[0] != second {
		t.Fatalf("window processes after the restart: %v, want %d", got, second)
	}
	// The window reads the new resident's state: the notice goes, and
	// the crashed session shows as ended.
	settled(t, win, "e2e-resident-restarted.png", stopped, func() {})
	// The new resident did not start this window, yet a plain `lull`
	// raises it instead of starting another.
	if out, errOut, code := runCLI(t, home, ""); code != 0 {
		t.Fatalf("lull after the restart: exit %d, %q %q", code, out, errOut)
	}
	time.Sleep(2 * time.Second)
	if got := windowProcs(t, home); len(got) != 1 || got[0] != second {
		t.Fatalf("window processes after lull with the restarted resident: %v, want %d", got, second)
	}
}

// waitWindowLog waits until the window process's log (window.log in home)
// holds want.
func waitWindowLog(t *testing.T, home, want string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		log, _ := os.ReadFile(filepath.Join(home, "window.log"))
		if strings.Contains(string(log), want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("window.log does not say %q within %s:\n%s", want, timeout, log)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestTrayOpensTheRealWindow: the tray of the resident, driven over D-Bus,
// opens the real window process: "Open Lull" starts it and it is drawn,
// "Weekly report" shows the Report tab in that same process, and Quit ends
// both processes.
func TestTrayOpensTheRealWindow(t *testing.T) {
	needDesktop(t)
	w := ownWatcher(t)
	home := onboardedHome(t)
	killWindowsAtEnd(t, home)
	resident, _, m := startResident(t, w, home, windowBin(t))
	m.waitItem("Open Lull", 10*time.Second)

	m.click("Open Lull")
	pid := waitWindowProcs(t, home, 1, 60*time.Second)[0]
	win := windowID(t, 60*time.Second)
	today := steady(t, win, "e2e-tray-open-lull.png")

	settled(t, win, "e2e-tray-weekly-report.png", today, func() { m.click("Weekly report") })
	if got := windowProcs(t, home); len(got) != 1 || got[0] != pid {
		t.Fatalf("window processes after Weekly report: %v, want only %d", got, pid)
	}

	m.click("Quit")
	select {
	case <-resident.done:
	case <-time.After(20 * time.Second):
		t.Fatal("the resident did not end within 20 s of Quit")
	}
	waitWindowProcs(t, home, 0, 20*time.Second)
}
