package notify

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
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
	keyJournalLSN = []byte("journal_lsn") // last journal record applied to bbolt
	// keyJournalClean is the last journal LSN when the queue was last
	// closed; equal to journal_lsn when nothing was pending then. Open
	// deletes it, so it speaks only of the run before.
	keyJournalClean = []byte("journal_clean")
)

// idGapAfterLoss is how far the ID sequence skips ahead when journal
// records may be lost: every ID such a record gave out lies within it,
// because each ID costs its record at least one byte and the journal
// never holds more than journalSize bytes of records bbolt lacks. So an
// ID a client was given is never given again, even if its record is gone.
const idGapAfterLoss = journalSize

// DedupeWindow is how close identical held notifications (same source,
// title and body) must follow each other to collapse into one item.
const DedupeWindow = 10 * time.Minute

// Queue is the durable store of notifications. Add group-commits: concurrent
// calls share one record of the write-ahead journal (one fdatasync; see
// journal.go), and each returns only after that record is on disk. Records
// reach bbolt in batches: when enough are pending, when Add has been idle
// for JournalIdleApply, before every read and digest, and at Close.
type Queue struct {
	db  *store.DB
	loc atomic.Pointer[time.Location] // the user's zone for day counters

	reqs chan *addReq
	stop chan struct{}
	done chan struct{}

	mu     sync.RWMutex // held for reading while sending on reqs
	closed bool

	// writeMu is held around every write (journal record or bbolt
	// transaction) together with the change it makes to the fields below,
	// so they always match what is durable.
	writeMu sync.Mutex
	// index maps dedupeKey(source, title, body) to the queue key of the
	// held item identical notifications collapse into. It lives in memory
	// (rebuilt from the queue at open) so a commit dirties no random pages.
	index map[[16]byte][]byte
	// journal holds groups acknowledged but not yet in bbolt: pending, in
	// order, and overlay, the latest value of every key they put (keyed by
	// overlayKey), which reads during staging see before bbolt.
	journal      *journal
	pending      []journalRecord
	pendingBytes int
	overlay      map[string][]byte
	// seqs are the sequences of the journaled buckets, ahead of bbolt's
	// while records are pending.
	seqs [len(journalBuckets)]uint64
	// idleApply is JournalIdleApply; tests lengthen it to catch records
	// still pending.
	idleApply time.Duration

	// inflight counts API requests between arrival and commit (Expect), so
	// the committer can wait the few microseconds until every one of them
	// has queued its Add and commit them together.
	inflight atomic.Int64

	commits, committed, applies atomic.Int64

	// problems is what opening found wrong with the journal.
	problems []error
}

// Problems returns what opening the queue found wrong with its journal
// (each wraps ErrJournalDamaged), for the user to see; nil when nothing.
func (q *Queue) Problems() []error { return q.problems }

// CommitStats returns how many groups the committer wrote, how many Add
// calls they carried and how many bbolt transactions applied them, to see
// group commit at work.
func (q *Queue) CommitStats() (commits, adds, applies int64) {
	return q.commits.Load(), q.committed.Load(), q.applies.Load()
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

// OpenQueue creates notify's buckets in db, applies what its journal holds
// beyond what bbolt has (a previous run ended by a crash or kill -9), and
// starts the committer goroutine; Close stops it. Open one Queue per
// database: it owns the journal file beside it. loc is the user's zone for
// per-day counters. A damaged journal does not stop it: what can be read
// is applied, a copy of the file is kept, and Problems says what happened.
func OpenQueue(db *store.DB, loc *time.Location) (*Queue, error) {
	if loc == nil {
		loc = time.Local
	}
	fail := func(err error) (*Queue, error) {
		return nil, fmt.Errorf("notify queue %s: %w", db.Path(), err)
	}
	var applied uint64
	var clean bool
	err := db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketQueue, bucketLog, bucketDigests, bucketDays, bucketMeta} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return fmt.Errorf("create bucket %s: %w", b, err)
			}
		}
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get(keyJournalLSN); len(v) == 8 {
			applied = binary.BigEndian.Uint64(v)
		}
		if v := meta.Get(keyJournalClean); len(v) == 8 {
			clean = binary.BigEndian.Uint64(v) == applied
		}
		return meta.Delete(keyJournalClean)
	})
	if err != nil {
		return fail(err)
	}
	o, err := openJournal(db.Path() + JournalSuffix)
	if err != nil {
		return fail(err)
	}
	q := &Queue{db: db, reqs: make(chan *addReq, 256), stop: make(chan struct{}), done: make(chan struct{}),
		index: map[[16]byte][]byte{}, journal: o.j, overlay: map[string][]byte{}, idleApply: JournalIdleApply}
	q.loc.Store(loc)
	if err := q.recoverJournal(o, applied, clean); err != nil {
		o.j.close()
		return fail(err)
	}
	err = db.View(func(tx *bolt.Tx) error {
		for i, name := range journalBuckets {
			q.seqs[i] = tx.Bucket(name).Sequence()
		}
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
		o.j.close()
		return fail(err)
	}
	go q.commitLoop()
	return q, nil
}

