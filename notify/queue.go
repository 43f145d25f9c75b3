package notify

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lullapp/lull/internal/store"
	bolt "go.etcd.io/bbolt"
)

// Bucket names notify owns.
var (
	bucketQueue   = []byte("queue")       // held items awaiting a digest, by TimeKey
	bucketLog     = []byte("notify_log")  // passed and breakthrough items, by TimeKey
	bucketDigests = []byte("digests")     // delivered digests, by TimeKey
	bucketDays    = []byte("notify_days") // "2006-01-02" → batched, digests (uint64 each)
	bucketMeta    = []byte("notify_meta") // last digest time
	keyLastDigest = []byte("last_digest")
)

// DedupeWindow is how close identical held notifications (same source,
// title and body) must follow each other to collapse into one item.
const DedupeWindow = 10 * time.Minute

// Queue is the durable store of notifications. Add group-commits: concurrent
// calls share one bbolt transaction (one fsync pair), and each returns only
// after its transaction is committed.
type Queue struct {
	db  *store.DB
	loc *time.Location

	reqs chan *addReq
	stop chan struct{}
	done chan struct{}

	mu     sync.RWMutex // held for reading while sending on reqs
	closed bool

	// writeMu is held around every write transaction together with the
	// change it makes to index, so the index always matches the disk.
	writeMu sync.Mutex
	// index maps dedupeKey(source, title, body) to the queue key of the
	// held item identical notifications collapse into. It lives in memory
	// (rebuilt from the queue at open) so a commit dirties no random pages.
	index map[[16]byte][]byte

	// inflight counts API requests between arrival and commit (Expect), so
	// the committer can wait the few microseconds until every one of them
	// has queued its Add and commit them together.
	inflight atomic.Int64

	commits, committed atomic.Int64
}

// CommitStats returns how many write transactions the committer ran and how
// many Add calls they carried, to see group commit at work.
func (q *Queue) CommitStats() (commits, adds int64) {
	return q.commits.Load(), q.committed.Load()
}

// Expect announces an Add about to come (an API request being parsed); call
// the returned function once that Add has returned. The committer waits up
// to GatherWait for announced Adds, so concurrent clients share one commit
// instead of alternating between a lone commit and a large one.
func (q *Queue) Expect() (done func()) {
	q.inflight.Add(1)
	return func() { q.inflight.Add(-1) }
}

// GatherWait bounds how long the committer waits for announced Adds before
// committing the ones it has. It is a latency knob, not domain time.
const GatherWait = time.Millisecond

type addReq struct {
	items []Item
	ids   []Result
	err   error
	done  chan struct{}
}

// OpenQueue creates notify's buckets in db and starts the committer
// goroutine; Close stops it. loc is the user's zone for per-day counters.
func OpenQueue(db *store.DB, loc *time.Location) (*Queue, error) {
	if loc == nil {
		loc = time.Local
	}
	err := db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketQueue, bucketLog, bucketDigests, bucketDays, bucketMeta} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return fmt.Errorf("create bucket %s: %w", b, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("notify queue %s: %w", db.Path(), err)
	}
	q := &Queue{db: db, loc: loc, reqs: make(chan *addReq, 256), stop: make(chan struct{}), done: make(chan struct{}),
		index: map[[16]byte][]byte{}}
	err = db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketQueue).ForEach(func(k, v []byte) error {
			var it Item
			if err := json.Unmarshal(v, &it); err != nil {
				return fmt.Errorf("queue item %x: %w", k, err)
			}
			q.index[dedupeKey(it.Notification)] = append([]byte(nil), k...)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("notify queue %s: %w", db.Path(), err)
	}
	go q.commitLoop()
	return q, nil
}

// Close stops the committer after the transactions in flight; later Adds
// fail with ErrClosed. It does not close the database.
func (q *Queue) Close() error {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		close(q.stop)
	}
	q.mu.Unlock()
	<-q.done
	return nil
}

// Add stores items (each with its decision set) durably and returns their
// results: a held item identical to one held within DedupeWindow collapses
// into it, and its Result carries the existing ID and the new count.
func (q *Queue) Add(items []Item) ([]Result, error) {
	r := &addReq{items: items, done: make(chan struct{})}
	q.mu.RLock()
	if q.closed {
		q.mu.RUnlock()
		return nil, ErrClosed
	}
	q.reqs <- r
	q.mu.RUnlock()
	<-r.done
	return r.ids, r.err
}

// maxGroup bounds how many requests share one transaction.
const maxGroup = 512

