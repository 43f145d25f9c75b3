package devsync

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lullapp/lull/internal/store"
)

// Buckets of the device sync, under one top-level bucket.
var (
	rootBucket   = []byte("devsync")
	metaBucket   = []byte("meta")    // fixed keys below → values
	outboxBucket = []byte("outbox")  // UID → outItem JSON: written locally, not yet on the server
	sentBucket   = []byte("sent")    // UID → sentRec JSON: on the server, with its ETag
	remoteBucket = []byte("remote")  // start (8 bytes) + UID → Session JSON: other devices' sessions
	remoteUIDs   = []byte("rem-uid") // UID → its key in remoteBucket
	devsBucket   = []byte("devices") // device ID → State JSON: the other devices' latest state
)

// Keys of metaBucket.
var (
	keyDevice = []byte("device-id")
	keyStatus = []byte("status")
	keyState  = []byte("state") // this device's latest State (JSON)
	keyLog    = []byte("log")   // logCal JSON: where the log lives
	keyRead   = []byte("read")  // time of the last complete read (binary)
	keyTag    = []byte("tag")   // the log calendar's collection tag at the last complete read
	keySeen   = []byte("seen")  // device ID → Seq handled (JSON map)
	keySwept  = []byte("swept") // local sessions ending before this were enqueued (binary time)
)

// Swept is the time up to which this device's sessions are in the outbox
// or on the server: the caller hands Sync the finished sessions ending
// after it. Zero before the first sync (the whole local log is sent).
func (s *Store) Swept() time.Time {
	var t time.Time
	s.db.View(func(tx *bolt.Tx) error {
		if !ready(tx) {
			return nil
		}
		if raw := bk(tx, metaBucket).Get(keySwept); raw != nil {
			return t.UnmarshalBinary(raw)
		}
		return nil
	})
	return t
}

// outItem is a write waiting in the outbox.
type outItem struct {
	UID   string    `json:"uid"`
	Body  []byte    `json:"body"`
	Start time.Time `json:"start"`
	// Update is true for the focus-state event, which is replaced in
	// place; sessions are only ever created.
	Update bool `json:"update,omitempty"`
	// Held is true when another object holds its place on the server:
	// it is never overwritten, and the status counts it.
	Held bool `json:"held,omitempty"`
}

// sentRec is what the device knows of an object it wrote.
type sentRec struct {
	Href string `json:"href"`
	ETag string `json:"etag"`
}

// logCal is where the log lives for a sync-enabled calendar.
type logCal struct {
	// Source is the sync-enabled CalDAV source's ID.
	Source string `json:"source"`
	// Path is the log collection's path.
	Path string `json:"path"`
	// Dedicated is true for a calendar of its own ("Lull focus log" or
	// one picked), false when the log lives in the sync-enabled calendar
	// itself.
	Dedicated bool `json:"dedicated"`
	// Name is the log calendar's display name when known ("" for the
	// "Lull focus log" of stores written before the pick existed).
	Name string `json:"name,omitempty"`
	// Checked is when the pointer object (PointerName) was last read, or
	// the log calendar was last chosen on this device.
	Checked time.Time `json:"checked,omitzero"`
}

// label is the log calendar in words for the status.
func (lc logCal) label() string {
	switch {
	case lc.Path == "":
		return ""
	case !lc.Dedicated:
		return "the synced calendar (as free events)"
	case lc.Name != "":
		return lc.Name
	}
	return LogCalendarName
}

// Store is the device sync's durable state in the data directory's bbolt
// file: this device's ID, the outbox, what was sent, the other devices'
// sessions and states, and the last sync's outcome.
type Store struct {
	db *store.DB
}

// OpenStore opens the sync state in db. It writes nothing: the state is
// made by Init at the first sync, and until then reads as empty (no device
// ID, nothing queued, no other devices), also in a read-only file.
func OpenStore(db *store.DB) (*Store, error) { return &Store{db: db}, nil }

