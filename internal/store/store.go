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
	"runtime/debug"
	"strings"
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
	// ErrDamaged means the file exists but is damaged or not a Lull
	// database; the error is a *DamagedError that says where and what.
	ErrDamaged = errors.New("database file is damaged")
	// ErrTooNew means the file was written by a newer Lull.
	ErrTooNew = errors.New("database was written by a newer version of Lull")
)

// StartFreshFlag is the command-line flag that moves a damaged database
// aside (keeping it) and starts with empty data; DamagedError names it.
const StartFreshFlag = "--start-fresh"

// DamagedError is a database file Lull cannot use: which file, what is
// wrong with it, and (in its message) what the user can do. Lull never
// changes such a file. It matches ErrDamaged.
type DamagedError struct {
	Path string
	// Problem says what is wrong, in words for the user.
	Problem string
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("%s is damaged: %s. Lull has not changed it. Restore it from a backup, "+
		"or run \"lull %s\" to keep it aside as %s%s<time> and start with empty data",
		e.Path, e.Problem, StartFreshFlag, filepath.Base(e.Path), DamagedSuffix)
}

// Is makes errors.Is(err, ErrDamaged) hold.
func (e *DamagedError) Is(target error) bool { return target == ErrDamaged }

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
// its lock, checks the file and migrates it to SchemaVersion. Its errors
// name the file and say what the user can do; a damaged file gives a
// *DamagedError, never a crash.
//
// The checks (check.go) run before bbolt maps the file: its header, its
// size against the pages the header says are in use, and every page the
// bucket tree reaches. Then bbolt's own consistency check runs. On a file
// of tens of megabytes this adds milliseconds to the start.
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
	bdb, m, err := openBolt(path, opts)
	if err != nil {
		return nil, explain(path, err)
	}
	db := &DB{DB: bdb, path: path}
	if m.oneInvalid && !opts.ReadOnly {
		// A meta page torn by a crash: the next commit rewrites it, and
		// then the consistency check can read it.
		if err := db.Update(func(*bolt.Tx) error { return nil }); err != nil {
			bdb.Close()
			return nil, err
		}
		m.oneInvalid = false
	}
	if !m.oneInvalid {
		if err := db.consistent(); err != nil {
			bdb.Close()
			return nil, err
		}
	}
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

// lockRetry is how often the lock is tried again while another process
// holds it (bbolt's own interval).
const lockRetry = 50 * time.Millisecond

// openBolt opens the file through bbolt. bbolt opens it through a hook
// that first takes the lock and checks the file with ordinary reads
// (checkHeader, checkTree), so bbolt never maps a file that would make it
// fault. A panic inside bbolt, or a fault reading the map (a file cut
// short behind Lull's back), still becomes ErrDamaged, not a crash.
// It returns the meta page the checks chose (zero for a new file).
func openBolt(path string, opts Options) (db *bolt.DB, meta fileMeta, err error) {
	var file *os.File
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if file != nil {
				file.Close() // releases the lock bbolt took
			}
			db, err = nil, &damage{fmt.Sprintf("it cannot be read (%v)", r)}
		}
	}()
	openFile := func(name string, flag int, mode os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag, mode)
		if err != nil {
			return nil, err
		}
		if err := lockForCheck(f, !opts.ReadOnly, opts.LockTimeout); err != nil {
			f.Close()
			return nil, err
		}
		m, err := checkHeader(f)
		if err == nil && m.pages > 0 {
			err = checkTree(f, m)
		}
		if err != nil {
			f.Close()
			return nil, err
		}
		file, meta = f, m
		return f, nil
	}
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.LockTimeout, ReadOnly: opts.ReadOnly, OpenFile: openFile})
	if err == nil {
		db.NoSync = opts.NoSync
	}
	return db, meta, err
}

// consistent runs bbolt's own consistency check over the whole file.
func (db *DB) consistent() error {
	var problems []string
	err := db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			if len(problems) < maxReportedProblems {
				problems = append(problems, err.Error())
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return &DamagedError{Path: db.path, Problem: "its consistency check failed: " + strings.Join(problems, "; ")}
	}
	return nil
}

