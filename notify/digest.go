package notify

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lullapp/lull/internal/store"
	bolt "go.etcd.io/bbolt"
)

// DigestReason says why a digest was delivered.
type DigestReason string

// The reasons a digest is delivered.
const (
	DigestScheduled DigestReason = "scheduled"
	DigestFocusEnd  DigestReason = "focus-end"
	DigestCatchUp   DigestReason = "catch-up"
	DigestManual    DigestReason = "manual"
)

// Digest is one delivered summary: every held item it handed over.
type Digest struct {
	ID     string       `json:"id"`
	At     time.Time    `json:"at"`
	Reason DigestReason `json:"reason"`
	Items  []Item       `json:"items"`
}

// Total is how many notifications the digest stands for (collapsed repeats
// count each time).
func (d Digest) Total() int {
	n := 0
	for _, it := range d.Items {
		n += it.Count
	}
	return n
}

// SourceCount is one source's share of a digest.
type SourceCount struct {
	Source string
	Count  int
}

// Sources returns the per-source counts, largest first, then by name.
func (d Digest) Sources() []SourceCount {
	m := map[string]int{}
	for _, it := range d.Items {
		m[it.Source] += it.Count
	}
	out := make([]SourceCount, 0, len(m))
	for s, c := range m {
		out = append(out, SourceCount{s, c})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Source < out[j].Source
	})
	return out
}

// Group is one source's items in a digest, newest first.
type Group struct {
	Source string
	Count  int
	Items  []Item
}

// Groups returns the digest's items grouped by source (sources ordered as
// Sources), each group newest first: the digest view's layout.
func (d Digest) Groups() []Group {
	by := map[string][]Item{}
	for _, it := range d.Items {
		by[it.Source] = append(by[it.Source], it)
	}
	var out []Group
	for _, sc := range d.Sources() {
		items := by[sc.Source]
		sort.SliceStable(items, func(i, j int) bool { return items[i].LastAt.After(items[j].LastAt) })
		out = append(out, Group{sc.Source, sc.Count, items})
	}
	return out
}

// Message is the one OS notification that announces the digest:
// "Lull — 14 held" / "Mail 9 · CI 3 · Chat 2".
func (d Digest) Message() Message {
	parts := []string{}
	for _, sc := range d.Sources() {
		parts = append(parts, sc.Source+" "+strconv.Itoa(sc.Count))
	}
	return Message{Title: fmt.Sprintf("Lull — %d held", d.Total()), Body: strings.Join(parts, " · ")}
}

// takeDigest moves every held item into a new digest record at now, in one
// transaction, and stores now as the last digest time. ok is false (and
// nothing but the time is written) when nothing is held.
func (q *Queue) takeDigest(now time.Time, reason DigestReason) (d Digest, ok bool, err error) {
	q.writeMu.Lock()
	defer q.writeMu.Unlock()
	if err := q.applyLocked(); err != nil {
		return Digest{}, false, fmt.Errorf("take digest: %w", err)
	}
	err = q.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketMeta).Put(keyLastDigest, timeBytes(now)); err != nil {
			return err
		}
		qb := tx.Bucket(bucketQueue)
		var keys [][]byte
		err := qb.ForEach(func(k, v []byte) error {
			var it Item
			if err := json.Unmarshal(v, &it); err != nil {
				return fmt.Errorf("queue item %x: %w", k, err)
			}
			d.Items = append(d.Items, it)
			keys = append(keys, append([]byte(nil), k...))
			return nil
		})
		if err != nil || len(keys) == 0 {
			return err
		}
		for _, k := range keys {
			if err := qb.Delete(k); err != nil {
				return err
			}
		}
		db := tx.Bucket(bucketDigests)
		seq, _ := db.NextSequence()
		k := store.TimeKey(now, seq)
		d.ID, d.At, d.Reason, ok = hex.EncodeToString(k), now, reason, true
		if err := q.countDay(tx, now, 1, 0); err != nil {
			return err
		}
		return putJSON(db, k, d)
	})
	if err != nil {
		return Digest{}, false, fmt.Errorf("take digest: %w", err)
	}
	if ok {
		clear(q.index)
	}
	return d, ok, nil
}

// LastDigest returns when the last digest was taken (zero if never).
func (q *Queue) LastDigest() (time.Time, error) {
	var t time.Time
	err := q.db.View(func(tx *bolt.Tx) error {
		t = bytesTime(tx.Bucket(bucketMeta).Get(keyLastDigest))
		return nil
	})
	return t, err
}

func (q *Queue) setLastDigest(t time.Time) error {
	return q.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyLastDigest, timeBytes(t))
	})
}

// ListDigests returns up to limit digests delivered in [from, to), newest
// first (limit <= 0: all).
func (q *Queue) ListDigests(from, to time.Time, limit int) ([]Digest, error) {
	var out []Digest
	err := q.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketDigests).Cursor()
		lo := store.TimeKey(from, 0)
		k, v := c.Seek(store.TimeKey(to, 0))
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		for ; k != nil && string(k) >= string(lo); k, v = c.Prev() {
			if string(k) >= string(store.TimeKey(to, 0)) {
				continue
			}
			var d Digest
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("digest %x: %w", k, err)
			}
			out = append(out, d)
			if limit > 0 && len(out) >= limit {
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list digests: %w", err)
	}
	return out, nil
}

// MarkRead marks one item of a digest as read, or every item when itemID
// is empty.
func (q *Queue) MarkRead(digestID, itemID string) error {
	k, err := hex.DecodeString(digestID)
	if err != nil || len(k) != 16 {
		return fmt.Errorf("digest %q: %w", digestID, ErrNotFound)
	}
	return q.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDigests)
		raw := b.Get(k)
		if raw == nil {
			return fmt.Errorf("digest %q: %w", digestID, ErrNotFound)
		}
		var d Digest
		if err := json.Unmarshal(raw, &d); err != nil {
			return fmt.Errorf("digest %q: %w", digestID, err)
		}
		hit := false
		for i := range d.Items {
			if itemID == "" || d.Items[i].ID == itemID {
				d.Items[i].Read, hit = true, true
			}
		}
		if !hit {
			return fmt.Errorf("item %q in digest %q: %w", itemID, digestID, ErrNotFound)
		}
		return putJSON(b, k, d)
	})
}