// Init makes the sync state on first use: the buckets and this device's
// random ID. It is idempotent and writes only the first time.
func (s *Store) Init() error {
	db := s.db
	ready := false
	if err := db.View(func(tx *bolt.Tx) error {
		ready = tx.Bucket(rootBucket) != nil
		return nil
	}); err != nil {
		return fmt.Errorf("device sync state: %w", err)
	}
	if ready {
		return nil
	}
	err := db.Update(func(tx *bolt.Tx) error {
		root, err := tx.CreateBucketIfNotExists(rootBucket)
		if err != nil {
			return err
		}
		for _, name := range [][]byte{metaBucket, outboxBucket, sentBucket, remoteBucket, remoteUIDs, devsBucket} {
			if _, err := root.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		meta := root.Bucket(metaBucket)
		if meta.Get(keyDevice) == nil {
			var id [8]byte
			if _, err := rand.Read(id[:]); err != nil {
				return err
			}
			return meta.Put(keyDevice, []byte(hex.EncodeToString(id[:])))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("device sync state: %w", err)
	}
	return nil
}

// DeviceID is this device's ID: random, made once, in every UID it writes.
func (s *Store) DeviceID() string {
	var id string
	s.db.View(func(tx *bolt.Tx) error {
		if !ready(tx) {
			return nil
		}
		id = string(bk(tx, metaBucket).Get(keyDevice))
		return nil
	})
	return id
}

// bk is the sub-bucket name; nil (read as empty by bolt's nil-safe use
// below) only in a read-only file that never held sync state.
func bk(tx *bolt.Tx, name []byte) *bolt.Bucket {
	root := tx.Bucket(rootBucket)
	if root == nil {
		return nil
	}
	return root.Bucket(name)
}

// ready reports whether the sync state exists in the file.
func ready(tx *bolt.Tx) bool { return tx.Bucket(rootBucket) != nil }

func getJSON(b *bolt.Bucket, k []byte, v any) (bool, error) {
	raw := b.Get(k)
	if raw == nil {
		return false, nil
	}
	return true, json.Unmarshal(raw, v)
}

func putJSON(b *bolt.Bucket, k []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, raw)
}

// Enqueue puts this device's finished sessions in the outbox unless they
// are there or on the server already, and returns how many it added. It is
// idempotent, so the caller may hand the same sessions again.
func (s *Store) Enqueue(sessions []Session, now time.Time) (int, error) {
	if err := s.Init(); err != nil {
		return 0, err
	}
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		out, sent := bk(tx, outboxBucket), bk(tx, sentBucket)
		for _, se := range sessions {
			k := []byte(se.UID)
			if out.Get(k) != nil || sent.Get(k) != nil {
				continue
			}
			if err := putJSON(out, k, outItem{UID: se.UID, Body: sessionObject(se, now), Start: se.Start}); err != nil {
				return err
			}
			n++
		}
		var swept time.Time
		if raw := bk(tx, metaBucket).Get(keySwept); raw != nil {
			if err := swept.UnmarshalBinary(raw); err != nil {
				return err
			}
		}
		for _, se := range sessions {
			if se.End.After(swept) {
				swept = se.End
			}
		}
		raw, err := swept.UTC().MarshalBinary()
		if err != nil {
			return err
		}
		return bk(tx, metaBucket).Put(keySwept, raw)
	})
	if err != nil {
		return 0, fmt.Errorf("device sync outbox: %w", err)
	}
	return n, nil
}

// Pending is how many writes wait in the outbox.
func (s *Store) Pending() int {
	n := 0
	s.db.View(func(tx *bolt.Tx) error {
		if !ready(tx) {
			return nil
		}
		n = bk(tx, outboxBucket).Stats().KeyN
		return nil
	})
	return n
}

func remoteKey(se Session) []byte {
	k := make([]byte, 8, 8+len(se.UID))
	binary.BigEndian.PutUint64(k, uint64(se.Start.UnixNano()))
	return append(k, se.UID...)
}

// addRemote stores another device's session, one per UID (Merge's rule
// when two versions meet); it reports whether anything changed.
func addRemote(tx *bolt.Tx, se Session) (bool, error) {
	rem, uids := bk(tx, remoteBucket), bk(tx, remoteUIDs)
	if old := uids.Get([]byte(se.UID)); old != nil {
		var cur Session
		if _, err := getJSON(rem, old, &cur); err != nil {
			return false, err
		}
		if !better(se, cur) {
			return false, nil
		}
		if err := rem.Delete(old); err != nil {
			return false, err
		}
	}
	k := remoteKey(se)
	if err := putJSON(rem, k, se); err != nil {
		return false, err
	}
	return true, uids.Put([]byte(se.UID), k)
}

// AddRemote stores other devices' sessions as a sync reads them (exported
// for tests and tools that replay a log); see Merge for the rule.
func (s *Store) AddRemote(sessions []Session) error {
	if err := s.Init(); err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		for _, se := range sessions {
			if _, err := addRemote(tx, se); err != nil {
				return err
			}
		}
		return nil
	})
}

// MaxSessionSpan is the longest a session may be and still be found by a
// range read: a read of [from, to) looks this far before from, because the
// sessions are keyed by their start.
const MaxSessionSpan = 48 * time.Hour

// Remote returns the other devices' sessions overlapping [from, to),
// ordered by start.
func (s *Store) Remote(from, to time.Time) ([]Session, error) {
	var out []Session
	err := s.db.View(func(tx *bolt.Tx) error {
		if !ready(tx) {
			return nil
		}
		c := bk(tx, remoteBucket).Cursor()
		lo := make([]byte, 8)
		if seek := from.Add(-MaxSessionSpan); seek.After(time.Unix(0, 0)) {
			binary.BigEndian.PutUint64(lo, uint64(seek.UnixNano()))
		}
		for k, v := c.Seek(lo); k != nil; k, v = c.Next() {
			var se Session
			if err := json.Unmarshal(v, &se); err != nil {
				return err
			}
			if !se.Start.Before(to) {
				break
			}
			if se.End.After(from) {
				out = append(out, se)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("other devices' sessions: %w", err)
	}
	return out, nil
}

// Devices returns the other devices' latest states, by name.
func (s *Store) Devices() ([]State, error) {
	var out []State
	err := s.db.View(func(tx *bolt.Tx) error {
		if !ready(tx) {
			return nil
		}
		return bk(tx, devsBucket).ForEach(func(k, v []byte) error {
			var st State
			if err := json.Unmarshal(v, &st); err != nil {
				return err
			}
			out = append(out, st)
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].DeviceName < out[j].DeviceName })
	return out, err
}
