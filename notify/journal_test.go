package notify

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lullapp/lull/internal/store"
)

// crash stops q as kill -9 would after its last acknowledged Add: the
// records it journaled are never applied to bbolt (the journal file keeps
// them, as on disk after a crash).
func (q *Queue) crash() {
	q.writeMu.Lock()
	q.pending, q.pendingBytes = nil, 0
	clear(q.overlay)
	q.writeMu.Unlock()
	q.Close()
}

func sampleRecords() []journalRecord {
	return []journalRecord{
		{lsn: 7, ops: []journalOp{
			{kind: opSeq, bucket: jbQueue, seq: 3},
			{kind: opPut, bucket: jbQueue, key: []byte("k1"), value: []byte(`{"title":"a"}`)},
			{kind: opPut, bucket: jbDays, key: []byte("2026-11-30"), value: []byte{}},
		}},
		{lsn: 8, ops: []journalOp{{kind: opPut, bucket: jbLog, key: []byte("k2"), value: bytes.Repeat([]byte("x"), 300)}}},
		{lsn: 9, ops: nil},
	}
}

func encodeAll(recs []journalRecord) []byte {
	var b []byte
	for _, r := range recs {
		b = encodeRecord(b, r)
	}
	return b
}

// equalRecords compares records, treating nil and empty slices alike.
func equalRecords(a, b []journalRecord) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].lsn != b[i].lsn || len(a[i].ops) != len(b[i].ops) {
			return false
		}
		for j, x := range a[i].ops {
			y := b[i].ops[j]
			if x.kind != y.kind || x.bucket != y.bucket || x.seq != y.seq || !bytes.Equal(x.key, y.key) || !bytes.Equal(x.value, y.value) {
				return false
			}
		}
	}
	return true
}

// TestReadRecords: reading returns the run of intact, consecutive records
// and stops at the first zero, torn, malformed or out-of-sequence one.
func TestReadRecords(t *testing.T) {
	recs := sampleRecords()
	data := encodeAll(recs)
	first := len(encodeRecord(nil, recs[0]))
	second := first + len(encodeRecord(nil, recs[1]))
	flip := func(at int) []byte {
		b := bytes.Clone(data)
		b[at] ^= 0x40
		return b
	}
	older := encodeAll([]journalRecord{recs[0], recs[1], {lsn: 3}})
	cases := []struct {
		name string
		data []byte
		want int
	}{
		{"all intact, then zeros", append(bytes.Clone(data), make([]byte, 64)...), 3},
		{"empty", nil, 0},
		{"zeros", make([]byte, 4096), 0},
		{"torn last record", data[:len(data)-1], 2},
		{"torn in the middle of the second", data[:second-5], 1},
		{"flipped bit in the first body", flip(20), 0},
		{"flipped bit in the second body", flip(first + 30), 1},
		{"flipped length", flip(first + 2), 1},
		{"an older record after the run (left from before a rewind)", older, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := readRecords(c.data)
			if !equalRecords(got, recs[:c.want]) {
				t.Fatalf("read %d records %+v, want the first %d", len(got), got, c.want)
			}
		})
	}
}

// FuzzJournalRecords: reading any bytes never panics, and whatever is
// read encodes back to the same bytes.
func FuzzJournalRecords(f *testing.F) {
	f.Add(encodeAll(sampleRecords()))
	f.Add([]byte{})
	f.Add(make([]byte, 32))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs := readRecords(data)
		back := encodeAll(recs)
		if !bytes.Equal(back, data[:len(back)]) {
			t.Fatalf("records %+v encode to %x, read from %x", recs, back, data[:len(back)])
		}
		for i := 1; i < len(recs); i++ {
			if recs[i].lsn != recs[i-1].lsn+1 {
				t.Fatalf("records out of sequence: %d after %d", recs[i].lsn, recs[i-1].lsn)
			}
		}
	})
}

