package focus

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/internal/store"
	bolt "go.etcd.io/bbolt"
)

// QuietKind says what kept the desktop quiet besides focus.
type QuietKind string

// The kinds of quiet spans.
const (
	// QuietMeeting: a busy calendar event was running.
	QuietMeeting QuietKind = "meeting"
	// QuietPresenting: a window was fullscreen, or the user said they
	// present.
	QuietPresenting QuietKind = "presenting"
)

// QuietSpan is one meeting or presentation as the log records it: a state
// with a start and an end like a focus session, but never focus time.
// Spans are kept in a bucket of their own, so nothing that reads focus
// sessions (the report's focus, exports, streaks) can count them.
type QuietSpan struct {
	// ID is the span's stable id (the hex form of its log key).
	ID   string    `json:"id"`
	Kind QuietKind `json:"kind"`
	// Title is the meeting's summary, or what made it a presentation
	// ("fullscreen window", "you said so").
	Title string    `json:"title,omitempty"`
	Start time.Time `json:"start"`
	// PlannedEnd is a meeting's end as the calendar says it (zero for a
	// presentation, whose end nobody knows in advance).
	PlannedEnd time.Time `json:"planned_end,omitzero"`
	// End is when it ended; zero while it runs.
	End time.Time `json:"end,omitzero"`
	// LastAlive is the last time the running span was known to go on
	// (Touch): where a presentation is closed after a crash.
	LastAlive time.Time `json:"last_alive"`
	// Crashed is set when Lull died while it ran and Recover closed it.
	Crashed bool `json:"crashed,omitempty"`
}

// until is where the span counts to at now: its end; while open, a
// meeting counts to its planned end (the calendar says it went on) but
// not past now, a presentation to its last sign of life.
func (q QuietSpan) until(now time.Time) time.Time {
	switch {
	case !q.End.IsZero():
		return q.End
	case q.Kind == QuietMeeting && !q.PlannedEnd.IsZero():
		return minTime(q.PlannedEnd, now)
	}
	return minTime(maxTime(q.LastAlive, q.Start), now)
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

var (
	// quietBucket holds one JSON record per span, keyed by store.TimeKey
	// of its start and a bucket sequence.
	quietBucket = []byte("quiet")
	// quietMetaBucket holds the keys of the spans still open (key →
	// empty) and, under quietMaxLenKey, the longest span recorded, so a
	// range scan knows how far back to start.
	quietMetaBucket = []byte("quiet_meta")
	quietMaxLenKey  = []byte("maxlen")
)

// QuietLog is the durable log of meetings and presentations. Each write
// is one bbolt transaction, so a kill -9 loses at most a running span's
// end, which Recover restores from the calendar (a meeting) or the last
// Touch (a presentation).
type QuietLog struct {
	db *store.DB
}

// OpenQuietLog creates the quiet buckets in db when missing.
func OpenQuietLog(db *store.DB) (*QuietLog, error) {
	err := db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(quietBucket); err != nil {
			return err
		}
		_, err := tx.CreateBucketIfNotExists(quietMetaBucket)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("quiet log: create buckets: %w", err)
	}
	return &QuietLog{db: db}, nil
}

// Begin records a span starting now and open; it returns it with its ID.
func (l *QuietLog) Begin(kind QuietKind, title string, start, plannedEnd time.Time) (QuietSpan, error) {
	q := QuietSpan{Kind: kind, Title: title, Start: start, PlannedEnd: plannedEnd, LastAlive: start}
	err := l.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(quietBucket)
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		k := store.TimeKey(start, seq)
		q.ID = keyID(k)
		v, err := json.Marshal(q)
		if err != nil {
			return err
		}
		if err := b.Put(k, v); err != nil {
			return err
		}
		return tx.Bucket(quietMetaBucket).Put(k, []byte{})
	})
	if err != nil {
		return QuietSpan{}, fmt.Errorf("quiet log: begin %s: %w", kind, err)
	}
	return q, nil
}

// Touch records that the open span id still goes on at at.
func (l *QuietLog) Touch(id string, at time.Time) error {
	return l.change(id, func(q *QuietSpan) { q.LastAlive = maxTime(q.LastAlive, at) })
}

// End closes the open span id at at.
func (l *QuietLog) End(id string, at time.Time) error {
	return l.change(id, func(q *QuietSpan) {
		q.End, q.LastAlive = maxTime(at, q.Start), maxTime(q.LastAlive, at)
	})
}

// change rewrites span id with f in one transaction; a span that ended
// leaves the open set and may raise the longest-span bound.
func (l *QuietLog) change(id string, f func(*QuietSpan)) error {
	k, err := idKey(id)
	if err != nil {
		return err
	}
	err = l.db.Update(func(tx *bolt.Tx) error {
		v := tx.Bucket(quietBucket).Get(k)
		if v == nil {
			return fmt.Errorf("span %s: %w", id, ErrNotFound)
		}
		var q QuietSpan
		if err := json.Unmarshal(v, &q); err != nil {
			return fmt.Errorf("%w: span %s", ErrCorruptRecord, id)
		}
		f(&q)
		return putQuiet(tx, k, q)
	})
	if err != nil {
		return fmt.Errorf("quiet log: %w", err)
	}
	return nil
}

