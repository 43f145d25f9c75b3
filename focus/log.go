package focus

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/lullapp/lull/internal/store"
	bolt "go.etcd.io/bbolt"
)

var (
	// sessionsBucket holds one record per session, keyed by store.TimeKey of
	// its start and a bucket sequence.
	sessionsBucket = []byte("sessions")
	// metaBucket holds the key of the session currently open ("open") and
	// the longest session ever recorded ("maxlen"), so a range scan knows
	// how far before a window to start.
	metaBucket = []byte("focus_meta")
	openKey    = []byte("open")
	maxLenKey  = []byte("maxlen")
)

// Log is the durable focus log: every session, written at start, touched by
// a heartbeat each minute and closed at its end, each write one bbolt
// transaction. A Log can be used without an Engine (for `lull report` and
// `lull export` when the app is not running).
type Log struct {
	db *store.DB
}

// OpenLog creates the focus buckets in db when missing and returns the log.
// It does not recover crashed sessions; call Recover (Engine does).
func OpenLog(db *store.DB) (*Log, error) {
	err := db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(sessionsBucket); err != nil {
			return err
		}
		_, err := tx.CreateBucketIfNotExists(metaBucket)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("focus log: create buckets: %w", err)
	}
	return &Log{db: db}, nil
}

// keyID is the session id for a log key.
func keyID(k []byte) string { return hex.EncodeToString(k) }

// keyTime is the start time a key encodes, in UTC.
func keyTime(k []byte) time.Time { return store.KeyTime(k).UTC() }

// idKey parses a session id back into its log key.
func idKey(id string) ([]byte, error) {
	k, err := hex.DecodeString(id)
	if err != nil || len(k) != 16 {
		return nil, fmt.Errorf("session %q: %w", id, ErrNotFound)
	}
	return k, nil
}

// begin writes a new session (with Start set) and marks it open, in one
// transaction. It fills in s.ID.
func (l *Log) begin(s *Session) error {
	return l.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(sessionsBucket)
		b.FillPercent = 0.9 // keys are appended in time order
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		k := store.TimeKey(s.Start, seq)
		s.ID = keyID(k)
		if err := b.Put(k, s.encode()); err != nil {
			return err
		}
		return tx.Bucket(metaBucket).Put(openKey, k)
	})
}

// put rewrites an existing session. When it has ended it is no longer the
// open session and the longest-session bound is raised if needed.
func (l *Log) put(s *Session) error {
	k, err := idKey(s.ID)
	if err != nil {
		return err
	}
	return l.db.Update(func(tx *bolt.Tx) error {
		return putTx(tx, k, s)
	})
}

func putTx(tx *bolt.Tx, k []byte, s *Session) error {
	b := tx.Bucket(sessionsBucket)
	if b.Get(k) == nil {
		return fmt.Errorf("session %s: %w", s.ID, ErrNotFound)
	}
	b.FillPercent = 0.9
	if err := b.Put(k, s.encode()); err != nil {
		return err
	}
	if s.Outcome == Running {
		return nil
	}
	meta := tx.Bucket(metaBucket)
	if bytes.Equal(meta.Get(openKey), k) {
		if err := meta.Delete(openKey); err != nil {
			return err
		}
	}
	if d := s.End.Sub(s.Start); d > maxLen(meta) {
		return meta.Put(maxLenKey, binary.BigEndian.AppendUint64(nil, uint64(d)))
	}
	return nil
}

func maxLen(meta *bolt.Bucket) time.Duration {
	v := meta.Get(maxLenKey)
	if len(v) != 8 {
		return 0
	}
	return time.Duration(binary.BigEndian.Uint64(v))
}

// Get returns the session with the given id.
func (l *Log) Get(id string) (Session, error) {
	k, err := idKey(id)
	if err != nil {
		return Session{}, err
	}
	var s Session
	err = l.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(sessionsBucket).Get(k)
		if v == nil {
			return fmt.Errorf("session %s: %w", id, ErrNotFound)
		}
		s, err = decodeSession(k, v)
		return err
	})
	return s, err
}

