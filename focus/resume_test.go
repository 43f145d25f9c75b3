package focus

import (
	"encoding/binary"
	"errors"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/store"
)

// reopen runs f with an engine on path at now, then closes it (quitting
// Lull).
func reopen(t *testing.T, path string, now time.Time, deps Deps, f func(*Engine, *clock.Fake)) {
	t.Helper()
	db, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clk := clock.NewFake(now)
	e, err := Open(db, clk, DefaultConfig(time.UTC), deps)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	f(e, clk)
}

// TestQuitDuringBlockResumesAfterRestart: quitting Lull (or logging out)
// during an accepted block is not the user stopping focus: started again
// inside the block, Lull focuses for the rest of it, for a block that
// started by itself and for a manual session a block was merged into.
func TestQuitDuringBlockResumesAfterRestart(t *testing.T) {
	for _, manual := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), store.FileName)
		blocks := &fakeBlocks{}
		blocks.set(Block{ID: "B", Start: at(9, 0), End: at(11, 0)})
		start := at(9, 10)
		if manual {
			start = at(8, 50)
		}
		reopen(t, path, start, Deps{Blocks: blocks}, func(e *Engine, clk *clock.Fake) {
			if manual {
				if _, err := e.Start(30 * time.Minute); err != nil {
					t.Fatal(err)
				}
				clk.Set(at(9, 0)) // the block merges into the session
			}
			clk.Set(at(9, 30))
			if st := e.State(); !st.Focusing || st.BlockID != "B" {
				t.Fatalf("manual=%v: not focusing in the block before quitting: %+v", manual, st)
			}
		}) // quit at 9:30
		reopen(t, path, at(9, 40), Deps{Blocks: blocks}, func(e *Engine, clk *clock.Fake) {
			st := e.State()
			if !st.Focusing || st.BlockID != "B" || !st.PlannedEnd.Equal(at(11, 0)) {
				t.Fatalf("manual=%v: after restart %+v, want block B resumed until 11:00", manual, st)
			}
			ss, _ := e.Sessions(time.Time{}, time.Time{})
			if len(ss) != 2 || ss[0].Outcome != Quit {
				t.Fatalf("manual=%v: sessions %+v, want the first ended by quitting", manual, ss)
			}
		})
	}
}

// TestResumeStoppedBlock: a block the user stopped early is offered for
// resuming while it lasts, resumes as the block's session until its end,
// and is offered again after a second stop.
func TestResumeStoppedBlock(t *testing.T) {
	blocks := &fakeBlocks{}
	blocks.set(Block{ID: "B", Start: at(9, 0), End: at(11, 0)}, Block{ID: "C", Start: at(14, 0), End: at(15, 0)})
	e, clk := newTestEngine(t, at(9, 10), Deps{Blocks: blocks})
	if _, ok := e.Resumable(); ok {
		t.Fatal("a running block is offered for resuming")
	}
	if _, err := e.Resume(); !errors.Is(err, ErrAlreadyFocusing) {
		t.Fatalf("Resume while focusing: %v", err)
	}
	if _, err := e.Stop(); err != nil {
		t.Fatal(err)
	}
	clk.Set(at(10, 20))
	b, ok := e.Resumable()
	if !ok || b.ID != "B" || b.End.Sub(clk.Now()) != 40*time.Minute {
		t.Fatalf("Resumable = %+v, %v; want B with 40 min left", b, ok)
	}
	st, err := e.Resume()
	if err != nil || !st.Focusing || st.Kind != Scheduled || st.BlockID != "B" || !st.PlannedEnd.Equal(at(11, 0)) {
		t.Fatalf("Resume = %+v, %v", st, err)
	}
	clk.Set(at(10, 59).Add(30 * time.Second))
	e.Stop()
	if _, ok := e.Resumable(); ok {
		t.Fatal("offered with less than a minute left")
	}
	clk.Set(at(12, 0))
	if _, err := e.Resume(); !errors.Is(err, ErrNothingToResume) {
		t.Fatalf("Resume between blocks: %v", err)
	}
	// Block C starts by itself: it is never "resumable" before it had a
	// session.
	clk.Set(at(14, 0))
	if st := e.State(); !st.Focusing || st.BlockID != "C" {
		t.Fatalf("block C did not start: %+v", st)
	}
	r, err := e.Report(DefaultConfig(time.UTC).WeekOf(at(9, 0)))
	if err != nil {
		t.Fatal(err)
	}
	// 9:10–9:10 (stopped at once), 10:20–10:59:30: kept in block B.
	if want := 39*time.Minute + 30*time.Second; r.Focus != want {
		t.Fatalf("focus %v, want %v", r.Focus, want)
	}
}

