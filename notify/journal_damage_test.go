package notify

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// damagedCopies lists the copies kept beside the journal at path.
func damagedCopies(t *testing.T, path string) []string {
	t.Helper()
	m, err := filepath.Glob(path + damagedSuffix + "*")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestJournalDamageRecovery: the journal of a crashed run holds three
// acknowledged groups; it is then damaged the ways the outside attack
// damaged it. Opening never fails: every group whose record can still be
// read is recovered, the damage is reported with its position, a copy of
// the damaged file is kept (never overwritten), the journal starts afresh,
// the next open reports nothing, and no ID given out before is given out
// again.
func TestJournalDamageRecovery(t *testing.T) {
	type layout struct{ offs, ends []int }
	cases := []struct {
		name    string
		damage  func(path string, data []byte, l layout) // changes the file at path
		want    []int                                    // groups recovered
		mention []string                                 // in the problem, byte offsets as {0}, {1}, {2}
	}{
		{"flipped byte in the first unapplied record", func(path string, data []byte, l layout) {
			data[l.offs[0]+40] ^= 0x20
			os.WriteFile(path, data, 0o600)
		}, []int{1, 2}, []string{"the entry at byte {0} cannot be read (checksum mismatch)", "entry 2 is missing"}},
		{"flipped byte in the middle record", func(path string, data []byte, l layout) {
			data[l.offs[1]+30] ^= 0x01
			os.WriteFile(path, data, 0o600)
		}, []int{0, 2}, []string{"byte {1}", "entry 3 is missing"}},
		{"flipped magic of the first record", func(path string, data []byte, l layout) {
			data[l.offs[0]] = 0
			os.WriteFile(path, data, 0o600)
		}, []int{1, 2}, []string{"entry 2 is missing"}},
		{"cut in the middle of the second record", func(path string, data []byte, l layout) {
			os.WriteFile(path, data[:l.offs[1]+20], 0o600)
		}, []int{0}, []string{"cut short", "the entry at byte {1} cannot be read (cut off by the end of the file)"}},
		{"zeroed", func(path string, data []byte, _ layout) {
			os.WriteFile(path, make([]byte, len(data)), 0o600)
		}, nil, []string{"emptied or replaced"}},
		{"emptied to zero length", func(path string, _ []byte, _ layout) {
			os.WriteFile(path, nil, 0o600)
		}, nil, []string{"is 0 bytes long instead of 4 MiB"}},
		{"deleted", func(path string, _ []byte, _ layout) {
			os.Remove(path)
		}, nil, []string{"the file is missing"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := MustOpen(t)
			q := openQueue(t, db)
			// One group before: applied, in bbolt, so the journal's
			// records continue from a non-zero LSN.
			before := mustAdd(t, q, held(apiN("Mail", "before"), mon))
			if err := q.flush(); err != nil {
				t.Fatal(err)
			}
			given := map[string]bool{before[0].ID: true}
			var groups [][]Result
			for g := range 3 {
				res := mustAdd(t, q, held(apiN("Mail", fmt.Sprintf("g%d", g)), mon), Item{
					Notification: apiN("CI", fmt.Sprintf("b%d", g)), Decision: Decision{ActionBreakthrough, "test"}})
				groups = append(groups, res)
				for _, r := range res {
					given[r.ID] = true
				}
			}
			q.crash()
			path := db.Path() + JournalSuffix
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var l layout
			for _, r := range scanJournal(data).records[:3] {
				l.offs = append(l.offs, r.off)
				l.ends = append(l.ends, r.off+len(encodeRecord(nil, r.journalRecord)))
			}
			tc.damage(path, bytes.Clone(data), l)
			damaged, _ := os.ReadFile(path)

			q, err = OpenQueue(db, time.UTC)
			if err != nil {
				t.Fatalf("OpenQueue after damage: %v", err)
			}
			q.idleApply = time.Hour
			probs := q.Problems()
			if len(probs) != 1 || !errors.Is(probs[0], ErrJournalDamaged) {
				t.Fatalf("problems %v, want one ErrJournalDamaged", probs)
			}
			msg := probs[0].Error()
			for _, m := range tc.mention {
				for i, off := range l.offs {
					m = strings.ReplaceAll(m, "{"+strconv.Itoa(i)+"}", strconv.Itoa(off))
				}
				if !strings.Contains(msg, m) {
					t.Errorf("problem %q lacks %q", msg, m)
				}
			}
			if !strings.Contains(msg, path) {
				t.Errorf("problem %q does not name the journal", msg)
			}
			// What was recovered, and nothing else.
			for g, res := range groups {
				_, err := q.Find(res[0].ID)
				recovered := err == nil
				if recovered != containsInt(tc.want, g) {
					t.Errorf("group %d recovered = %v, want %v", g, recovered, !recovered)
				}
			}
			if _, err := q.Find(before[0].ID); err != nil {
				t.Errorf("the applied group before: %v", err)
			}
			// The damaged file is kept as it was.
			copies := damagedCopies(t, path)
			if tc.name == "deleted" {
				if len(copies) != 0 {
					t.Errorf("copies %v of a journal that was not there", copies)
				}
			} else if len(copies) != 1 {
				t.Fatalf("damaged copies %v, want 1", copies)
			} else if kept, _ := os.ReadFile(copies[0]); !bytes.Equal(kept, damaged) {
				t.Errorf("the copy %s differs from the damaged file", copies[0])
			} else if !strings.Contains(msg, copies[0]) {
				t.Errorf("problem %q does not name the copy %s", msg, copies[0])
			}
			if fi, err := os.Stat(path); err != nil || fi.Size() != journalSize {
				t.Fatalf("fresh journal: %v, %v", fi, err)
			}
			// No ID is given out twice, whatever was lost.
			for i := range 5 {
				res := mustAdd(t, q, held(apiN("Mail", fmt.Sprintf("g%d", i)), mon), Item{
					Notification: apiN("CI", fmt.Sprintf("b%d", i)), Decision: Decision{ActionBreakthrough, "test"}})
				for _, r := range res {
					if given[r.ID] && r.Count == 1 {
						t.Fatalf("id %s given out again after the damage", r.ID)
					}
				}
			}
			// A crash now, and a clean close after: neither reports again,
			// and nothing accepted since is lost.
			q.crash()
			for round := range 2 {
				q, err = OpenQueue(db, time.UTC)
				if err != nil {
					t.Fatal(err)
				}
				if p := q.Problems(); len(p) != 0 {
					t.Fatalf("round %d after recovery: problems %v", round, p)
				}
				if items, _ := q.Held(); len(items) != 1+len(tc.want)+5-countBelow(tc.want, 5) {
					// held: "before", the recovered g*, and the new g0..g4
					// (a recovered g collapses with its repeat)
					t.Fatalf("round %d: held %d items", round, len(items))
				}
				q.Close()
			}
			if copies2 := damagedCopies(t, path); len(copies2) != len(copies) {
				t.Fatalf("copies %v, then %v", copies, copies2)
			}
		})
	}
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// countBelow counts the recovered groups that the new g0..g(n-1) repeat.
func countBelow(list []int, n int) int {
	c := 0
	for _, x := range list {
		if x < n {
			c++
		}
	}
	return c
}

// TestJournalGoneAfterCleanClose: a journal deleted, emptied or zeroed
// after Lull closed it cleanly lost nothing, and opening says nothing.
func TestJournalGoneAfterCleanClose(t *testing.T) {
	for _, name := range []string{"deleted", "zeroed"} {
		t.Run(name, func(t *testing.T) {
			db := MustOpen(t)
			q := openQueue(t, db)
			res := mustAdd(t, q, held(apiN("Mail", "kept"), mon))
			q.Close()
			path := db.Path() + JournalSuffix
			if name == "deleted" {
				os.Remove(path)
			} else {
				os.WriteFile(path, make([]byte, journalSize), 0o600)
			}
			q = openQueue(t, db)
			if p := q.Problems(); len(p) != 0 {
				t.Fatalf("problems %v", p)
			}
			if _, err := q.Find(res[0].ID); err != nil {
				t.Fatal(err)
			}
			q.crash()
			// The fresh journal holds the evidence of an intact one: a
			// crash now reports nothing either.
			q = openQueue(t, db)
			defer q.Close()
			if p := q.Problems(); len(p) != 0 {
				t.Fatalf("after a crash: problems %v", p)
			}
		})
	}
}

// TestJournalLegacyForm: records in the form journals had before the
// magic, left by a crash just before an upgrade, are applied, and the
// journal goes on in the current form.
func TestJournalLegacyForm(t *testing.T) {
	db := MustOpen(t)
	openQueue(t, db).Close()
	it := held(apiN("Mail", "from the old version"), mon)
	it.ID = "18ea9db47e5900000000000000000001"
	raw := fmt.Sprintf(`{"id":%q,"source":"Mail","title":"from the old version","priority":"normal","urgency":1,"origin":"api","received_at":"2026-11-23T08:00:00Z","decision":{"action":"held","reason":"test"},"count":1,"last_at":"2026-11-23T08:00:00Z"}`, it.ID)
	key := []byte{0x18, 0xea, 0x9d, 0xb4, 0x7e, 0x59, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}
	r := journalRecord{lsn: 1, ops: []journalOp{{kind: opSeq, bucket: jbQueue, seq: 1}, {kind: opPut, bucket: jbQueue, key: key, value: []byte(raw)}}}
	body := encodeRecord(nil, r)[recordHeader:]
	old := binary32(uint32(len(body)))
	old = append(old, binary32(crc32Castagnoli(body))...)
	old = append(old, body...)
	path := db.Path() + JournalSuffix
	data := make([]byte, journalSize)
	copy(data, old)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	q := openQueue(t, db)
	if p := q.Problems(); len(p) != 0 {
		t.Fatalf("problems %v", p)
	}
	if got, err := q.Find(it.ID); err != nil || got.Title != "from the old version" {
		t.Fatalf("Find = %+v, %v", got, err)
	}
	next := mustAdd(t, q, held(apiN("Mail", "new"), mon))
	q.crash()
	q = openQueue(t, db)
	defer q.Close()
	if _, err := q.Find(next[0].ID); err != nil || len(q.Problems()) != 0 {
		t.Fatalf("after the upgrade: %v, problems %v", err, q.Problems())
	}
}

func binary32(v uint32) []byte { return []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)} }

func crc32Castagnoli(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }
