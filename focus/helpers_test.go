package focus

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/internal/store"
)

// mustOpenDB opens a fresh database in t.TempDir(); noSync skips fsync for
// tests that write thousands of heartbeats.
func mustOpenDB(t testing.TB, noSync bool) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), store.FileName), store.Options{NoSync: noSync})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// fakeBlocks is an in-memory BlockSource.
type fakeBlocks struct {
	mu     sync.Mutex
	blocks []Block
}

func (f *fakeBlocks) Blocks(from, to time.Time) ([]Block, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Block
	for _, b := range f.blocks {
		if b.Start.Before(to) && b.End.After(from) {
			out = append(out, b)
		}
	}
	return out, nil
}

func (f *fakeBlocks) set(bs ...Block) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.blocks = bs
}

// fakeBusy is an in-memory BusySource.
type fakeBusy []calendar.Interval

func (f fakeBusy) Busy(from, to time.Time) ([]calendar.Interval, error) {
	var out []calendar.Interval
	for _, b := range f {
		if b.Start.Before(to) && b.End.After(from) {
			out = append(out, b)
		}
	}
	return out, nil
}

// fakeStats returns fixed counts and records the range asked for.
type fakeStats struct {
	batched, digests int
	from, to         time.Time
}

func (f *fakeStats) Stats(from, to time.Time) (int, int, error) {
	f.from, f.to = from, to
	return f.batched, f.digests, nil
}

// weekdayHours returns a WorkingHours func: from–to on Mon–Fri in loc.
func weekdayHours(loc *time.Location, fromH, toH int) func(time.Time) []calendar.Interval {
	return func(day time.Time) []calendar.Interval {
		d := day.In(loc)
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			return nil
		}
		y, m, dd := d.Date()
		return []calendar.Interval{{Start: time.Date(y, m, dd, fromH, 0, 0, 0, loc), End: time.Date(y, m, dd, toH, 0, 0, 0, loc)}}
	}
}

// stateLog records every published state.
type stateLog struct {
	mu     sync.Mutex
	states []State
}

func (s *stateLog) add(st State) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.states = append(s.states, st)
}

func (s *stateLog) all() []State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]State(nil), s.states...)
}
