package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// sampleDB writes a database with enough data for branch pages, overflow
// pages, nested and inline buckets and a freelist, and returns its bytes.
func sampleDB(t testing.TB) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), FileName)
	db, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for b := range 3 {
			bk, err := tx.CreateBucketIfNotExists([]byte(fmt.Sprintf("bucket%d", b)))
			if err != nil {
				return err
			}
			for i := range 400 {
				if err := bk.Put(TimeKey(time.Unix(int64(i), 0), uint64(i)), bytes.Repeat([]byte{byte(i)}, 40)); err != nil {
					return err
				}
			}
			if _, err := bk.CreateBucket([]byte("inline")); err != nil { // small: stays inline
				return err
			}
		}
		big, err := tx.CreateBucket([]byte("big"))
		if err != nil {
			return err
		}
		return big.Put([]byte("k"), bytes.Repeat([]byte("v"), 10000)) // overflow pages
	})
	if err == nil {
		// Free some pages so the freelist is not empty.
		err = db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("bucket2")) })
	}
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// pagesOfType returns the numbers of the pages of data the bucket tree
// reaches (freed pages keep old content; damage there harms nothing)
// whose header has flags.
func pagesOfType(t testing.TB, data []byte, flags uint16) []int {
	t.Helper()
	r := bytes.NewReader(data)
	m, err := chooseMeta(r)
	if err != nil {
		t.Fatal(err)
	}
	c := &treeCheck{f: r, m: m, seen: map[uint64]bool{}}
	if err := c.bucketPage(m.root, 0); err != nil {
		t.Fatal(err)
	}
	ps := int(m.pageSize)
	var out []int
	for id := 2; (id+1)*ps <= len(data); id++ {
		reached := c.seen[uint64(id)] || (flags == freelistPage && uint64(id) == m.freelist)
		if reached && binary.NativeEndian.Uint16(data[id*ps+8:]) == flags && binary.NativeEndian.Uint64(data[id*ps:]) == uint64(id) {
			out = append(out, id)
		}
	}
	return out
}

// readAll reads every key of every bucket, nested ones included.
func readAll(db *DB) error {
	return db.View(func(tx *bolt.Tx) error {
		var walk func(b *bolt.Bucket) error
		walk = func(b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				if v == nil {
					if c := b.Bucket(k); c != nil {
						return walk(c)
					}
				}
				return nil
			})
		}
		return tx.ForEach(func(_ []byte, b *bolt.Bucket) error { return walk(b) })
	})
}

