package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// MustOpen opens a fresh database in a temporary directory, closed at cleanup.
func MustOpen(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), FileName), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestOpenCreatesFile0600AtSchemaVersion(t *testing.T) {
	db := MustOpen(t)
	fi, err := os.Stat(db.Path())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
	}
	v, err := db.Version()
	if err != nil || v != SchemaVersion {
		t.Errorf("Version = %d, %v; want %d", v, err, SchemaVersion)
	}
}

func TestSecondOpenIsLocked(t *testing.T) {
	db := MustOpen(t)
	start := time.Now()
	_, err := Open(db.Path(), Options{LockTimeout: 200 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open err = %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), db.Path()) {
		t.Errorf("error %q does not name the file", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("lock wait took %v", time.Since(start))
	}
}

func TestCorruptFileIsReportedAndLeftAlone(t *testing.T) {
	cases := map[string][]byte{
		"garbage":   bytes.Repeat([]byte("not a database "), 1000),
		"truncated": []byte{0x01, 0x02, 0x03},
		"zeros":     make([]byte, 64*1024),
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), FileName)
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Open(path, Options{})
			if err == nil {
				t.Fatal("Open of a corrupt file succeeded")
			}
			if !errors.Is(err, ErrDamaged) {
				t.Errorf("err = %v, want ErrDamaged", err)
			}
			for _, want := range []string{path, "Restore it from a backup", "lull --start-fresh"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(after, content) {
				t.Error("Open changed the corrupt file")
			}
		})
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	db := MustOpen(t)
	path := db.Path()
	err := db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(metaBucket).Put(schemaVersion, []byte{0, 0, 0, 0, 0, 0, 0, 99})
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(path, Options{})
	if !errors.Is(err, ErrTooNew) {
		t.Fatalf("err = %v, want ErrTooNew", err)
	}
}

func TestMigrationsRunInOrderOnceEach(t *testing.T) {
	db := MustOpen(t)
	var ran []int
	steps := append([]func(*bolt.Tx) error{}, migrations...)
	base := len(steps)
	for i := base; i < base+2; i++ {
		i := i
		steps = append(steps, func(tx *bolt.Tx) error {
			ran = append(ran, i)
			_, err := tx.CreateBucketIfNotExists([]byte("m" + string(rune('0'+i))))
			return err
		})
	}
	for n := 0; n < 2; n++ {
		if err := runMigrations(db, steps); err != nil {
			t.Fatal(err)
		}
	}
	if len(ran) != 2 || ran[0] != SchemaVersion || ran[1] != SchemaVersion+1 {
		t.Errorf("ran %v", ran)
	}
	if v, _ := db.Version(); v != len(steps) {
		t.Errorf("version %d, want %d", v, len(steps))
	}
}

func TestFailedMigrationLeavesVersion(t *testing.T) {
	db := MustOpen(t)
	steps := append(append([]func(*bolt.Tx) error{}, migrations...), func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucket([]byte("half")); err != nil {
			return err
		}
		return errors.New("boom")
	})
	err := runMigrations(db, steps)
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("err = %v", err)
	}
	if v, _ := db.Version(); v != SchemaVersion {
		t.Errorf("version moved to %d", v)
	}
	db.View(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte("half")) != nil {
			t.Error("half-done migration was committed")
		}
		return nil
	})
}

func TestDataDir(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"LULL_HOME": "/x", "XDG_DATA_HOME": "/y", "HOME": "/h"}, "/x"},
		{map[string]string{"XDG_DATA_HOME": "/y", "HOME": "/h"}, "/y/lull"},
		{map[string]string{"HOME": "/h"}, "/h/.local/share/lull"},
	}
	for _, tt := range tests {
		got, err := DataDir(func(k string) string { return tt.env[k] })
		if err != nil || got != tt.want {
			t.Errorf("DataDir(%v) = %q, %v; want %q", tt.env, got, err, tt.want)
		}
	}
}

func TestTimeKeyOrder(t *testing.T) {
	a := TimeKey(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 5)
	b := TimeKey(time.Date(2026, 1, 1, 0, 0, 0, 1, time.UTC), 0)
	c := TimeKey(time.Date(2026, 1, 1, 0, 0, 0, 1, time.UTC), 1)
	if !(bytes.Compare(a, b) < 0 && bytes.Compare(b, c) < 0) {
		t.Error("keys not in time order")
	}
	if got := KeyTime(b); got.UnixNano() != time.Date(2026, 1, 1, 0, 0, 0, 1, time.UTC).UnixNano() {
		t.Errorf("KeyTime = %v", got)
	}
}
