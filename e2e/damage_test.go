//go:build e2e

package e2e

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDamagedDatabaseE2E damages lull.db the ways the outside attack did
// (cut at half: bbolt faulted with SIGSEGV; a page's type byte changed:
// bbolt's assertion panicked) and runs the real binary on it: `lull
// status` and `lull --hidden` (the app's start) exit 1 with the file, what
// is wrong and what to do, write no stack trace (to the terminal or the
// crash log), and leave the file as it was; `lull --start-fresh` keeps it
// aside and starts.
func TestDamagedDatabaseE2E(t *testing.T) {
	needDesktop(t)
	for _, kind := range []string{"cut at half", "page type changed"} {
		t.Run(kind, func(t *testing.T) {
			home := onboardedHome(t)
			// Some data, so the file has more than its first pages.
			for i := range 30 {
				mustCLI(t, home, "calendar", "add", "file", filepath.Join(repoRoot(), "cmd", "lull", "testdata", "week.ics"), "--name", "cal"+string(rune('a'+i%26))+string(rune('a'+i/26)))
			}
			path := filepath.Join(home, "lull.db")
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			ps := int(binary.NativeEndian.Uint32(data[16+8:]))
			root := int(binary.NativeEndian.Uint64(data[16+16:]))
			switch kind {
			case "cut at half":
				data = data[:len(data)/2/ps*ps]
			case "page type changed":
				data[root*ps+8] = 0x20
			}
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			mon := startMonitor(t)
			for _, args := range [][]string{{"status"}, {"--hidden"}} {
				start := time.Now()
				out, errOut, code := runCLI(t, home, "", args...)
				t.Logf("lull %s: exit %d after %s\n%s%s", strings.Join(args, " "), code, time.Since(start).Round(time.Millisecond), out, errOut)
				if code != 1 {
					t.Errorf("lull %s: exit %d, want 1", strings.Join(args, " "), code)
				}
				for _, want := range []string{path, "is damaged", "Restore it from a backup", "lull --start-fresh"} {
					if !strings.Contains(errOut, want) {
						t.Errorf("lull %s: stderr lacks %q", strings.Join(args, " "), want)
					}
				}
				for _, crash := range []string{"goroutine ", "panic:", "fatal error", "SIGSEGV", "SIGBUS"} {
					if strings.Contains(out+errOut, crash) {
						t.Errorf("lull %s: output holds %q", strings.Join(args, " "), crash)
					}
				}
				if after, _ := os.ReadFile(path); !bytes.Equal(after, data) {
					t.Fatalf("lull %s changed the damaged file", strings.Join(args, " "))
				}
			}
			if crash, _ := os.ReadFile(filepath.Join(home, "crash.log")); len(crash) > 0 {
				t.Errorf("crash.log:\n%s", crash)
			}
			// The app's start said it on the desktop too (nobody reads the
			// stderr of an app started at login).
			deadline := time.Now().Add(10 * time.Second)
			for !notified(mon, "Lull cannot open your data", path) {
				if time.Now().After(deadline) {
					t.Fatalf("no desktop notification about the damaged data: %+v", mon.calls())
				}
				time.Sleep(100 * time.Millisecond)
			}
			// Start fresh: the damaged file is kept, the app starts.
			app := startProcess(t, home, lullBin(t), appEnv(home), "--start-fresh")
			app.waitAPI(90 * time.Second)
			kept, _ := filepath.Glob(path + ".damaged-*")
			if len(kept) != 2 {
				t.Fatalf("kept %v, want the database and its journal", kept)
			}
			for _, k := range kept {
				if b, _ := os.ReadFile(k); !strings.HasSuffix(k, "-notify-journal") && !bytes.Equal(b, data) {
					t.Errorf("%s does not hold the damaged file", k)
				}
			}
		})
	}
}

func notified(m *busMonitor, summary, body string) bool {
	for _, c := range m.calls() {
		if c.Summary == summary && strings.Contains(c.Body, body) {
			return true
		}
	}
	return false
}

// TestHiddenStartRaceE2E starts `lull --hidden` twice in the same data
// directory, the second while the first is still starting: the second
// finds the data locked, waits for the first one's API and exits 0
// without showing anything; no window appears.
func TestHiddenStartRaceE2E(t *testing.T) {
	needDesktop(t)
	home := onboardedHome(t)
	first := startProcess(t, home, lullBin(t), appEnv(home), "--hidden")
	time.Sleep(50 * time.Millisecond)
	out, errOut, code := runWith(t, lullBin(t), appEnv(home), "", "--hidden")
	if code != 0 {
		t.Fatalf("second lull --hidden: exit %d\n%s%s", code, out, errOut)
	}
	first.waitAPI(90 * time.Second)
	time.Sleep(time.Second) // a show request would have opened the window by now
	if visibleWindow() {
		t.Fatalf("a window appeared; second start said:\n%s%s", out, errOut)
	}
	select {
	case <-first.done:
		t.Fatalf("the first instance exited:\n%s", first.logs.String())
	default:
	}
}