// TestUntilNextMeetingEndsWithTheWorkingDay: with no meeting left, "until
// next meeting" ends at the end of the working day, not DailyMax later;
// outside working hours DailyMax caps it.
func TestUntilNextMeetingEndsWithTheWorkingDay(t *testing.T) {
	hours := weekdayHours(time.UTC, 9, 17) // day is a Tuesday
	for _, tc := range []struct {
		name  string
		now   time.Time
		busy  fakeBusy
		want  time.Time
		daily time.Duration
	}{
		{"no meeting left: end of the working day", at(15, 0), nil, at(17, 0), 0},
		{"a long free day is not cut at the daily maximum", at(9, 0), nil, at(17, 0), 0},
		{"a meeting before the end of the day", at(15, 0), fakeBusy{{Start: at(16, 0), End: at(16, 30)}}, at(16, 0), 0},
		{"a meeting after the working day does not count", at(15, 0), fakeBusy{{Start: at(18, 0), End: at(19, 0)}}, at(17, 0), 0},
		{"evening: the daily maximum", at(18, 0), nil, at(22, 0), 0},
		{"evening: the daily maximum as set", at(18, 0), nil, at(20, 0), 2 * time.Hour},
		{"evening with a late meeting", at(18, 0), fakeBusy{{Start: at(19, 0), End: at(20, 0)}}, at(19, 0), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := newTestEngine(t, tc.now, Deps{Busy: tc.busy, WorkingHours: hours})
			if tc.daily > 0 {
				cfg := e.Config()
				cfg.DailyMax = tc.daily
				e.SetConfig(cfg)
			}
			st, err := e.StartUntilNextMeeting()
			if err != nil || !st.PlannedEnd.Equal(tc.want) {
				t.Fatalf("from %s: %+v, %v; want until %s", tc.now.Format("15:04"), st.PlannedEnd, err, tc.want.Format("15:04"))
			}
		})
	}
}

// TestAlreadyFocusingSaysWhenInLocalTime: the error a second start gets
// names the running session's times in the user's zone, no session id and
// no UTC stamp.
func TestAlreadyFocusingSaysWhenInLocalTime(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	clk := clock.NewFake(at(9, 0))
	e, err := Open(mustOpenDB(t, true), clk, DefaultConfig(berlin), Deps{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	e.Start(50 * time.Minute)
	_, err = e.Start(25 * time.Minute)
	if !errors.Is(err, ErrAlreadyFocusing) || err.Error() != "already focusing (since 10:00, until 10:50): stop or extend it instead" {
		t.Fatalf("second start: %v", err)
	}
	if regexp.MustCompile(`[0-9a-f]{16}|\dT\d|Z\b`).MatchString(err.Error()) {
		t.Fatalf("error shows an id or a UTC stamp: %v", err)
	}
}

// TestVersion1RecordsStillRead: sessions written before interruption
// reasons were kept decode, with empty reasons; new ones keep the reason.
func TestVersion1RecordsStillRead(t *testing.T) {
	start := at(9, 0)
	s := Session{Kind: Manual, Start: start, PlannedEnd: start.Add(time.Hour), End: start.Add(time.Hour),
		LastAlive: start.Add(time.Hour), Outcome: Completed,
		Interruptions: []Interruption{{ID: "n1", Source: "pager", Title: "Prod down", At: start.Add(time.Minute), Reason: "VIP: pager"}}}
	// Version 1: the same layout without the reason after each interruption.
	v1 := []byte{1, byte(s.Kind), byte(s.Outcome)}
	v1 = appendOffset(v1, s.Start, s.PlannedEnd)
	v1 = appendOffset(v1, s.Start, s.End)
	v1 = appendOffset(v1, s.Start, s.LastAlive)
	v1 = appendString(v1, "")
	v1 = binary.AppendUvarint(v1, 1)
	v1 = appendString(appendString(appendString(v1, "n1"), "pager"), "Prod down")
	v1 = binary.AppendVarint(v1, int64(time.Minute))
	key := make([]byte, 16)
	binary.BigEndian.PutUint64(key, uint64(start.UnixNano()))
	got, err := decodeSession(key, v1)
	if err != nil || len(got.Interruptions) != 1 || got.Interruptions[0].Reason != "" || got.Interruptions[0].Title != "Prod down" {
		t.Fatalf("v1 record = %+v, %v", got, err)
	}
	got, err = decodeSession(key, s.encode())
	if err != nil || got.Interruptions[0].Reason != "VIP: pager" || got.Outcome != Completed {
		t.Fatalf("v2 record = %+v, %v", got, err)
	}
	s.Outcome = Quit
	if got, err = decodeSession(key, s.encode()); err != nil || got.Outcome != Quit {
		t.Fatalf("quit outcome = %+v, %v", got, err)
	}
}
