package notify

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/lullapp/lull/internal/store"
)

func held(n Notification, at time.Time) Item {
	n.ReceivedAt = at
	return Item{Notification: n, Decision: Decision{ActionHold, "test"}}
}

func TestQueueDedupe(t *testing.T) {
	q, err := OpenQueue(MustOpen(t), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	add := func(n Notification, at time.Time) Result {
		t.Helper()
		res, err := q.Add([]Item{held(n, at)})
		if err != nil {
			t.Fatal(err)
		}
		return res[0]
	}
	a := apiN("ci", "build failed")
	first := add(a, mon)
	again := add(a, mon.Add(4*time.Minute))
	if again.ID != first.ID || again.Count != 2 {
		t.Fatalf("identical repeat within 10 min: got %+v, want id %s count 2", again, first.ID)
	}
	// The window slides from the latest repeat.
	third := add(a, mon.Add(13*time.Minute))
	if third.ID != first.ID || third.Count != 3 {
		t.Fatalf("repeat 9 min after the previous: got %+v, want id %s count 3", third, first.ID)
	}
	if late := add(a, mon.Add(24*time.Minute)); late.ID == first.ID || late.Count != 1 {
		t.Fatalf("repeat 11 min later collapsed: %+v", late)
	}
	b := a
	b.Body = "other body"
	if other := add(b, mon.Add(25*time.Minute)); other.ID == first.ID {
		t.Fatal("different body collapsed")
	}
	c := a
	c.Source = "ci2"
	if other := add(c, mon.Add(25*time.Minute)); other.Count != 1 {
		t.Fatal("different source collapsed")
	}
	items, err := q.Held()
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 4 || items[0].Count != 3 || !items[0].LastAt.Equal(mon.Add(13*time.Minute)) {
		t.Fatalf("held = %+v", items)
	}
	// After a digest, the same notification starts a new item.
	if _, ok, err := q.takeDigest(mon.Add(26*time.Minute), DigestManual, nil); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if after := add(a, mon.Add(27*time.Minute)); after.Count != 1 {
		t.Fatalf("repeat after a digest collapsed into a delivered item: %+v", after)
	}
	// The dedupe index is rebuilt from disk when the queue is reopened.
	q.Close()
	q, err = OpenQueue(q.db, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if again := add(a, mon.Add(30*time.Minute)); again.Count != 2 {
		t.Fatalf("repeat after reopen did not collapse: %+v", again)
	}
	batched, digests, err := q.Stats(mon.Add(-8*time.Hour), mon.Add(16*time.Hour))
	if err != nil || batched != 8 || digests != 1 {
		t.Fatalf("Stats = %d batched, %d digests, %v; want 8, 1", batched, digests, err)
	}
}

// TestQueueGroupCommit adds from many goroutines at once: every caller gets
// a distinct ID that is on disk when Add returns, and after the database is
// reopened every acknowledged item is found exactly once.
func TestQueueGroupCommit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lull.db")
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	q, err := OpenQueue(db, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 16, 25
	var mu sync.Mutex
	ids := map[string]bool{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				n := apiN(fmt.Sprintf("w%d", w), fmt.Sprintf("n%d", i))
				it := held(n, mon.Add(time.Duration(i)*time.Millisecond))
				if i%5 == 0 {
					it.Decision = Decision{ActionBreakthrough, "test"}
				}
				res, err := q.Add([]Item{it})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if ids[res[0].ID] {
					t.Errorf("duplicate id %s", res[0].ID)
				}
				ids[res[0].ID] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	q.Close()
	if _, err := q.Add([]Item{held(apiN("x", "y"), mon)}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Add after Close: %v, want ErrClosed", err)
	}
	db.Close()

	db, err = store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q, err = OpenQueue(db, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if len(ids) != workers*each {
		t.Fatalf("%d ids, want %d", len(ids), workers*each)
	}
	for id := range ids {
		if _, err := q.Find(id); err != nil {
			t.Fatalf("acknowledged %s missing after reopen: %v", id, err)
		}
	}
	items, _ := q.Held()
	logged, _ := q.Log(mon.Add(-time.Hour), mon.Add(time.Hour))
	if len(items)+len(logged) != workers*each {
		t.Fatalf("held %d + logged %d, want %d", len(items), len(logged), workers*each)
	}
	if _, err := q.Find("00"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Find(bad id) = %v, want ErrNotFound", err)
	}
}
