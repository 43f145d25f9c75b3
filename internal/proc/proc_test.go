package proc

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLockOneHolderAtATime: a second taker of the lock is refused while
// the first holds it (at once with timeout 0, after the timeout
// otherwise), and gets it once the first lets go, also when the first
// holder is another process that ends.
func TestLockOneHolderAtATime(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "window.lock")
	unlock, err := Lock(path, 0, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("lock file: %v %v", fi, err)
	}
	if _, err := Lock(path, 0, time.Millisecond); !errors.Is(err, ErrHeld) {
		t.Fatalf("second taker: %v, want ErrHeld", err)
	}
	start := time.Now()
	if _, err := Lock(path, 50*time.Millisecond, 5*time.Millisecond); !errors.Is(err, ErrHeld) || time.Since(start) < 50*time.Millisecond {
		t.Fatalf("second taker with a timeout: %v after %s", err, time.Since(start))
	}
	released := make(chan struct{})
	go func() {
		time.Sleep(20 * time.Millisecond)
		unlock()
		close(released)
	}()
	again, err := Lock(path, 10*time.Second, time.Millisecond)
	if err != nil {
		t.Fatalf("after the first let go: %v", err)
	}
	<-released
	again()
}

// TestLockHeldByAnotherProcess: a lock taken by a process that ends
// (killed, say) is free again.
func TestLockHeldByAnotherProcess(t *testing.T) {
	if os.Getenv("PROC_TEST_HOLD") != "" {
		if _, err := Lock(os.Getenv("PROC_TEST_HOLD"), 0, time.Millisecond); err != nil {
			os.Exit(3)
		}
		os.Stdout.WriteString("held\n")
		time.Sleep(time.Minute)
		return
	}
	path := filepath.Join(t.TempDir(), "window.lock")
	cmd := exec.Command(os.Args[0], "-test.run=TestLockHeldByAnotherProcess$")
	cmd.Env = append(os.Environ(), "PROC_TEST_HOLD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := out.Read(buf); err != nil || !strings.HasPrefix(string(buf), "held") {
		t.Fatalf("the other process: %q %v", buf, err)
	}
	if _, err := Lock(path, 0, time.Millisecond); !errors.Is(err, ErrHeld) {
		t.Errorf("while the other process holds it: %v", err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	unlock, err := Lock(path, 10*time.Second, 5*time.Millisecond)
	if err != nil {
		t.Fatalf("after the holder was killed: %v", err)
	}
	unlock()
}

// TestStartDetached: the process runs in a session of its own, its output
// goes to the log, and its exit comes back.
func TestStartDetached(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	log := filepath.Join(t.TempDir(), "lull.log")
	done, err := StartDetached("/bin/sh", []string{"-c", `echo "sid $(ps -o sid= -p $$) pid $$"`}, os.Environ(), log)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("did not end")
	}
	b, err := os.ReadFile(log)
	f := strings.Fields(string(b))
	if err != nil || len(f) != 4 || f[1] != f[3] {
		t.Errorf("log %q %v: want the process leading its own session", b, err)
	}
}