func (q *Queue) commitLoop() {
	defer close(q.done)
	gatherTimer := time.NewTimer(time.Hour)
	gatherTimer.Stop()
	expected := 1
	for {
		var first *addReq
		select {
		case first = <-q.reqs:
		case <-q.stop:
			// Close holds the lock: nothing more can be sent. Commit what
			// was accepted.
			var rest []*addReq
			for len(q.reqs) > 0 {
				rest = append(rest, <-q.reqs)
			}
			if len(rest) > 0 {
				q.commit(rest)
			}
			return
		}
		group := q.gather(first, gatherTimer, expected)
		q.commit(group)
		// Expect as many callers next time as the largest recent group:
		// clients that just got their answer are about to send again.
		if len(group) >= expected {
			expected = len(group)
		} else {
			expected--
		}
	}
}

// gather collects the requests to commit with first: whatever is queued,
// and, while fewer than expected (or the announced in-flight requests) have
// arrived, what arrives within GatherWait.
func (q *Queue) gather(first *addReq, timer *time.Timer, expected int) []*addReq {
	group := []*addReq{first}
	armed := false
	defer func() {
		if armed {
			timer.Stop()
		}
	}()
	for len(group) < maxGroup {
		select {
		case r := <-q.reqs:
			group = append(group, r)
			continue
		default:
		}
		if n := int64(len(group)); n >= q.inflight.Load() && n >= int64(expected) {
			return group
		}
		if !armed {
			timer.Reset(GatherWait)
			armed = true
		}
		select {
		case r := <-q.reqs:
			group = append(group, r)
		case <-timer.C:
			armed = false
			return group
		case <-q.stop:
			return group
		}
	}
	return group
}

func (q *Queue) commit(group []*addReq) {
	q.writeMu.Lock()
	defer q.writeMu.Unlock()
	staged := map[[16]byte][]byte{}
	err := q.db.Update(func(tx *bolt.Tx) error {
		clear(staged)
		for _, r := range group {
			r.ids = r.ids[:0]
			for i := range r.items {
				res, err := q.put(tx, &r.items[i], staged)
				if err != nil {
					return err
				}
				r.ids = append(r.ids, res)
			}
		}
		return nil
	})
	q.commits.Add(1)
	q.committed.Add(int64(len(group)))
	if err == nil {
		for h, k := range staged {
			q.index[h] = k
		}
	}
	for _, r := range group {
		if err != nil {
			r.ids, r.err = nil, fmt.Errorf("commit notifications: %w", err)
		}
		close(r.done)
	}
}

// put writes one item inside tx and fills in its ID; new dedupe index
// entries go to staged, applied once the transaction commits.
func (q *Queue) put(tx *bolt.Tx, it *Item, staged map[[16]byte][]byte) (Result, error) {
	if it.Count == 0 {
		it.Count = 1
	}
	if it.LastAt.IsZero() {
		it.LastAt = it.ReceivedAt
	}
	if it.Decision.Action != ActionHold {
		b := tx.Bucket(bucketLog)
		seq, _ := b.NextSequence()
		k := store.TimeKey(it.ReceivedAt, seq)
		it.ID = hex.EncodeToString(k)
		return Result{it.ID, it.Decision.Action, it.Decision.Reason, it.Count}, putJSON(b, k, it)
	}
	qb := tx.Bucket(bucketQueue)
	if err := q.countDay(tx, it.ReceivedAt, 0, 1); err != nil {
		return Result{}, err
	}
	h := dedupeKey(it.Notification)
	k, ok := staged[h]
	if !ok {
		k = q.index[h]
	}
	if k != nil {
		if raw := qb.Get(k); raw != nil {
			var prev Item
			if err := json.Unmarshal(raw, &prev); err == nil && it.ReceivedAt.Sub(prev.LastAt) <= DedupeWindow && !it.ReceivedAt.Before(prev.LastAt) {
				prev.Count += it.Count
				prev.LastAt = it.ReceivedAt
				*it = prev
				return Result{prev.ID, ActionHold, prev.Decision.Reason, prev.Count}, putJSON(qb, k, &prev)
			}
		}
	}
	seq, _ := qb.NextSequence()
	k = store.TimeKey(it.ReceivedAt, seq)
	it.ID = hex.EncodeToString(k)
	staged[h] = k
	return Result{it.ID, ActionHold, it.Decision.Reason, it.Count}, putJSON(qb, k, it)
}

func dedupeKey(n Notification) [16]byte {
	h := sha256.New()
	for _, s := range []string{n.Source, n.Title, n.Body} {
		var l [8]byte
		binary.BigEndian.PutUint64(l[:], uint64(len(s)))
		h.Write(l[:])
		h.Write([]byte(s))
	}
	return [16]byte(h.Sum(nil)[:16])
}

func putJSON(b *bolt.Bucket, k []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, raw)
}