// TestDamagedFilesGiveAClearError: a table of damaged files. Opening never
// panics or faults: it answers with a *DamagedError naming the file,
// what is wrong and what to do, and leaves the file as it was; a file
// bbolt can still use (one meta page zeroed: it falls back to the other)
// opens, and every key in it can be read.
func TestDamagedFilesGiveAClearError(t *testing.T) {
	good := sampleDB(t)
	ps := int(binary.NativeEndian.Uint32(good[pageHeaderSize+8:]))
	branches := pagesOfType(t, good, branchPage)
	leaves := pagesOfType(t, good, leafPage)
	freelists := pagesOfType(t, good, freelistPage)
	if len(branches) == 0 || len(leaves) == 0 {
		t.Fatalf("sample has %d branch and %d leaf pages; the test needs both", len(branches), len(leaves))
	}
	set := func(f func(b []byte)) []byte {
		b := bytes.Clone(good)
		f(b)
		return b
	}
	rng := rand.New(rand.NewPCG(1, 2))
	garbage := make([]byte, len(good))
	for i := range garbage {
		garbage[i] = byte(rng.Uint32())
	}
	cases := []struct {
		name  string
		data  []byte
		want  string // in the problem; "" when the file must open
		opens bool
	}{
		{"flipped type byte in a branch page", set(func(b []byte) { b[branches[0]*ps+8] = 0x20 }), "", false},
		{"flipped type byte in a leaf page", set(func(b []byte) { b[leaves[len(leaves)-1]*ps+8] = 0x08 }), "", false},
		{"branch entry pointing far past the end", set(func(b []byte) {
			binary.NativeEndian.PutUint64(b[branches[0]*ps+pageHeaderSize+8:], 1<<40)
		}), "outside the", false},
		{"leaf entry pointing past its page", set(func(b []byte) {
			binary.NativeEndian.PutUint32(b[leaves[0]*ps+pageHeaderSize+4:], 1<<30)
		}), "lies outside the page", false},
		{"truncated at half", good[:len(good)/2], "cut short", false},
		{"truncated inside the header", good[:100], "", false},
		{"both meta pages zeroed", set(func(b []byte) { clear(b[:2*ps]) }), "both copies of its header are unreadable", false},
		{"random garbage", garbage, "", false},
		{"a data page overwritten with garbage", set(func(b []byte) { copy(b[leaves[0]*ps:(leaves[0]+1)*ps], garbage) }), "", false},
		{"free-page list claiming too many entries", set(func(b []byte) {
			if len(freelists) > 0 {
				binary.NativeEndian.PutUint16(b[freelists[0]*ps+10:], 0xFFFF)
				binary.NativeEndian.PutUint64(b[freelists[0]*ps+pageHeaderSize:], 1<<40)
			} else {
				b[branches[0]*ps+8] = 0x20
			}
		}), "", false},
		{"first meta page zeroed: bbolt uses the second", set(func(b []byte) { clear(b[:ps]) }), "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), FileName)
			if err := os.WriteFile(path, tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			for _, ro := range []bool{false, true} {
				db, err := Open(path, Options{ReadOnly: ro, LockTimeout: time.Second})
				if tc.opens {
					if err != nil {
						t.Fatalf("read-only %v: %v", ro, err)
					}
					if err := readAll(db); err != nil {
						t.Fatalf("reading everything: %v", err)
					}
					db.Close()
					continue
				}
				if err == nil {
					db.Close()
					t.Fatalf("read-only %v: a damaged file opened", ro)
				}
				var de *DamagedError
				if !errors.As(err, &de) || !errors.Is(err, ErrDamaged) || de.Path != path {
					t.Fatalf("read-only %v: err = %v, want a DamagedError for %s", ro, err, path)
				}
				for _, want := range []string{path, tc.want, "Lull has not changed it", "Restore it from a backup", "lull --start-fresh"} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q lacks %q", err, want)
					}
				}
				if strings.Contains(err.Error(), "goroutine") || strings.Contains(err.Error(), "panic") {
					t.Errorf("error %q reads like a crash", err)
				}
			}
			if after, _ := os.ReadFile(path); !tc.opens && !bytes.Equal(after, tc.data) {
				t.Error("opening changed the damaged file")
			}
			// The lock is free again: the file can be moved aside at once.
			if !tc.opens {
				moved, err := MoveAside(path, time.Date(2026, 12, 2, 9, 30, 0, 0, time.Local))
				if err != nil || len(moved) != 1 || !strings.HasSuffix(moved[0], FileName+DamagedSuffix+"20261202-093000") {
					t.Fatalf("MoveAside = %v, %v", moved, err)
				}
			}
		})
	}
}

// TestDamageMetAfterOpenIsAnError: damage that appears while the file is
// open (cut short behind Lull's back) makes reads fail with a
// *DamagedError instead of killing the process.
func TestDamageMetAfterOpenIsAnError(t *testing.T) {
	good := sampleDB(t)
	ps := int(binary.NativeEndian.Uint32(good[pageHeaderSize+8:]))
	path := filepath.Join(t.TempDir(), FileName)
	if err := os.WriteFile(path, good, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := os.Truncate(path, int64(3*ps)); err != nil {
		t.Fatal(err)
	}
	err = readAll(db)
	var de *DamagedError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "cut short") {
		t.Fatalf("reading a file cut short under it: %v, want a DamagedError saying so", err)
	}
}

// TestProtectRaisesBugs: a panic in Lull's own code inside a transaction
// on an intact file is a bug, not damage: it is not turned into an error.
func TestProtectRaisesBugs(t *testing.T) {
	db := MustOpen(t)
	defer func() {
		if r := recover(); r != "a bug" {
			t.Fatalf("recovered %v, want the original panic", r)
		}
	}()
	_ = db.View(func(*bolt.Tx) error { panic("a bug") })
	t.Fatal("the panic was swallowed")
}

// TestMoveAsideKeepsCompanions: the journal beside the database moves
// with it and keeps its suffix; an existing name is never replaced.
func TestMoveAsideKeepsCompanions(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	at := time.Date(2026, 12, 2, 9, 30, 0, 0, time.Local)
	for round := range 2 {
		os.WriteFile(path, []byte(fmt.Sprint("db", round)), 0o600)
		os.WriteFile(path+"-journal", []byte(fmt.Sprint("j", round)), 0o600)
		moved, err := MoveAside(path, at, "-journal", "-absent")
		if err != nil || len(moved) != 2 {
			t.Fatalf("round %d: %v, %v", round, moved, err)
		}
		want := path + DamagedSuffix + "20261202-093000"
		if round == 1 {
			want += "-2"
		}
		if moved[0] != want || moved[1] != want+"-journal" {
			t.Fatalf("round %d: moved to %v, want %s and its journal", round, moved, want)
		}
		if b, _ := os.ReadFile(moved[1]); string(b) != fmt.Sprint("j", round) {
			t.Fatalf("round %d: journal copy holds %q", round, b)
		}
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatal("the database is still in place")
	}
}
