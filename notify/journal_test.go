package notify

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
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

// TestScanJournal: a scan returns every intact record wherever it lies,
// also after a damaged one, and reports each place that starts like a
// record but is not one.
func TestScanJournal(t *testing.T) {
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
	garbage := []byte("remnant of an older record \x00\x01")
	withGarbage := slices.Concat(garbage, encodeRecord(nil, recs[0]), garbage, encodeRecord(nil, recs[1]), encodeRecord(nil, recs[2]), garbage)
	cases := []struct {
		name    string
		data    []byte
		want    []journalRecord
		wantBad []int // offsets
	}{
		{"all intact, then zeros", append(bytes.Clone(data), make([]byte, 64)...), recs, nil},
		{"empty", nil, nil, nil},
		{"zeros", make([]byte, 4096), nil, nil},
		{"torn last record", data[:len(data)-1], recs[:2], []int{second}},
		{"cut in the middle of the second", data[:second-5], recs[:1], []int{first}},
		{"flipped bit in the first body", flip(30), recs[1:], []int{0}},
		{"flipped bit in the second body", flip(first + 30), []journalRecord{recs[0], recs[2]}, []int{first}},
		{"flipped length", flip(first + 6), []journalRecord{recs[0], recs[2]}, []int{first}},
		{"flipped checksum", flip(first + 9), []journalRecord{recs[0], recs[2]}, []int{first}},
		{"flipped magic: no longer a record", flip(first + 1), []journalRecord{recs[0], recs[2]}, nil},
		{"garbage around and between", withGarbage, recs, nil},
		{"an older record after the run (left from before a rewind)", older, []journalRecord{recs[0], recs[1], {lsn: 3}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := scanJournal(c.data)
			var got []journalRecord
			for _, r := range s.records {
				got = append(got, r.journalRecord)
			}
			if !equalRecords(got, c.want) {
				t.Fatalf("read %+v, want %+v", got, c.want)
			}
			var bad []int
			for _, b := range s.bad {
				bad = append(bad, b.off)
			}
			if !slices.Equal(bad, c.wantBad) {
				t.Fatalf("bad places at %v, want %v", bad, c.wantBad)
			}
		})
	}
}

// TestCheckJournal: what opening decides from a scan and bbolt's state.
func TestCheckJournal(t *testing.T) {
	rec := func(lsn uint64) journalRecord {
		return journalRecord{lsn: lsn, ops: []journalOp{{kind: opSeq, bucket: jbQueue, seq: lsn}}}
	}
	file := func(recs ...journalRecord) []byte {
		b := encodeAll(recs)
		return append(b, make([]byte, journalSize-len(b))...)
	}
	damaged := file(rec(5), rec(6), rec(7))
	damaged[20] ^= 1
	cases := []struct {
		name           string
		data           []byte
		missing, clean bool
		applied        uint64
		wantApply      []uint64
		wantDamage     int
		wantLost       bool
		wantErr        string
	}{
		{"fresh", nil, true, false, 0, nil, 0, false, ""},
		{"all applied, last applied kept", file(rec(3), rec(4)), false, false, 4, nil, 0, false, ""},
		{"two pending", file(rec(5), rec(6), rec(3), rec(4)), false, false, 4, []uint64{5, 6}, 0, false, ""},
		{"first pending damaged", damaged, false, false, 4, []uint64{6, 7}, 2, true, ""}, // the bad place and the gap
		{"gap in the middle", file(rec(5), rec(7)), false, false, 4, []uint64{5, 7}, 1, true, ""},
		{"cut short", file(rec(5), rec(6))[:len(encodeRecord(nil, rec(5)))+10], false, false, 4, []uint64{5}, 2, true, ""},
		{"zeroed, unclean", file(), false, false, 4, nil, 1, true, ""},
		{"zeroed, clean", file(), false, true, 4, nil, 0, false, ""},
		{"missing, unclean", nil, true, false, 4, nil, 1, true, ""},
		{"missing, clean", nil, true, true, 4, nil, 0, false, ""},
		{"cut short after a clean close", file(rec(4))[:100], false, true, 4, nil, 2, false, ""},
		{"database older than the journal", file(rec(40), rec(41)), false, false, 4, nil, 0, false, "database is older than the journal"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := checkJournal(scanJournal(c.data), int64(len(c.data)), c.missing, c.applied, c.clean, "journal")
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var lsns []uint64
			for _, r := range got.apply {
				lsns = append(lsns, r.lsn)
			}
			if !slices.Equal(lsns, c.wantApply) || len(got.damage) != c.wantDamage || got.lost != c.wantLost {
				t.Fatalf("apply %v, damage %q, lost %v; want %v, %d damage, lost %v", lsns, got.damage, got.lost, c.wantApply, c.wantDamage, c.wantLost)
			}
		})
	}
}