func putQuiet(tx *bolt.Tx, k []byte, q QuietSpan) error {
	v, err := json.Marshal(q)
	if err != nil {
		return err
	}
	if err := tx.Bucket(quietBucket).Put(k, v); err != nil {
		return err
	}
	if q.End.IsZero() {
		return nil
	}
	meta := tx.Bucket(quietMetaBucket)
	if err := meta.Delete(k); err != nil {
		return err
	}
	if d := q.End.Sub(q.Start); d > quietMaxLen(meta) {
		return meta.Put(quietMaxLenKey, binary.BigEndian.AppendUint64(nil, uint64(d)))
	}
	return nil
}

func quietMaxLen(meta *bolt.Bucket) time.Duration {
	v := meta.Get(quietMaxLenKey)
	if len(v) != 8 {
		return 0
	}
	return time.Duration(binary.BigEndian.Uint64(v))
}

// Recover closes every span a crash left open (a meeting at its planned
// end, or now if that has not come; a presentation at its last Touch) and
// returns them. Call it before the first Begin of a run.
func (l *QuietLog) Recover(now time.Time) ([]QuietSpan, error) {
	var out []QuietSpan
	err := l.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(quietMetaBucket)
		var open [][]byte
		_ = meta.ForEach(func(k, _ []byte) error {
			if len(k) == 16 {
				open = append(open, append([]byte(nil), k...))
			}
			return nil
		})
		for _, k := range open {
			v := tx.Bucket(quietBucket).Get(k)
			var q QuietSpan
			if v == nil || json.Unmarshal(v, &q) != nil || !q.End.IsZero() {
				if err := meta.Delete(k); err != nil {
					return err
				}
				continue
			}
			q.End, q.Crashed = q.until(now), true
			if err := putQuiet(tx, k, q); err != nil {
				return err
			}
			out = append(out, q)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("quiet log: recover open spans: %w", err)
	}
	return out, nil
}

// Spans returns the spans overlapping [from, to), oldest first; open ones
// count to where until says at now.
func (l *QuietLog) Spans(from, to, now time.Time) ([]QuietSpan, error) {
	var out []QuietSpan
	err := l.db.View(func(tx *bolt.Tx) error {
		return scanQuiet(tx, from, to, now, func(q QuietSpan) { out = append(out, q) })
	})
	if err != nil {
		return nil, fmt.Errorf("quiet log: %w", err)
	}
	return out, nil
}

// scanQuiet calls f for each span overlapping [from, to) at now, in one
// range scan from from minus the longest span (open ones are found
// through the open set).
func scanQuiet(tx *bolt.Tx, from, to, now time.Time, f func(QuietSpan)) error {
	b, meta := tx.Bucket(quietBucket), tx.Bucket(quietMetaBucket)
	if b == nil || meta == nil {
		return nil // a database from before quiet spans: none recorded
	}
	seek := store.TimeKey(from.Add(-quietMaxLen(meta)), 0)
	_ = meta.ForEach(func(k, _ []byte) error {
		if len(k) == 16 && string(k) < string(seek) {
			seek = append([]byte(nil), k...)
		}
		return nil
	})
	c := b.Cursor()
	for k, v := c.Seek(seek); k != nil; k, v = c.Next() {
		if !keyTime(k).Before(to) {
			break
		}
		var q QuietSpan
		if err := json.Unmarshal(v, &q); err != nil {
			return fmt.Errorf("%w: span %s", ErrCorruptRecord, keyID(k))
		}
		if q.until(now).After(from) {
			f(q)
		}
	}
	return nil
}

// quietTime returns the merged time of kind's spans inside span at now,
// less the focus intervals (focus wins: a meeting during focus is logged
// as focus, not as meeting load), and how many spans of kind started in
// span.
func quietTime(tx *bolt.Tx, kind QuietKind, span calendar.Interval, now time.Time, focus []calendar.Interval) (time.Duration, int, error) {
	var ivs []calendar.Interval
	n := 0
	err := scanQuiet(tx, span.Start, span.End, now, func(q QuietSpan) {
		if q.Kind != kind {
			return
		}
		if iv, ok := clip(calendar.Interval{Start: q.Start, End: q.until(now)}, span); ok {
			ivs = append(ivs, iv)
		}
		if !q.Start.Before(span.Start) && q.Start.Before(span.End) {
			n++
		}
	})
	if err != nil {
		return 0, 0, err
	}
	var d time.Duration
	for _, iv := range calendar.Merge(ivs) {
		for _, rest := range calendar.Subtract(iv, focus) {
			d += rest.Duration()
		}
	}
	return d, n, nil
}
