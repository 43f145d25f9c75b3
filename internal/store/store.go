// Package store owns Lull's single bbolt file: where it lives, how it is
// opened (locked, 0600, migrated) and the key layout shared by the domains.
//
// Each domain owns its own buckets; this package only creates the meta
// bucket and runs migrations. It never deletes or rewrites a file it cannot
// read: the user's data is theirs to move aside.
package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the layout version this build writes. Open migrates older
// files up to it and refuses newer ones.
const SchemaVersion = 1

// FileName is the database file's name inside the data directory.
const FileName = "lull.db"

var (
	// ErrLocked means another process (normally a running Lull) holds the file.
	ErrLocked = errors.New("database is in use by another Lull process")
	// ErrCorrupt means the file exists but is not a readable Lull database.
	ErrCorrupt = errors.New("database file is unreadable")
	// ErrTooNew means the file was written by a newer Lull.
	ErrTooNew = errors.New("database was written by a newer version of Lull")
)

var (
	metaBucket    = []byte("meta")
	schemaVersion = []byte("schema_version")
)

// DataDir returns the directory holding Lull's data: $LULL_HOME when set,
// else $XDG_DATA_HOME/lull, else ~/.local/share/lull. getenv is os.Getenv in
// production and a map lookup in tests.
func DataDir(getenv func(string) string) (string, error) {
	if d := getenv("LULL_HOME"); d != "" {
		return d, nil
	}
	if d := getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "lull"), nil
	}
	home := getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find data directory: set LULL_HOME or HOME: %w", err)
		}
		home = h
	}
	return filepath.Join(home, ".local", "share", "lull"), nil
}

// Options tune Open.
type Options struct {
	// LockTimeout is how long to wait for another process's lock before
	// failing with ErrLocked. Zero means one second.
	LockTimeout time.Duration
	// ReadOnly opens the file with a shared lock and runs no migration; the
	// file must already exist.
	ReadOnly bool
	// NoSync turns off fsync; only for benchmarks that measure something else.
	NoSync bool
}

// DB is the open database.
type DB struct {
	*bolt.DB
	path string
}

// Path returns the file's path.
func (db *DB) Path() string { return db.path }

// Open opens (creating when missing, mode 0600) the database at path, takes
// its lock, and migrates it to SchemaVersion. Its errors name the file and
// say what the user can do.
func Open(path string, opts Options) (*DB, error) {
	if opts.LockTimeout == 0 {
		opts.LockTimeout = time.Second
	}
	if !opts.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("create data directory for %s: %w", path, err)
		}
	} else if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	bdb, err := openBolt(path, opts)
	if err != nil {
		return nil, explain(path, err)
	}
	db := &DB{DB: bdb, path: path}
	if opts.ReadOnly {
		if err := db.checkVersion(); err != nil {
			bdb.Close()
			return nil, err
		}
		return db, nil
	}
	if err := db.migrate(); err != nil {
		bdb.Close()
		return nil, err
	}
	return db, nil
}

// openBolt opens the file, turning a panic inside bbolt (it can panic on
// some damaged files) into ErrCorrupt instead of crashing Lull.
func openBolt(path string, opts Options) (db *bolt.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, fmt.Errorf("%w: %v", ErrCorrupt, r)
		}
	}()
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.LockTimeout, ReadOnly: opts.ReadOnly})
	if err == nil {
		db.NoSync = opts.NoSync
	}
	return db, err
}

func explain(path string, err error) error {
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("%s: %w (is Lull already running? quit it first, or use 'lull status')", path, ErrLocked)
	case errors.Is(err, ErrCorrupt), errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch),
		errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrInvalidMapping):
		return fmt.Errorf("%s: %w (%v). Lull has not changed it. Move it aside to start with empty data "+
			"(mv %q %q.broken) or restore it from a backup", path, ErrCorrupt, err, path, path)
	case errors.Is(err, os.ErrPermission):
		return fmt.Errorf("%s: %w: check the file's owner and mode (it should be yours, 0600)", path, err)
	}
	return fmt.Errorf("open database %s: %w", path, err)
}

// Version reads the stored schema version (0 for a file that has none yet).
func (db *DB) Version() (int, error) {
	var v int
	err := db.View(func(tx *bolt.Tx) error {
		v = readVersion(tx)
		return nil
	})
	return v, err
}

func readVersion(tx *bolt.Tx) int {
	b := tx.Bucket(metaBucket)
	if b == nil {
		return 0
	}
	raw := b.Get(schemaVersion)
	if len(raw) != 8 {
		return 0
	}
	return int(binary.BigEndian.Uint64(raw))
}

func (db *DB) checkVersion() error {
	v, err := db.Version()
	if err != nil {
		return fmt.Errorf("%s: %w", db.path, err)
	}
	if v > SchemaVersion {
		return fmt.Errorf("%s: %w (file version %d, this Lull understands %d): upgrade Lull", db.path, ErrTooNew, v, SchemaVersion)
	}
	return nil
}

// migrations[i] moves a file from version i to i+1, inside one transaction
// together with the version bump, so a crash leaves the old or new layout,
// never half of one.
var migrations = []func(tx *bolt.Tx) error{
	// 0 → 1: the meta bucket itself.
	func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(metaBucket)
		return err
	},
}

func (db *DB) migrate() error {
	if err := db.checkVersion(); err != nil {
		return err
	}
	return runMigrations(db, migrations)
}

func runMigrations(db *DB, steps []func(tx *bolt.Tx) error) error {
	for {
		done := false
		err := db.Update(func(tx *bolt.Tx) error {
			v := readVersion(tx)
			if v >= len(steps) {
				done = true
				return nil
			}
			if err := steps[v](tx); err != nil {
				return fmt.Errorf("migrate schema %d → %d: %w", v, v+1, err)
			}
			b, err := tx.CreateBucketIfNotExists(metaBucket)
			if err != nil {
				return err
			}
			return b.Put(schemaVersion, binary.BigEndian.AppendUint64(nil, uint64(v+1)))
		})
		if err != nil {
			return fmt.Errorf("%s: %w", db.path, err)
		}
		if done {
			return nil
		}
	}
}

// TimeKey is the 16-byte key for time-ordered buckets: big-endian Unix
// nanoseconds then a big-endian sequence, so byte order is time order and a
// week is one cursor range.
func TimeKey(t time.Time, seq uint64) []byte {
	k := make([]byte, 16)
	binary.BigEndian.PutUint64(k[:8], uint64(t.UnixNano()))
	binary.BigEndian.PutUint64(k[8:], seq)
	return k
}

// KeyTime returns the time encoded in a TimeKey's first eight bytes.
func KeyTime(k []byte) time.Time {
	if len(k) < 8 {
		return time.Time{}
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(k[:8])))
}