// maxReportedProblems is how many of the consistency check's findings a
// DamagedError quotes: the first few say what is wrong; a badly damaged
// file can have thousands.
const maxReportedProblems = 3

func explain(path string, err error) error {
	var d *damage
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return fmt.Errorf("%s: %w (is Lull already running? quit it first, or use 'lull status')", path, ErrLocked)
	case errors.As(err, &d):
		return &DamagedError{Path: path, Problem: d.what}
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrInvalidMapping):
		return &DamagedError{Path: path, Problem: "it is not a readable Lull database"}
	case errors.Is(err, berrors.ErrVersionMismatch):
		return &DamagedError{Path: path, Problem: "it is in a database format this Lull does not read"}
	case errors.Is(err, os.ErrPermission):
		return fmt.Errorf("%s: %w: check the file's owner and mode (it should be yours, 0600)", path, err)
	}
	return fmt.Errorf("open database %s: %w", path, err)
}

// View is bbolt's View; a panic or fault from a damaged page becomes a
// *DamagedError (a panic that is not damage is raised again).
func (db *DB) View(fn func(*bolt.Tx) error) (err error) {
	defer db.protect(&err)()
	return db.DB.View(fn)
}

// Update is bbolt's Update, protected as View is.
func (db *DB) Update(fn func(*bolt.Tx) error) (err error) {
	defer db.protect(&err)()
	return db.DB.Update(fn)
}

// Batch is bbolt's Batch, protected as View is.
func (db *DB) Batch(fn func(*bolt.Tx) error) (err error) {
	defer db.protect(&err)()
	return db.DB.Batch(fn)
}

// Protect runs fn, which reads through a transaction begun with Begin,
// protected as View is.
func (db *DB) Protect(fn func() error) (err error) {
	defer db.protect(&err)()
	return fn()
}

// protect turns on panic-on-fault for the calling goroutine (so a read
// past the end of the map panics instead of killing Lull) and returns the
// function to defer: it restores the setting and turns a panic from
// damage into a *DamagedError in *err.
func (db *DB) protect(err *error) func() {
	old := debug.SetPanicOnFault(true)
	return func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			*err = db.damaged(r)
		}
	}
}

// damaged decides whether panic r came from damage: the file is checked
// again with ordinary reads; if it is intact, r was a bug and is raised
// again.
func (db *DB) damaged(r any) error {
	f, err := os.Open(db.path)
	if err != nil {
		return &DamagedError{Path: db.path, Problem: fmt.Sprintf("reading it failed (%v), and then it could not be opened again: %v", r, err)}
	}
	defer f.Close()
	m, err := checkHeader(f)
	if err == nil {
		err = checkTree(f, m)
	}
	if err != nil {
		return &DamagedError{Path: db.path, Problem: err.Error()}
	}
	panic(r)
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

// DamagedSuffix follows the database's file name in the name a damaged
// database is kept under, before the time it was put aside.
const DamagedSuffix = ".damaged-"

// MoveAside puts the damaged database at path aside, with the files that
// belong to it (path+companion, such as the notification journal), under
// path.damaged-<at>[+companion], so they stay together and can be put back
// by renaming. It never replaces an existing file and returns the new
// names of what it moved.
func MoveAside(path string, at time.Time, companions ...string) ([]string, error) {
	base := path + DamagedSuffix + at.Local().Format("20060102-150405")
	target := base
	for i := 2; ; i++ {
		taken := false
		for _, c := range append([]string{""}, companions...) {
			if _, err := os.Lstat(target + c); err == nil {
				taken = true
			}
		}
		if !taken {
			break
		}
		target = fmt.Sprintf("%s-%d", base, i)
	}
	var moved []string
	for _, c := range append([]string{""}, companions...) {
		err := os.Rename(path+c, target+c)
		if errors.Is(err, os.ErrNotExist) && c != "" {
			continue
		}
		if err != nil {
			return moved, fmt.Errorf("put %s aside: %w", path+c, err)
		}
		moved = append(moved, target+c)
	}
	SyncDir(filepath.Dir(path))
	return moved, nil
}

// SyncDir makes new names in dir (a created or renamed file) durable;
// failure only weakens that, so it is not an error.
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