// FuzzJournalRecords builds a journal from records the fuzzer chooses,
// damages it where the fuzzer says (flipped bytes, written garbage, zeroed
// runs, a cut end), and checks that every record whose bytes the damage
// left alone is recovered, that whatever is read encodes back to the bytes
// it was read from, and that nothing panics.
func FuzzJournalRecords(f *testing.F) {
	f.Add(uint64(1), uint8(3), []byte{})
	f.Add(uint64(7), uint8(20), []byte{0, 10, 0x40, 1, 200, 0xff, 2, 77, 9})
	f.Add(uint64(42), uint8(5), []byte{3, 90, 0})
	f.Add(uint64(3), uint8(8), []byte{1, 0, 0xff, 1, 1, 'L', 1, 2, 'j', 1, 3, '2'})
	f.Fuzz(func(t *testing.T, seed uint64, n uint8, damage []byte) {
		rng := rand.New(rand.NewPCG(seed, uint64(n)))
		var data []byte
		type span struct{ off, end int }
		var recs []journalRecord
		var spans []span
		for i := range int(n % 32) {
			r := journalRecord{lsn: seed + uint64(i)}
			for range rng.IntN(4) {
				if rng.IntN(3) == 0 {
					r.ops = append(r.ops, journalOp{kind: opSeq, bucket: byte(rng.IntN(len(journalBuckets))), seq: rng.Uint64()})
					continue
				}
				key := make([]byte, 1+rng.IntN(16))
				val := make([]byte, rng.IntN(64))
				for i := range key {
					key[i] = byte(rng.Uint32())
				}
				for i := range val {
					val[i] = byte(rng.Uint32())
				}
				r.ops = append(r.ops, journalOp{kind: opPut, bucket: byte(rng.IntN(len(journalBuckets))), key: key, value: val})
			}
			off := len(data)
			data = encodeRecord(data, r)
			recs = append(recs, r)
			spans = append(spans, span{off, len(data)})
			if rng.IntN(4) == 0 { // an older record's remnant between two records
				data = append(data, bytes.Repeat([]byte{byte(rng.Uint32())}, rng.IntN(40))...)
			}
		}
		touched := make([]bool, len(data))
		for len(damage) >= 3 && len(data) > 0 {
			op, pos, val := damage[0]%4, int(damage[1])*len(data)/256, damage[2]
			damage = damage[3:]
			switch op {
			case 0: // flip
				data[pos] ^= val | 1
				touched[pos] = true
			case 1: // overwrite
				data[pos] = val
				touched[pos] = true
			case 2: // zero a run
				for i := pos; i < min(len(data), pos+int(val)); i++ {
					data[i] = 0
					touched[i] = true
				}
			case 3: // cut
				data, touched = data[:pos], touched[:pos]
			}
		}
		s := scanJournal(data)
		found := map[int]journalRecord{}
		for _, r := range s.records {
			found[r.off] = r.journalRecord
			back := encodeRecord(nil, r.journalRecord)
			if r.off+len(back) > len(data) || !bytes.Equal(back, data[r.off:r.off+len(back)]) {
				t.Fatalf("record at %d encodes to %x, read from other bytes", r.off, back)
			}
		}
		for i, sp := range spans {
			if sp.end > len(data) || slices.Contains(touched[sp.off:sp.end], true) {
				continue
			}
			got, ok := found[sp.off]
			if !ok || !equalRecords([]journalRecord{got}, recs[i:i+1]) {
				t.Fatalf("intact record %d (LSN %d at byte %d) not recovered: %+v", i, recs[i].lsn, sp.off, s)
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

// TestJournalTornTail: a record torn by a power loss while it was written
// cannot be told from a damaged one, so it is reported (with its
// position) and the file kept; the intact record before it is applied and
// the queue works on.
func TestJournalTornTail(t *testing.T) {
	db := MustOpen(t)
	q := openQueue(t, db)
	first := mustAdd(t, q, held(apiN("Mail", "one"), mon))
	mustAdd(t, q, held(apiN("Mail", "two"), mon.Add(time.Minute)))
	q.crash()
	path := db.Path() + JournalSuffix
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := scanJournal(data)
	if len(s.records) != 2 {
		t.Fatalf("journal holds %d records, want 2", len(s.records))
	}
	second := s.records[1].off
	end := second + len(encodeRecord(nil, s.records[1].journalRecord))
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
	if p := q.Problems(); len(p) != 1 || !strings.Contains(p[0].Error(), "byte "+strconv.Itoa(second)) {
		t.Fatalf("problems %v, want one naming byte %d", p, second)
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
	path := db.Path() + JournalSuffix
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
	fi, err := os.Stat(filepath.Join(filepath.Dir(db.Path()), filepath.Base(db.Path())+JournalSuffix))
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

// TestScanJournalBounded: a file full of places that look like large
// entries is read in bounded time, and the stop is reported.
func TestScanJournalBounded(t *testing.T) {
	data := make([]byte, journalSize)
	for off := 0; off+recordHeader <= len(data); off += recordHeader {
		copy(data[off:], journalMagic[:])
		binary.BigEndian.PutUint32(data[off+4:], uint32(len(data)-off-recordHeader))
	}
	start := time.Now()
	s := scanJournal(data)
	if len(s.bad) == 0 || s.bad[len(s.bad)-1].err != errScanStopped {
		t.Fatalf("bad places %d, last %v; want the scan stopped", len(s.bad), s.bad[len(s.bad)-1])
	}
	t.Logf("scan of a crafted 4 MiB journal: %s", time.Since(start))
}