// recoverJournal applies the journal records bbolt has not got (and so rewinds
// the journal): after it, everything acknowledged that can still be read
// is in bbolt. A damaged journal is copied aside first and started afresh
// after, and the damage is kept for Problems.
func (q *Queue) recoverJournal(o openedJournal, applied uint64, clean bool) error {
	j := o.j
	if legacy := legacyRecords(o.data); len(legacy) > 0 {
		return q.recoverLegacy(legacy, applied)
	}
	chk, err := checkJournal(scanJournal(o.data), int64(len(o.data)), o.missing, applied, clean, j.path)
	if err != nil {
		return err
	}
	kept := ""
	if len(chk.damage) > 0 && !o.missing {
		if kept, err = keepDamaged(j.path, o.data, o.mtime); err != nil {
			return err
		}
	}
	q.pending = append(q.pending, chk.apply...)
	j.last = chk.last
	if err := q.applyLocked(); err != nil {
		return err
	}
	if chk.lost {
		if err := q.skipIDs(); err != nil {
			return err
		}
	}
	if len(chk.damage) > 0 || (o.missing && applied > 0) {
		if err := j.restart(j.last); err != nil {
			return err
		}
	}
	if len(chk.damage) > 0 {
		q.problems = append(q.problems, damageReport(j.path, kept, chk))
	}
	return nil
}

// recoverLegacy applies old-form records (journal_legacy.go) and starts
// the journal afresh in the current form.
func (q *Queue) recoverLegacy(recs []journalRecord, applied uint64) error {
	j := q.journal
	j.last = applied
	for _, r := range recs {
		if r.lsn > applied {
			q.pending = append(q.pending, r)
			j.last = r.lsn
		}
	}
	if len(q.pending) > 0 && q.pending[0].lsn != applied+1 {
		first := q.pending[0].lsn
		q.pending = q.pending[:0]
		return olderDatabase(j.path, first, applied)
	}
	if err := q.applyLocked(); err != nil {
		return err
	}
	return j.restart(j.last)
}

// skipIDs moves the ID sequence idGapAfterLoss ahead (see there).
func (q *Queue) skipIDs() error {
	return q.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketQueue)
		return b.SetSequence(max(b.Sequence(), tx.Bucket(bucketLog).Sequence()) + idGapAfterLoss)
	})
}