// bucketLen counts the keys of a bucket straight from bbolt.
func bucketLen(t *testing.T, db *store.DB, name []byte) int {
	t.Helper()
	n := 0
	if err := db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(name).Stats().KeyN
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func openQueue(t *testing.T, db *store.DB) *Queue {
	t.Helper()
	q, err := OpenQueue(db, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	q.idleApply = time.Hour // keep acknowledged groups in the journal until crash or read
	return q
}

func mustAdd(t *testing.T, q *Queue, items ...Item) []Result {
	t.Helper()
	res, err := q.Add(items)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestJournalCrashReplay: groups acknowledged from the journal alone (the
// process killed before they reached bbolt) are all there after reopening,
// collapsed repeats and day counters included, and reopening again applies
// nothing twice.
func TestJournalCrashReplay(t *testing.T) {
	db := MustOpen(t)
	q := openQueue(t, db)
	mail := apiN("Mail", "Weekly sync moved")
	a := mustAdd(t, q, held(mail, mon), held(apiN("CI", "Build failed"), mon.Add(time.Minute)))
	again := mustAdd(t, q, held(mail, mon.Add(2*time.Minute)))
	passed := mustAdd(t, q, Item{Notification: apiN("Pager", "Disk full"), Decision: Decision{ActionBreakthrough, "urgent"}})
	if again[0].ID != a[0].ID || again[0].Count != 2 {
		t.Fatalf("repeat = %+v, want it collapsed into %s with count 2", again[0], a[0].ID)
	}
	q.crash()
	if n := bucketLen(t, db, bucketQueue) + bucketLen(t, db, bucketLog); n != 0 {
		t.Fatalf("bbolt holds %d items before replay; the test needs them only in the journal", n)
	}

	for round := range 2 {
		q = openQueue(t, db)
		items, err := q.Held()
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 2 || items[0].ID != a[0].ID || items[0].Count != 2 || items[1].ID != a[1].ID {
			t.Fatalf("round %d: held %+v, want %s (count 2) and %s", round, items, a[0].ID, a[1].ID)
		}
		if _, err := q.Find(passed[0].ID); err != nil {
			t.Fatalf("round %d: breakthrough: %v", round, err)
		}
		batched, _, err := q.Stats(mon.Add(-time.Hour), mon.Add(time.Hour))
		if err != nil || batched != 3 {
			t.Fatalf("round %d: batched = %d, %v; want 3 (applied exactly once)", round, batched, err)
		}
		q.Close()
	}

	// New groups after a replay continue the sequence and survive the next
	// crash too; IDs stay distinct.
	q = openQueue(t, db)
	more := mustAdd(t, q, held(apiN("Chat", "lunch?"), mon.Add(3*time.Minute)))
	q.crash()
	q = openQueue(t, db)
	defer q.Close()
	items, _ := q.Held()
	if len(items) != 3 || items[2].ID != more[0].ID {
		t.Fatalf("held %+v, want the earlier two and %s", items, more[0].ID)
	}
	if more[0].ID == a[0].ID || more[0].ID == a[1].ID {
		t.Fatalf("ID %s reused", more[0].ID)
	}
}

// TestJournalTornTail: a group whose record was torn by the crash was never
// acknowledged; the intact records before it are applied, the torn one is
// dropped, and the queue works on.
func TestJournalTornTail(t *testing.T) {
	db := MustOpen(t)
	q := openQueue(t, db)
	first := mustAdd(t, q, held(apiN("Mail", "one"), mon))
	mustAdd(t, q, held(apiN("Mail", "two"), mon.Add(time.Minute)))
	q.crash()
	path := db.Path() + journalSuffix
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs := readRecords(data)
	if len(recs) != 2 {
		t.Fatalf("journal holds %d records, want 2", len(recs))
	}
	end := len(encodeAll(recs))
	data[end-3] ^= 0xff // the second record's last bytes never reached the disk
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	q = openQueue(t, db)
	defer q.Close()
	items, _ := q.Held()
	if len(items) != 1 || items[0].ID != first[0].ID {
		t.Fatalf("held %+v, want only %s", items, first[0].ID)
	}
	mustAdd(t, q, held(apiN("Mail", "three"), mon.Add(2*time.Minute)))
	if items, _ = q.Held(); len(items) != 2 {
		t.Fatalf("held %d after a new Add, want 2", len(items))
	}
}

// TestJournalNewerThanDatabase: a journal that continues past a gap (the
// database restored from an older copy) is refused with what to do, and
// neither file is changed.
func TestJournalNewerThanDatabase(t *testing.T) {
	db := MustOpen(t)
	openQueue(t, db).Close()
	path := db.Path() + journalSuffix
	rec := encodeRecord(nil, journalRecord{lsn: 40, ops: []journalOp{{kind: opPut, bucket: jbQueue, key: []byte("k"), value: []byte("{}")}}})
	data, _ := os.ReadFile(path)
	copy(data, rec)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := OpenQueue(db, time.UTC)
	if err == nil || !strings.Contains(err.Error(), "move the journal aside") || !strings.Contains(err.Error(), path) {
		t.Fatalf("OpenQueue = %v, want a refusal naming %s and what to do", err, path)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(after, data) || bucketLen(t, db, bucketQueue) != 0 {
		t.Fatal("the refused journal or the database was changed")
	}
}

// TestJournalFileIsPreallocatedPrivate: the journal sits beside the
// database, mode 0600, at its full size from the start (so a sync never
// has to grow it).
func TestJournalFileIsPreallocatedPrivate(t *testing.T) {
	db := MustOpen(t)
	q := openQueue(t, db)
	defer q.Close()
	fi, err := os.Stat(filepath.Join(filepath.Dir(db.Path()), filepath.Base(db.Path())+journalSuffix))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 || fi.Size() != journalSize {
		t.Fatalf("journal mode %v size %d, want 0600 and %d", fi.Mode().Perm(), fi.Size(), journalSize)
	}
}

// TestJournalAppliesInBatches: under a steady stream the journal is applied
// to bbolt once journalApplyBytes are pending, not per group, and a group
// too large for the journal goes to bbolt directly; nothing is lost.
func TestJournalAppliesInBatches(t *testing.T) {
	db := MustOpen(t)
	q := openQueue(t, db)
	body := strings.Repeat("b", 4000)
	var ids []string
	for i := range 600 { // ~2.5 MB: at least two batches
		n := apiN("Mail", "n"+strconv.Itoa(i))
		n.Body = body
		ids = append(ids, mustAdd(t, q, held(n, mon.Add(time.Duration(i)*time.Second)))[0].ID)
	}
	commits, _, applies := q.CommitStats()
	if commits != 600 || applies < 2 || applies > 4 {
		t.Fatalf("%d groups applied in %d transactions, want 600 in 2-4", commits, applies)
	}
	var big []Item
	for i := range 1200 { // ~5 MB in one Add: more than the journal holds
		n := apiN("CI", "big"+strconv.Itoa(i))
		n.Body = body
		big = append(big, held(n, mon.Add(time.Hour)))
	}
	res := mustAdd(t, q, big...)
	q.crash() // the large group must already be in bbolt
	q = openQueue(t, db)
	defer q.Close()
	items, err := q.Held()
	if err != nil || len(items) != 1800 {
		t.Fatalf("held %d, %v; want 1800", len(items), err)
	}
	for _, id := range append(ids, res[len(res)-1].ID) {
		if _, err := q.Find(id); err != nil {
			t.Fatal(err)
		}
	}
}

// TestJournalKeepsOpsOrder: the ops of one record replay in order, so a
// collapsed repeat's later value wins.
func TestJournalKeepsOpsOrder(t *testing.T) {
	db := MustOpen(t)
	q := openQueue(t, db)
	n := apiN("Mail", "same")
	var last []Result
	for i := range 5 {
		last = mustAdd(t, q, held(n, mon.Add(time.Duration(i)*time.Second)))
	}
	q.crash()
	q = openQueue(t, db)
	defer q.Close()
	items, _ := q.Held()
	want := []int{5}
	got := []int{}
	for _, it := range items {
		got = append(got, it.Count)
	}
	if !reflect.DeepEqual(got, want) || items[0].ID != last[0].ID {
		t.Fatalf("counts %v (id %s), want %v (id %s)", got, items[0].ID, want, last[0].ID)
	}
}

// TestJournalOneQueuePerDatabase: a second queue on the same database is
// refused (it would write over the first one's records).
func TestJournalOneQueuePerDatabase(t *testing.T) {
	db := MustOpen(t)
	q := openQueue(t, db)
	defer q.Close()
	if q2, err := OpenQueue(db, time.UTC); err == nil || !strings.Contains(err.Error(), "in use") {
		if q2 != nil {
			q2.Close()
		}
		t.Fatalf("second OpenQueue = %v, want refused", err)
	}
}