// countDay adds to the per-day counters of t's local day.
func (q *Queue) countDay(tx *bolt.Tx, t time.Time, digests, batched uint64) error {
	b := tx.Bucket(bucketDays)
	k := []byte(t.In(q.loc).Format(time.DateOnly))
	v := make([]byte, 16)
	if old := b.Get(k); len(old) == 16 {
		copy(v, old)
	}
	binary.BigEndian.PutUint64(v[:8], binary.BigEndian.Uint64(v[:8])+batched)
	binary.BigEndian.PutUint64(v[8:], binary.BigEndian.Uint64(v[8:])+digests)
	return b.Put(k, v)
}

// Held returns the items waiting for the next digest, oldest first.
func (q *Queue) Held() ([]Item, error) {
	var out []Item
	err := q.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketQueue).ForEach(func(k, v []byte) error {
			var it Item
			if err := json.Unmarshal(v, &it); err != nil {
				return fmt.Errorf("queue item %x: %w", k, err)
			}
			out = append(out, it)
			return nil
		})
	})
	return out, err
}

// Stats returns how many notifications were batched (held for a digest)
// and how many digests were delivered on the local days from from's day up
// to, but not including, to's day (to's day counts when to is after its
// midnight). It reads one small counter per day.
func (q *Queue) Stats(from, to time.Time) (batched, digests int, err error) {
	lo := []byte(from.In(q.loc).Format(time.DateOnly))
	tl := to.In(q.loc)
	hiDay := tl
	if tl.Equal(time.Date(tl.Year(), tl.Month(), tl.Day(), 0, 0, 0, 0, q.loc)) {
		hiDay = tl.AddDate(0, 0, -1)
	}
	hi := []byte(hiDay.Format(time.DateOnly))
	err = q.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketDays).Cursor()
		for k, v := c.Seek(lo); k != nil && string(k) <= string(hi); k, v = c.Next() {
			if len(v) == 16 {
				batched += int(binary.BigEndian.Uint64(v[:8]))
				digests += int(binary.BigEndian.Uint64(v[8:]))
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("notification stats: %w", err)
	}
	return batched, digests, nil
}

// Find returns the stored item with id wherever it is: held, in the log of
// passed and breakthrough notifications, or inside a delivered digest. It
// lets a test (or the kill -9 e2e) prove an acknowledged notification
// survived.
func (q *Queue) Find(id string) (Item, error) {
	k, err := hex.DecodeString(id)
	if err != nil || len(k) != 16 {
		return Item{}, fmt.Errorf("notification %q: %w", id, ErrNotFound)
	}
	var it Item
	found := false
	err = q.db.View(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketQueue, bucketLog} {
			if raw := tx.Bucket(name).Get(k); raw != nil {
				found = true
				return json.Unmarshal(raw, &it)
			}
		}
		// Digests are written after their items, so search from the key on.
		c := tx.Bucket(bucketDigests).Cursor()
		for dk, v := c.Seek(k[:8]); dk != nil; dk, v = c.Next() {
			var d Digest
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("digest %x: %w", dk, err)
			}
			for _, x := range d.Items {
				if x.ID == id {
					it, found = x, true
					return nil
				}
			}
		}
		return nil
	})
	if err != nil {
		return Item{}, fmt.Errorf("notification %q: %w", id, err)
	}
	if !found {
		return Item{}, fmt.Errorf("notification %q: %w", id, ErrNotFound)
	}
	return it, nil
}

// Log returns passed and breakthrough notifications received in [from, to),
// oldest first.
func (q *Queue) Log(from, to time.Time) ([]Item, error) {
	var out []Item
	err := q.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketLog).Cursor()
		hi := store.TimeKey(to, 0)
		for k, v := c.Seek(store.TimeKey(from, 0)); k != nil && string(k) < string(hi); k, v = c.Next() {
			var it Item
			if err := json.Unmarshal(v, &it); err != nil {
				return fmt.Errorf("log item %x: %w", k, err)
			}
			out = append(out, it)
		}
		return nil
	})
	return out, err
}

func itoa64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func timeBytes(t time.Time) []byte { return itoa64(uint64(t.UnixNano())) }

func bytesTime(b []byte) time.Time {
	if len(b) != 8 {
		return time.Time{}
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(b)))
}

// All returns every stored notification: held, logged (passed and
// breakthrough) and inside delivered digests. It is for audits and the
// kill -9 durability test, not for hot paths.
func (q *Queue) All() ([]Item, error) {
	var out []Item
	err := q.db.View(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketQueue, bucketLog} {
			err := tx.Bucket(name).ForEach(func(k, v []byte) error {
				var it Item
				if err := json.Unmarshal(v, &it); err != nil {
					return fmt.Errorf("%s item %x: %w", name, k, err)
				}
				out = append(out, it)
				return nil
			})
			if err != nil {
				return err
			}
		}
		return tx.Bucket(bucketDigests).ForEach(func(k, v []byte) error {
			var d Digest
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("digest %x: %w", k, err)
			}
			out = append(out, d.Items...)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read all notifications: %w", err)
	}
	return out, nil
}