// damageReport says what was wrong with the journal at path, what Lull
// did about it and where the damaged copy is.
func damageReport(path, kept string, c journalCheck) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s.", path, strings.Join(c.damage, "; "))
	if n := len(c.apply); n > 0 {
		fmt.Fprintf(&b, " Lull recovered %d %s the database lacked.", n, plural(n, "entry", "entries"))
	}
	if c.lost {
		b.WriteString(" Notifications Lull accepted shortly before it last stopped may be missing from your digests.")
	}
	if kept != "" {
		fmt.Fprintf(&b, " A copy of the damaged file is kept as %s; Lull goes on with a fresh journal.", kept)
	}
	return fmt.Errorf("%w: %s", ErrJournalDamaged, b.String())
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
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
	idle := time.NewTimer(time.Hour)
	idle.Stop()
	expected := 1
	for {
		var first *addReq
		select {
		case first = <-q.reqs:
		case <-idle.C:
			q.writeMu.Lock()
			_ = q.applyLocked() // on failure the records stay pending and the next read reports it
			q.writeMu.Unlock()
			continue
		case <-q.stop:
			// Close holds the lock: nothing more can be sent. Commit what
			// was accepted, and leave bbolt complete.
			var rest []*addReq
			for len(q.reqs) > 0 {
				rest = append(rest, <-q.reqs)
			}
			if len(rest) > 0 {
				q.commit(rest)
			}
			q.writeMu.Lock()
			// On failure the records stay in the journal for the next start.
			if q.applyLocked() == nil {
				q.markClean()
			}
			q.journal.close()
			q.writeMu.Unlock()
			return
		}
		group := q.gather(first, gatherTimer, expected)
		q.commit(group)
		idle.Reset(q.idleApply)
		// Expect as many callers next time as the largest recent group:
		// clients that just got their answer are about to send again.
		if len(group) >= expected {
			expected = len(group)
		} else {
			expected--
		}
	}
}

// JournalIdleApply is how long Add must be idle before journaled groups are
// applied to bbolt; under steady load they are applied every
// journalApplyBytes instead. It is a batching knob, not domain time.
const JournalIdleApply = 20 * time.Millisecond

// journalApplyBytes is how many journaled bytes may wait for bbolt.
const journalApplyBytes = 1 << 20

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
	st := q.newStage()
	err := func() error {
		defer st.close()
		for _, r := range group {
			r.ids = r.ids[:0]
			for i := range r.items {
				res, err := q.put(st, &r.items[i])
				if err != nil {
					return err
				}
				r.ids = append(r.ids, res)
			}
		}
		return nil
	}()
	if err == nil {
		err = q.commitStage(st)
	}
	q.commits.Add(1)
	q.committed.Add(int64(len(group)))
	for _, r := range group {
		if err != nil {
			r.ids, r.err = nil, fmt.Errorf("commit notifications: %w", err)
		}
		close(r.done)
	}
	// Answered: now is the time to move a full batch into bbolt.
	if q.pendingBytes >= journalApplyBytes {
		_ = q.applyLocked() // on failure the records stay pending and the next read reports it
	}
}

// commitStage makes st durable: as one journal record when it fits (bbolt
// gets it later), else, for a group too large for the journal, straight
// in bbolt after everything pending. Then st becomes the queue's state.
func (q *Queue) commitStage(st *stage) error {
	if len(st.ops) == 0 {
		return nil
	}
	size := encodedSize(st.ops)
	if !q.journal.fits(size) {
		if err := q.applyLocked(); err != nil {
			return err
		}
	}
	if q.journal.fits(size) {
		rec, err := q.journal.append(st.ops)
		if err != nil {
			return err
		}
		q.pending = append(q.pending, rec)
		q.pendingBytes += size
		for k, v := range st.writes {
			q.overlay[k] = v
		}
	} else {
		err := q.db.Update(func(tx *bolt.Tx) error { return applyOps(tx, st.ops) })
		if err != nil {
			return err
		}
		q.applies.Add(1)
	}
	for h, k := range st.index {
		q.index[h] = k
	}
	q.seqs = st.seqs
	return nil
}

