package notify

import (
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lullapp/lull/internal/store"
	bolt "go.etcd.io/bbolt"
)

// TestBatchIDsAreUnique posts the batch from issue 13 through the API
// handler while focusing: one item is held, the other breaks through, and
// they must not share an ID.
func TestBatchIDsAreUnique(t *testing.T) {
	r := newRig(t, mon, Config{}, false)
	r.focus.set(true, time.Time{})
	req := httptest.NewRequest(http.MethodPost, "/v1/notifications",
		strings.NewReader(`[{"title":"first"},{"title":"second","priority":"urgent"}]`))
	w := httptest.NewRecorder()
	r.svc.Handler(failPlain).ServeHTTP(w, req)
	if w.Code != http.StatusCreated {
		t.Fatalf("POST batch: %d %s", w.Code, w.Body)
	}
	var out struct{ Results []Result }
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || len(out.Results) != 2 {
		t.Fatalf("answer %s: %v", w.Body, err)
	}
	a, b := out.Results[0], out.Results[1]
	if a.Decision != ActionHold || b.Decision != ActionBreakthrough {
		t.Fatalf("decisions %s, %s; want held, breakthrough", a.Decision, b.Decision)
	}
	if a.ID == b.ID {
		t.Fatalf("held and breakthrough share id %s", a.ID)
	}
	for _, res := range out.Results {
		it, err := r.svc.Queue().Find(res.ID)
		if err != nil {
			t.Fatalf("Find(%s): %v", res.ID, err)
		}
		if it.Decision.Action != res.Decision {
			t.Errorf("Find(%s) = %s item, want %s", res.ID, it.Decision.Action, res.Decision)
		}
	}
}

// TestIDsUniqueForever adds random mixes of held and logged items, with
// one shared timestamp and a clock that jumps back, across restarts (with
// and without applying the journal first) and digests: no ID is ever given
// out twice.
func TestIDsUniqueForever(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lull.db")
	rng := rand.New(rand.NewPCG(13, 5))
	seen := map[string]bool{}
	at := mon
	for round := range 12 {
		db, err := store.Open(path, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		q, err := OpenQueue(db, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		q.idleApply = time.Hour // keep records in the journal until Close or a read
		if round%3 == 2 {
			at = at.Add(-time.Hour) // the clock went back
		}
		for batch := range 5 {
			items := make([]Item, 1+rng.IntN(6))
			for i := range items {
				// Distinct titles: no dedupe, every item is new.
				items[i] = held(apiN("s", strings.Repeat("x", round+1)+string(rune('a'+batch))+string(rune('a'+i))), at)
				if rng.IntN(2) == 0 {
					items[i].Decision = Decision{ActionBreakthrough, "test"}
				}
			}
			res, err := q.Add(items)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res {
				if seen[r.ID] {
					t.Fatalf("round %d: id %s given out twice", round, r.ID)
				}
				seen[r.ID] = true
			}
		}
		if round%4 == 1 {
			if _, _, err := q.takeDigest(at, DigestManual, nil); err != nil {
				t.Fatal(err)
			}
		}
		if round%2 == 0 {
			q.Close() // applies the journal
		} else {
			q.crash() // bbolt never got the journal's records; the next open replays them
		}
		db.Close()
	}
	// Every ID given out is stored once.
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q, err := OpenQueue(db, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	all, err := q.All()
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]int{}
	for _, it := range all {
		stored[it.ID]++
	}
	for id := range seen {
		if stored[id] != 1 {
			t.Errorf("id %s stored %d times", id, stored[id])
		}
	}
}

// TestIDsContinueAfterOldSequences opens a database written when the held
// queue and the log kept separate sequences: new IDs go beyond both.
func TestIDsContinueAfterOldSequences(t *testing.T) {
	db := MustOpen(t)
	q, err := OpenQueue(db, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	q.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketQueue).SetSequence(3); err != nil {
			return err
		}
		return tx.Bucket(bucketLog).SetSequence(7)
	})
	if err != nil {
		t.Fatal(err)
	}
	q, err = OpenQueue(db, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	res, err := q.Add([]Item{held(apiN("a", "b"), mon)})
	if err != nil {
		t.Fatal(err)
	}
	if want := hex.EncodeToString(store.TimeKey(mon, 8)); res[0].ID != want {
		t.Fatalf("first held id after old sequences 3 and 7 = %s, want sequence 8 (%s)", res[0].ID, want)
	}
}
