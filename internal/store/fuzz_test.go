package store

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var (
	fuzzBaseOnce sync.Once
	fuzzBase     []byte
)

// FuzzOpen damages a small valid database where the fuzzer says (bytes
// set or flipped, eight-byte numbers planted, the end cut off) and opens
// it: opening, and reading every key when it opens, never panics or
// crashes; it ends in nil or an error that names the file.
func FuzzOpen(f *testing.F) {
	f.Add([]byte{}, uint32(0))
	f.Add([]byte{0, 0x20, 0x30, 0, 0, 0x20}, uint32(0))                             // a byte in page 3
	f.Add([]byte{1, 0x18, 0x30, 0, 0, 0xff}, uint32(0))                             // a big number in page 3
	f.Add([]byte{2, 0x08, 0x10, 0, 0, 0x01, 0, 0x08, 0x20, 0, 0, 9}, uint32(20000)) // two changes and a cut
	f.Fuzz(func(t *testing.T, muts []byte, cut uint32) {
		fuzzBaseOnce.Do(func() { fuzzBase = sampleDB(t) })
		data := append([]byte(nil), fuzzBase...)
		for len(muts) >= 6 {
			kind, off, v := muts[0]%3, int(binary.LittleEndian.Uint32(muts[1:5])%uint32(len(data))), muts[5]
			muts = muts[6:]
			switch kind {
			case 0:
				data[off] = v
			case 1:
				if off+8 <= len(data) {
					binary.NativeEndian.PutUint64(data[off:], uint64(v)<<(8*(uint64(v)%8)))
				}
			case 2:
				data[off] ^= v | 1
			}
		}
		if cut > 0 && int(cut) < len(data) {
			data = data[:cut]
		}
		path := filepath.Join(t.TempDir(), FileName)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		db, err := Open(path, Options{NoSync: true})
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		defer db.Close()
		if err := readAll(db); err != nil && !strings.Contains(err.Error(), path) {
			t.Fatalf("reading: error does not name the file: %v", err)
		}
	})
}
