package focus

import (
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/store"
)

func newTestEngine(t *testing.T, start time.Time, deps Deps) (*Engine, *clock.Fake) {
	t.Helper()
	clk := clock.NewFake(start)
	cfg := DefaultConfig(start.Location())
	cfg.OnError = func(err error) { t.Errorf("background error: %v", err) }
	e, err := Open(mustOpenDB(t, true), clk, cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e, clk
}

var day = time.Date(2026, 11, 17, 0, 0, 0, 0, time.UTC) // a Tuesday

func at(h, m int) time.Time {
	return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
}

// TestBlockInProgressAtOpen: Lull started in the middle of a block starts
// focus for the rest of it.
func TestBlockInProgressAtOpen(t *testing.T) {
	blocks := &fakeBlocks{}
	blocks.set(Block{ID: "B", Start: at(9, 0), End: at(11, 0)})
	e, clk := newTestEngine(t, at(9, 40), Deps{Blocks: blocks})
	st := e.State()
	if !st.Focusing || st.BlockID != "B" || st.Kind != Scheduled || !st.PlannedEnd.Equal(at(11, 0)) {
		t.Fatalf("state at open: %+v", st)
	}
	clk.Set(at(11, 0))
	if e.State().Focusing {
		t.Fatal("still focusing at block end")
	}
}

// TestRefreshPicksUpChangedBlocks: a block added, moved or deleted after the
// engine armed its timers is honoured after Refresh.
func TestRefreshPicksUpChangedBlocks(t *testing.T) {
	blocks := &fakeBlocks{}
	blocks.set(Block{ID: "A", Start: at(10, 0), End: at(11, 0)})
	e, clk := newTestEngine(t, at(8, 0), Deps{Blocks: blocks})
	// Move A to 9:00–9:30 and add C at 9:45.
	blocks.set(Block{ID: "A", Start: at(9, 0), End: at(9, 30)}, Block{ID: "C", Start: at(9, 45), End: at(10, 15)})
	if err := e.Refresh(); err != nil {
		t.Fatal(err)
	}
	clk.Set(at(9, 0))
	if st := e.State(); !st.Focusing || st.BlockID != "A" {
		t.Fatalf("9:00: %+v, want block A (moved)", st)
	}
	clk.Set(at(9, 30))
	if e.State().Focusing {
		t.Fatal("9:30: A should have ended")
	}
	// Delete C before it starts.
	blocks.set(Block{ID: "A", Start: at(9, 0), End: at(9, 30)})
	if err := e.Refresh(); err != nil {
		t.Fatal(err)
	}
	clk.Set(at(10, 0))
	if e.State().Focusing {
		t.Fatal("10:00: deleted block C started")
	}
	// A block added later than the lookahead is found by the periodic check.
	blocks.set(Block{ID: "D", Start: at(14, 0), End: at(15, 0)})
	clk.Set(at(14, 0))
	if st := e.State(); !st.Focusing || st.BlockID != "D" {
		t.Fatalf("14:00: %+v, want block D found without Refresh", st)
	}
}

// TestBackToBackBlocks: two adjacent blocks are two sessions, each ending
// completed.
func TestBackToBackBlocks(t *testing.T) {
	blocks := &fakeBlocks{}
	blocks.set(Block{ID: "A", Start: at(9, 0), End: at(10, 0)}, Block{ID: "B", Start: at(10, 0), End: at(11, 0)})
	e, clk := newTestEngine(t, at(8, 0), Deps{Blocks: blocks})
	clk.Set(at(12, 0))
	ss, err := e.Sessions(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var total time.Duration
	for _, s := range ss {
		total += s.Duration()
		if s.Outcome != Completed {
			t.Errorf("session %+v not completed", s)
		}
	}
	if total != 2*time.Hour || len(ss) == 0 || ss[len(ss)-1].BlockID != "B" {
		t.Fatalf("sessions %+v: want 2h ending with block B", ss)
	}
}

// TestCrashMidBlockResumes: after a crash inside a block, the next start
// resumes the block in a new session; the crashed part is counted once.
func TestCrashMidBlockResumes(t *testing.T) {
	path := filepath.Join(t.TempDir(), store.FileName)
	blocks := &fakeBlocks{}
	blocks.set(Block{ID: "B", Start: at(9, 0), End: at(11, 0)})
	db, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(at(8, 0))
	if _, err := Open(db, clk, DefaultConfig(time.UTC), Deps{Blocks: blocks}); err != nil {
		t.Fatal(err)
	}
	clk.Set(at(9, 30))
	db.Close() // crash
	db, err = store.Open(path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clk2 := clock.NewFake(at(9, 45))
	e, err := Open(db, clk2, DefaultConfig(time.UTC), Deps{Blocks: blocks})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if st := e.State(); !st.Focusing || st.BlockID != "B" {
		t.Fatalf("after restart: %+v, want block B resumed", st)
	}
	clk2.Set(at(11, 0))
	r, err := e.Report(DefaultConfig(time.UTC).WeekOf(at(9, 0)))
	if err != nil {
		t.Fatal(err)
	}
	// 9:00–9:30 (crashed at last heartbeat) + 9:45–11:00.
	if r.Focus != 105*time.Minute || r.Kept != 105*time.Minute {
		t.Fatalf("focus %v kept %v, want 1h45m each", r.Focus, r.Kept)
	}
}

// TestStoppedBlockNotRestartedAfterReopen: a block the user stopped stays
// stopped when Lull restarts inside it.
func TestStoppedBlockNotRestartedAfterReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), store.FileName)
	blocks := &fakeBlocks{}
	blocks.set(Block{ID: "B", Start: at(9, 0), End: at(11, 0)})
	db, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(at(9, 10))
	e, err := Open(db, clk, DefaultConfig(time.UTC), Deps{Blocks: blocks})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	e.Close()
	db.Close()
	db, err = store.Open(path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	e, err = Open(db, clock.NewFake(at(9, 20)), DefaultConfig(time.UTC), Deps{Blocks: blocks})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if e.State().Focusing {
		t.Fatal("stopped block restarted after reopen")
	}
}

func TestUntilNextMeeting(t *testing.T) {
	busy := fakeBusy{{Start: at(8, 30), End: at(9, 30)}, {Start: at(11, 15), End: at(12, 0)}, {Start: at(13, 0), End: at(14, 0)}}
	e, clk := newTestEngine(t, at(9, 0), Deps{Busy: busy})
	st, err := e.StartUntilNextMeeting()
	if err != nil || !st.PlannedEnd.Equal(at(11, 15)) {
		t.Fatalf("until next meeting from 9:00 (inside one): %+v %v, want until 11:15", st, err)
	}
	if ok, until := e.Focusing(); !ok || !until.Equal(at(11, 15)) {
		t.Fatalf("Focusing() = %v %v", ok, until)
	}
	e.Stop()
	clk.Set(at(12, 59).Add(30 * time.Second))
	if _, err := e.StartUntilNextMeeting(); !errors.Is(err, ErrNoFreeTime) {
		t.Fatalf("30 s before a meeting: %v, want ErrNoFreeTime", err)
	}
}

func TestExtendAndErrors(t *testing.T) {
	e, clk := newTestEngine(t, at(9, 0), Deps{})
	if _, err := e.Extend(15 * time.Minute); !errors.Is(err, ErrNotFocusing) {
		t.Errorf("Extend idle: %v", err)
	}
	if _, err := e.Start(0); !errors.Is(err, ErrBadDuration) {
		t.Errorf("Start(0): %v", err)
	}
	if _, err := e.Start(25 * time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Extend(-time.Minute); !errors.Is(err, ErrBadDuration) {
		t.Errorf("Extend(-1m): %v", err)
	}
	for _, d := range []time.Duration{15 * time.Minute, 30 * time.Minute} {
		if _, err := e.Extend(d); err != nil {
			t.Fatal(err)
		}
	}
	clk.Set(at(10, 9))
	if !e.State().Focusing {
		t.Fatal("ended before the extended end 10:10")
	}
	clk.Set(at(10, 10))
	ss, _ := e.Sessions(time.Time{}, time.Time{})
	if len(ss) != 1 || ss[0].Outcome != Completed || ss[0].Duration() != 70*time.Minute || !ss[0].PlannedEnd.Equal(at(10, 10)) {
		t.Fatalf("sessions %+v", ss)
	}
	e.Close()
	if _, err := e.Start(time.Minute); !errors.Is(err, ErrClosed) {
		t.Errorf("Start after Close: %v", err)
	}
}

// TestCloseStopsRunningSession: quitting Lull records the session.
func TestCloseStopsRunningSession(t *testing.T) {
	e, clk := newTestEngine(t, at(9, 0), Deps{})
	st, _ := e.Start(time.Hour)
	clk.Set(at(9, 20))
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := e.Log().Get(st.SessionID)
	if err != nil || s.Outcome != Quit || !s.End.Equal(at(9, 20)) {
		t.Fatalf("after Close: %+v %v", s, err)
	}
	if n := clk.Pending(); n != 0 {
		t.Fatalf("%d timers left after Close", n)
	}
}

// TestInterruptionRacingEnd: a breakthrough stamped inside a session that
// ended before it was recorded still attaches to that session; long titles
// are cut.
func TestInterruptionRacingEnd(t *testing.T) {
	e, clk := newTestEngine(t, at(9, 0), Deps{})
	st, _ := e.Start(30 * time.Minute)
	clk.Set(at(9, 30))
	title := strings.Repeat("x", 300)
	id, err := e.RecordInterruption(Interruption{ID: "n", Source: "boss", Title: title, At: at(9, 29)})
	if err != nil || id != st.SessionID {
		t.Fatalf("late interruption: id %q err %v, want %s", id, err, st.SessionID)
	}
	s, _ := e.Log().Get(st.SessionID)
	if len(s.Interruptions) != 1 || len(s.Interruptions[0].Title) != MaxTitleBytes {
		t.Fatalf("stored interruptions %+v", s.Interruptions)
	}
	if id, err := e.RecordInterruption(Interruption{ID: "m", At: at(9, 31)}); id != "" || err != nil {
		t.Fatalf("after the session: %q %v, want ignored", id, err)
	}
}

// TestOutOfOfficeBlocksNeverStart, but a manual start that day works (the
// user asked for it).
func TestOutOfOfficeBlocksNeverStart(t *testing.T) {
	blocks := &fakeBlocks{}
	blocks.set(Block{ID: "B", Start: at(9, 0), End: at(11, 0)})
	e, clk := newTestEngine(t, at(8, 0), Deps{Blocks: blocks, OutOfOffice: func(time.Time) bool { return true }})
	clk.Set(at(10, 0))
	if e.State().Focusing {
		t.Fatal("block started on an out-of-office day")
	}
	if _, err := e.Start(time.Hour); err != nil {
		t.Fatalf("manual start out of office: %v", err)
	}
}

// TestSubscriberReentry: a subscriber may call back into the engine (no
// deadlock), sees states in order, and stops receiving after unsubscribing.
func TestSubscriberReentry(t *testing.T) {
	e, clk := newTestEngine(t, at(9, 0), Deps{})
	var got []State
	var unsub func()
	unsub = e.Subscribe(func(st State) {
		got = append(got, st)
		if st.Focusing && len(got) == 1 {
			if _, err := e.Extend(5 * time.Minute); err != nil { // re-entrant call
				t.Errorf("Extend from subscriber: %v", err)
			}
		}
		_ = e.State()
	})
	if _, err := e.Start(10 * time.Minute); err != nil {
		t.Fatal(err)
	}
	clk.Set(at(9, 15))
	if len(got) != 3 || !got[0].Focusing || !got[1].PlannedEnd.Equal(at(9, 15)) || got[2].Focusing || got[2].Outcome != Completed {
		t.Fatalf("states %+v", got)
	}
	unsub()
	e.Start(time.Minute)
	if len(got) != 3 {
		t.Fatalf("state delivered after unsubscribe")
	}
}

// TestConcurrentUse hammers the engine from goroutines on the real clock,
// for the race detector.
func TestConcurrentUse(t *testing.T) {
	cfg := DefaultConfig(time.UTC)
	cfg.Heartbeat = time.Millisecond
	blocks := &fakeBlocks{}
	now := time.Now()
	blocks.set(Block{ID: "B", Start: now.Add(5 * time.Millisecond), End: now.Add(30 * time.Millisecond)})
	e, err := Open(mustOpenDB(t, true), clock.Real{}, cfg, Deps{Blocks: blocks, Busy: fakeBusy{{Start: now.Add(time.Hour), End: now.Add(2 * time.Hour)}}})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	n := 0
	e.Subscribe(func(State) { mu.Lock(); n++; mu.Unlock() })
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 30; i++ {
				switch (g + i) % 5 {
				case 0:
					e.Start(2 * time.Millisecond)
				case 1:
					e.Stop()
				case 2:
					e.Extend(time.Millisecond)
				case 3:
					e.RecordInterruption(Interruption{ID: "x", Source: "s"})
				case 4:
					e.StartUntilNextMeeting()
				}
				e.State()
				e.Focusing()
				time.Sleep(time.Millisecond)
			}
		}(g)
	}
	wg.Wait()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	ss, err := e.Sessions(time.Time{}, time.Time{})
	if err != nil || len(ss) == 0 {
		t.Fatalf("sessions %d %v", len(ss), err)
	}
	for i, s := range ss {
		if s.Outcome == Running {
			t.Errorf("session %s still running after Close", s.ID)
		}
		if i > 0 && s.Start.Before(ss[i-1].End) {
			t.Errorf("sessions %d and %d overlap", i-1, i)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if n < 2*len(ss) {
		t.Errorf("%d state deliveries for %d sessions", n, len(ss))
	}
}

// TestRunningSessionAcrossWeekStart: an open-ended session started before
// the week (and longer than any finished one) counts from the week's start
// while it runs, in the engine's report and in the trend.
func TestRunningSessionAcrossWeekStart(t *testing.T) {
	sun := time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC)
	e, clk := newTestEngine(t, sun, Deps{})
	if _, err := e.StartOpen(); err != nil {
		t.Fatal(err)
	}
	clk.Set(sun.Add(3 * time.Hour)) // Mon 02:00
	r, err := e.Report(e.Config().WeekOf(clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if r.Focus != 2*time.Hour || r.Trend[7].Focus != 2*time.Hour || r.Trend[6].Focus != time.Hour {
		t.Fatalf("focus %v, trend %v / %v; want 2h this week, 1h last", r.Focus, r.Trend[7].Focus, r.Trend[6].Focus)
	}
	ss, err := e.Sessions(sun.Add(2*time.Hour), time.Time{})
	if err != nil || len(ss) != 1 {
		t.Fatalf("Sessions from Mon 01:00: %d %v, want the running one", len(ss), err)
	}
}

// sleepyClock imitates a laptop's clocks: timers run on a monotonic
// timeline (the Fake) that stands still while the machine sleeps, while the
// wall clock jumps ahead.
type sleepyClock struct {
	*clock.Fake
	mu    sync.Mutex
	slept time.Duration
}

func (c *sleepyClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.Fake.Now().Add(c.slept)
}

func (c *sleepyClock) sleep(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slept += d
}

// TestSleepDoesNotCountAsFocus: the lid closes 20 min into a block and
// opens 8 h later; the session ends at its last heartbeat (suspended), not
// when the late timers fire, and a block still under way after waking
// starts again.
func TestSleepDoesNotCountAsFocus(t *testing.T) {
	blocks := &fakeBlocks{}
	blocks.set(Block{ID: "A", Start: at(9, 0), End: at(10, 0)}, Block{ID: "B", Start: at(17, 0), End: at(19, 0)})
	clk := &sleepyClock{Fake: clock.NewFake(at(8, 0))}
	cfg := DefaultConfig(time.UTC)
	e, err := Open(mustOpenDB(t, true), clk, cfg, Deps{Blocks: blocks})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	var states []State
	e.Subscribe(func(st State) { states = append(states, st) })
	clk.Advance(80 * time.Minute) // 9:20, focusing in A
	if st := e.State(); !st.Focusing || st.BlockID != "A" {
		t.Fatalf("9:20: %+v", st)
	}
	clk.sleep(8 * time.Hour)     // wakes at 17:20 wall time, inside B
	clk.Advance(1 * time.Minute) // first heartbeat after waking
	ss, err := e.Sessions(time.Time{}, time.Time{})
	if err != nil || len(ss) != 2 {
		t.Fatalf("sessions %+v %v, want A (suspended) and B", ss, err)
	}
	if ss[0].Outcome != Suspended || ss[0].Duration() != 20*time.Minute {
		t.Errorf("A: %v after %v, want suspended after 20m", ss[0].Outcome, ss[0].Duration())
	}
	if st := e.State(); !st.Focusing || st.BlockID != "B" || !st.Start.Equal(at(17, 21)) {
		t.Errorf("after waking: %+v, want block B from 17:21", st)
	}
	if len(states) < 3 || states[1].Focusing || states[1].Outcome != Suspended {
		t.Errorf("published states %+v", states)
	}
}
