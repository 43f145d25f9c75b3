package focus

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/store"
)

// TestCrashRecoveryFakeClock writes a session, lets heartbeats run, abandons
// the engine without Close (as a crash would) and reopens: the session is
// closed at its last heartbeat and counted once.
func TestCrashRecoveryFakeClock(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	path := filepath.Join(t.TempDir(), store.FileName)
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 11, 17, 10, 0, 0, 0, loc)
	clk := clock.NewFake(start)
	e, err := Open(db, clk, DefaultConfig(loc), Deps{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := e.Start(90 * time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	clk.Set(start.Add(37*time.Minute + 30*time.Second)) // last heartbeat 10:37
	db.Close()                                          // crash: no Stop, no Close

	db, err = store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clk2 := clock.NewFake(start.Add(2 * time.Hour))
	e2, err := Open(db, clk2, DefaultConfig(loc), Deps{})
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	if e2.State().Focusing {
		t.Fatal("recovered engine is focusing")
	}
	s, err := e2.Log().Get(st.SessionID)
	if err != nil {
		t.Fatal(err)
	}
	if s.Outcome != Crashed || !s.End.Equal(start.Add(37*time.Minute)) {
		t.Fatalf("recovered session: outcome %v end %v, want crashed at 10:37", s.Outcome, s.End)
	}
	// A second recovery finds nothing open.
	if _, ok, err := e2.Log().Recover(); ok || err != nil {
		t.Fatalf("second Recover: ok %v err %v", ok, err)
	}
	r, err := e2.Report(e2.Config().WeekOf(start))
	if err != nil {
		t.Fatal(err)
	}
	if r.Focus != 37*time.Minute || r.Sessions != 1 {
		t.Fatalf("report after crash: focus %v sessions %d, want 37m once", r.Focus, r.Sessions)
	}
}

const crashChildEnv = "LULL_FOCUS_CRASH_CHILD_DB"

// TestCrashChild is the process TestCrashRecoveryKill9 kills; it does
// nothing unless started by it.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashChildEnv)
	if path == "" {
		t.Skip("helper process for TestCrashRecoveryKill9")
	}
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig(time.UTC)
	// Fast heartbeats, yet slow enough that a loaded machine (go test -race
	// runs packages in parallel) never delays one past two periods, which
	// the engine would rightly take for a suspend and end the session.
	cfg.Heartbeat = 100 * time.Millisecond
	e, err := Open(db, clock.Real{}, cfg, Deps{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Start(time.Hour); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("started\n")
	time.Sleep(time.Minute) // killed long before
}

// TestCrashRecoveryKill9 runs a real process with a real clock, kills it
// with SIGKILL while focusing, and reopens its file.
func TestCrashRecoveryKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	path := filepath.Join(t.TempDir(), store.FileName)
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "started\n" {
		cmd.Process.Kill()
		t.Fatalf("child: %q %v", line, err)
	}
	time.Sleep(700 * time.Millisecond)
	killed := time.Now()
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l, err := OpenLog(db)
	if err != nil {
		t.Fatal(err)
	}
	s, ok, err := l.Recover()
	if err != nil || !ok {
		t.Fatalf("Recover: ok %v err %v", ok, err)
	}
	if s.Outcome != Crashed || s.End.After(killed) || s.Duration() < 400*time.Millisecond {
		t.Fatalf("recovered %+v (duration %v), want crashed, ≥400ms, ending before the kill", s, s.Duration())
	}
	ss, err := l.Sessions(time.Time{}, time.Time{})
	if err != nil || len(ss) != 1 || ss[0].Outcome != Crashed {
		t.Fatalf("sessions after recovery: %+v %v", ss, err)
	}
}
