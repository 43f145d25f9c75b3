package store

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// BenchmarkOpen opens a database of about 20 MB (some 100,000 keys, the
// size of years of heavy use): what the start-up checks cost, against
// BenchmarkOpenUnchecked, bbolt's open alone.
func BenchmarkOpen(b *testing.B) {
	path := benchDB(b)
	b.ResetTimer()
	for range b.N {
		db, err := Open(path, Options{ReadOnly: true})
		if err != nil {
			b.Fatal(err)
		}
		db.Close()
	}
}

// BenchmarkOpenUnchecked is bbolt's open of the same file, for comparison.
func BenchmarkOpenUnchecked(b *testing.B) {
	path := benchDB(b)
	b.ResetTimer()
	for range b.N {
		db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
		if err != nil {
			b.Fatal(err)
		}
		db.Close()
	}
}

func benchDB(b *testing.B) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), FileName)
	db, err := Open(path, Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	for batch := range 10 {
		err := db.Update(func(tx *bolt.Tx) error {
			bk, err := tx.CreateBucketIfNotExists([]byte(fmt.Sprintf("b%d", batch%3)))
			if err != nil {
				return err
			}
			for i := range 10000 {
				if err := bk.Put(TimeKey(time.Unix(int64(batch*10000+i), 0), uint64(i)), bytes.Repeat([]byte{'x'}, 150)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	db.Close()
	if fi, err := os.Stat(path); err == nil {
		b.Logf("database of %.1f MB", float64(fi.Size())/(1<<20))
	}
	return path
}
