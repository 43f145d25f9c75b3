//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// trayInstances lists the pids of `lull --hidden` processes of bin running
// on home (found through /proc: their arguments and LULL_HOME).
func trayInstances(t *testing.T, bin, home string) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	binReal, _ := filepath.EvalSymlinks(bin)
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err1 := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		environ, err2 := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		exe, err3 := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		args := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
		if strings.TrimSuffix(exe, " (deleted)") != binReal || len(args) != 2 || args[1] != "--hidden" {
			continue
		}
		if bytes.Contains(append([]byte{0}, environ...), []byte("\x00LULL_HOME="+home+"\x00")) {
			stat, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
			if s := string(stat); strings.Contains(s, ") Z ") {
				continue // exited, not yet reaped
			}
			out = append(out, pid)
		}
	}
	return out
}

// sessionOf reads a process's session id from /proc (field 6 of stat).
func sessionOf(t *testing.T, pid int) int {
	t.Helper()
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(stat)
	f := strings.Fields(s[strings.LastIndex(s, ")")+1:]) // state ppid pgrp session …
	sid, _ := strconv.Atoi(f[3])
	return sid
}

// stopPid ends a process this test started (indirectly): SIGTERM, then
// SIGKILL if it lingers.
func stopPid(pid int) {
	syscall.Kill(pid, syscall.SIGTERM)
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if syscall.Kill(pid, 0) != nil {
			return
		}
	}
	syscall.Kill(pid, syscall.SIGKILL)
}

// TestCommandsStartLullInTheTray: with no Lull running, two `lull focus
// start 25m` at once (two keyboard shortcuts) start exactly one Lull in the
// tray, in its own session, and both succeed; one says it started Lull.
func TestCommandsStartLullInTheTray(t *testing.T) {
	needDesktop(t)
	bin := lullBin(t)
	home := onboardedHome(t)
	t.Cleanup(func() {
		for _, pid := range trayInstances(t, bin, home) {
			stopPid(pid)
		}
	})
	if pids := trayInstances(t, bin, home); len(pids) != 0 {
		t.Fatalf("set-up: Lull already runs on %s: %v", home, pids)
	}
	type res struct {
		out, errOut string
		code        int
	}
	results := make([]res, 2)
	var wg sync.WaitGroup
	began := time.Now()
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, errOut, code := runCLI(t, home, "", "focus", "start", "25m")
			results[i] = res{out, errOut, code}
		}()
	}
	wg.Wait()
	t.Logf("both commands done after %s", time.Since(began).Round(time.Millisecond))
	started := 0
	for i, r := range results {
		t.Logf("command %d: exit %d, stdout %q, stderr %q", i, r.code, r.out, r.errOut)
		if r.code != 0 || !strings.Contains(r.out, "Focusing — 25 min left") {
			t.Errorf("command %d failed: exit %d, %q %q", i, r.code, r.out, r.errOut)
		}
		if strings.Contains(r.errOut, "Lull was not running; started it in the tray.") {
			started++
		}
	}
	if started != 1 {
		t.Errorf("%d commands say they started Lull, want 1", started)
	}
	// Let a process that lost a race (there should be none) exit.
	time.Sleep(2 * time.Second)
	pids := trayInstances(t, bin, home)
	if len(pids) != 1 {
		t.Fatalf("Lull runs %d times in the tray (%v), want once", len(pids), pids)
	}
	out, errOut, code := runCLI(t, home, "", "status", "--json")
	var st status
	if code != 0 || json.Unmarshal([]byte(out), &st) != nil || !st.Running || st.PID != pids[0] || !st.Focusing {
		t.Fatalf("status: %d %q %q, want the tray instance %d focusing", code, out, errOut, pids[0])
	}
	// Detached: its own session, so the command's terminal cannot stop it.
	if sid := sessionOf(t, pids[0]); sid != pids[0] {
		t.Errorf("the tray instance's session is %d, want its own (%d)", sid, pids[0])
	}
	// Its output went to lull.log in the data directory, not to the command.
	if _, err := os.Stat(filepath.Join(home, "lull.log")); err != nil {
		t.Errorf("no lull.log: %v", err)
	}
	// With Lull running, the next command does not start another.
	if _, errOut, code := runCLI(t, home, "", "focus", "stop"); code != 0 || errOut != "" {
		t.Fatalf("focus stop: %d %q", code, errOut)
	}
	if pids := trayInstances(t, bin, home); len(pids) != 1 {
		t.Fatalf("after focus stop Lull runs %d times", len(pids))
	}
}