// applyLocked writes every pending journal record to bbolt in one
// transaction, with the last one's LSN, then rewinds the journal. The
// caller holds writeMu.
func (q *Queue) applyLocked() error {
	if len(q.pending) == 0 {
		return nil
	}
	last := q.pending[len(q.pending)-1].lsn
	err := q.db.Update(func(tx *bolt.Tx) error {
		for _, r := range q.pending {
			if err := applyOps(tx, r.ops); err != nil {
				return fmt.Errorf("journal record %d: %w", r.lsn, err)
			}
		}
		return tx.Bucket(bucketMeta).Put(keyJournalLSN, itoa64(last))
	})
	if err != nil {
		return fmt.Errorf("apply notification journal: %w", err)
	}
	q.applies.Add(1)
	q.pending, q.pendingBytes = q.pending[:0], 0
	clear(q.overlay)
	q.journal.rewind()
	return nil
}

// markClean records that the journal ends at its last LSN, so the next
// open knows a missing or emptied journal lost nothing (keyJournalClean).
// Failing only costs that knowledge.
func (q *Queue) markClean() {
	_ = q.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyJournalClean, itoa64(q.journal.last))
	})
}

// applyOps performs journal ops in tx.
func applyOps(tx *bolt.Tx, ops []journalOp) error {
	for _, op := range ops {
		b := tx.Bucket(journalBuckets[op.bucket])
		switch op.kind {
		case opPut:
			if err := b.Put(op.key, op.value); err != nil {
				return err
			}
		case opSeq:
			if op.seq > b.Sequence() {
				if err := b.SetSequence(op.seq); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// flush applies pending journal records so bbolt holds every acknowledged
// notification; every read starts with it.
func (q *Queue) flush() error {
	q.writeMu.Lock()
	defer q.writeMu.Unlock()
	return q.applyLocked()
}

// stage is one group's changes before they are durable. Its reads see its
// own writes first, then the journaled overlay, then bbolt.
type stage struct {
	q      *Queue
	tx     *bolt.Tx // read-only, begun on first need
	writes map[string][]byte
	index  map[[16]byte][]byte
	seqs   [len(journalBuckets)]uint64
	ops    []journalOp
}

func (q *Queue) newStage() *stage {
	return &stage{q: q, writes: map[string][]byte{}, index: map[[16]byte][]byte{}, seqs: q.seqs}
}

// overlayKey names key in bucket b in the overlay maps.
func overlayKey(b byte, key []byte) string { return string(b) + string(key) }

func (st *stage) get(b byte, key []byte) ([]byte, error) {
	k := overlayKey(b, key)
	if v, ok := st.writes[k]; ok {
		return v, nil
	}
	if v, ok := st.q.overlay[k]; ok {
		return v, nil
	}
	if st.tx == nil {
		tx, err := st.q.db.Begin(false)
		if err != nil {
			return nil, err
		}
		st.tx = tx
	}
	// Outside View: a damaged page must still give an error, not a crash.
	var v []byte
	err := st.q.db.Protect(func() error {
		v = st.tx.Bucket(journalBuckets[b]).Get(key)
		return nil
	})
	return v, err
}

func (st *stage) put(b byte, key, value []byte) {
	st.writes[overlayKey(b, key)] = value
	st.ops = append(st.ops, journalOp{kind: opPut, bucket: b, key: key, value: value})
}

func (st *stage) putJSON(b byte, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	st.put(b, key, raw)
	return nil
}

// nextID allocates the sequence of a new notification kept in bucket b
// (the held queue or the log). One counter serves both buckets, so IDs
// never repeat across them: it is the larger of the two buckets' bbolt
// sequences, and each allocation raises b's sequence to the new value, so
// the larger one always holds the last number given out (also in
// databases written before the counter was shared). The number alone is
// unique, whatever the clock did: an ID does not rely on time moving
// forward.
func (st *stage) nextID(b byte) uint64 {
	n := idSequence(st.seqs) + 1
	st.seqs[b] = n
	st.ops = append(st.ops, journalOp{kind: opSeq, bucket: b, seq: n})
	return n
}

// idSequence is the last notification sequence given out: the larger of
// the held queue's and the log's.
func idSequence(seqs [len(journalBuckets)]uint64) uint64 {
	return max(seqs[jbQueue], seqs[jbLog])
}

// close ends the read transaction; it must end before any write
// transaction on the same goroutine (bbolt may need to remap).
func (st *stage) close() {
	if st.tx != nil {
		_ = st.tx.Rollback()
		st.tx = nil
	}
}

// put stages one item and fills in its ID: a held item identical to one
// held within DedupeWindow collapses into it.
func (q *Queue) put(st *stage, it *Item) (Result, error) {
	if it.Count == 0 {
		it.Count = 1
	}
	if it.LastAt.IsZero() {
		it.LastAt = it.ReceivedAt
	}
	if it.Decision.Action != ActionHold {
		k := store.TimeKey(it.ReceivedAt, st.nextID(jbLog))
		it.ID = hex.EncodeToString(k)
		return Result{it.ID, it.Decision.Action, it.Decision.Reason, it.Count}, st.putJSON(jbLog, k, it)
	}
	dk := dayKey(it.ReceivedAt, q.loc.Load())
	old, err := st.get(jbDays, dk)
	if err != nil {
		return Result{}, err
	}
	st.put(jbDays, dk, addDay(old, 0, 1))
	h := dedupeKey(it.Notification)
	k, ok := st.index[h]
	if !ok {
		k = q.index[h]
	}
	if k != nil {
		raw, err := st.get(jbQueue, k)
		if err != nil {
			return Result{}, err
		}
		if raw != nil {
			var prev Item
			if err := json.Unmarshal(raw, &prev); err == nil && it.ReceivedAt.Sub(prev.LastAt) <= DedupeWindow && !it.ReceivedAt.Before(prev.LastAt) {
				prev.Count += it.Count
				prev.LastAt = it.ReceivedAt
				*it = prev
				return Result{prev.ID, ActionHold, prev.Decision.Reason, prev.Count}, st.putJSON(jbQueue, k, &prev)
			}
		}
	}
	k = store.TimeKey(it.ReceivedAt, st.nextID(jbQueue))
	it.ID = hex.EncodeToString(k)
	st.index[h] = k
	return Result{it.ID, ActionHold, it.Decision.Reason, it.Count}, st.putJSON(jbQueue, k, it)
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

// dayKey is the notify_days key of t's local day.
func dayKey(t time.Time, loc *time.Location) []byte {
	return []byte(t.In(loc).Format(time.DateOnly))
}

// addDay returns the day counter old (16 bytes, or nil) plus batched and
// digests.
func addDay(old []byte, digests, batched uint64) []byte {
	v := make([]byte, 16)
	if len(old) == 16 {
		copy(v, old)
	}
	binary.BigEndian.PutUint64(v[:8], binary.BigEndian.Uint64(v[:8])+batched)
	binary.BigEndian.PutUint64(v[8:], binary.BigEndian.Uint64(v[8:])+digests)
	return v
}

// countDay adds to the per-day counters of t's local day.
func (q *Queue) countDay(tx *bolt.Tx, t time.Time, digests, batched uint64) error {
	b := tx.Bucket(bucketDays)
	k := dayKey(t, q.loc.Load())
	return b.Put(k, addDay(b.Get(k), digests, batched))
}

// Held returns the items waiting for the next digest, oldest first.
func (q *Queue) Held() ([]Item, error) {
	var out []Item
	if err := q.flush(); err != nil {
		return nil, err
	}
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
	loc := q.loc.Load()
	lo := []byte(from.In(loc).Format(time.DateOnly))
	tl := to.In(loc)
	hiDay := tl
	if tl.Equal(time.Date(tl.Year(), tl.Month(), tl.Day(), 0, 0, 0, 0, loc)) {
		hiDay = tl.AddDate(0, 0, -1)
	}
	hi := []byte(hiDay.Format(time.DateOnly))
	if err := q.flush(); err != nil {
		return 0, 0, err
	}
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
	if err := q.flush(); err != nil {
		return Item{}, err
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
	if err := q.flush(); err != nil {
		return nil, err
	}
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
	if err := q.flush(); err != nil {
		return nil, err
	}
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