// Recover closes a session left open by a crash at its last heartbeat
// (outcome Crashed) and returns it; ok is false when none was open. Call it
// only when no engine is running on this file (the bbolt lock ensures that
// for other processes).
func (l *Log) Recover() (s Session, ok bool, err error) {
	err = l.db.Update(func(tx *bolt.Tx) error {
		k := tx.Bucket(metaBucket).Get(openKey)
		if k == nil {
			return nil
		}
		k = bytes.Clone(k)
		v := tx.Bucket(sessionsBucket).Get(k)
		if v == nil { // dangling marker: nothing to close
			return tx.Bucket(metaBucket).Delete(openKey)
		}
		s, err = decodeSession(k, v)
		if err != nil {
			return err
		}
		if s.Outcome != Running {
			return tx.Bucket(metaBucket).Delete(openKey)
		}
		s.End = s.LastAlive
		if s.End.Before(s.Start) {
			s.End = s.Start
		}
		s.Outcome = Crashed
		ok = true
		return putTx(tx, k, &s)
	})
	if err != nil {
		return Session{}, false, fmt.Errorf("focus log: recover open session: %w", err)
	}
	return s, ok, nil
}

// Sessions returns every session that overlaps [from, to), oldest first. A
// zero from means the beginning, a zero to means no end.
func (l *Log) Sessions(from, to time.Time) ([]Session, error) {
	var out []Session
	err := l.db.View(func(tx *bolt.Tx) error {
		return scan(tx, from, to, func(s *Session) error {
			out = append(out, *s)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("focus log: read sessions: %w", err)
	}
	return out, nil
}

// scan calls f for every session overlapping [from, to): it seeks to
// from minus the longest session ever recorded, so it is one short range
// scan whatever the history's size. A session still open is assumed to
// reach at least its last heartbeat.
func scan(tx *bolt.Tx, from, to time.Time, f func(*Session) error) error {
	c := tx.Bucket(sessionsBucket).Cursor()
	var k, v []byte
	if from.IsZero() {
		k, v = c.First()
	} else {
		k, v = c.Seek(store.TimeKey(from.Add(-maxLen(tx.Bucket(metaBucket))), 0))
	}
	if open := tx.Bucket(metaBucket).Get(openKey); open != nil && !from.IsZero() && (k == nil || bytes.Compare(open, k) < 0) {
		// The open session may be longer than maxlen: start from it.
		k, v = c.Seek(open)
	}
	for ; k != nil; k, v = c.Next() {
		if !to.IsZero() && !keyTime(k).Before(to) {
			break
		}
		s, err := decodeSession(k, v)
		if err != nil {
			return err
		}
		if !from.IsZero() && !s.until().After(from) && s.Outcome != Running {
			continue
		}
		if err := f(&s); err != nil {
			return err
		}
	}
	return nil
}

// scanSpans is scan decoding only each session's start, counted end (End,
// or LastAlive while running) and whether it is still running: the report's
// history walks years of sessions and needs nothing else. k is only valid
// during f.
func scanSpans(tx *bolt.Tx, from, to time.Time, f func(k []byte, start, end time.Time, running bool)) error {
	c := tx.Bucket(sessionsBucket).Cursor()
	k, v := c.Seek(store.TimeKey(from.Add(-maxLen(tx.Bucket(metaBucket))), 0))
	if open := tx.Bucket(metaBucket).Get(openKey); open != nil && (k == nil || bytes.Compare(open, k) < 0) {
		k, v = c.Seek(open)
	}
	for ; k != nil; k, v = c.Next() {
		start := keyTime(k)
		if !start.Before(to) {
			break
		}
		if len(k) != 16 || len(v) < 3 || v[0] != recordVersion {
			return fmt.Errorf("%w: session %s", ErrCorruptRecord, keyID(k))
		}
		d := decoder{b: v[3:]}
		d.uvarint() // planned end
		end := d.offset(start)
		alive := d.offset(start)
		if d.err != nil {
			return fmt.Errorf("session %s: %w", keyID(k), d.err)
		}
		running := Outcome(v[2]) == Running
		if end.IsZero() {
			end = alive
		}
		f(k, start, end, running)
	}
	return nil
}
