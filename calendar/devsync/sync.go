package devsync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lullapp/lull/calendar"
)

// LogCalendarName is the display name of the calendar Lull makes for the
// shared focus log.
const LogCalendarName = "Lull focus log"

// logSlug is the log calendar's path segment beside the synced calendar.
const logSlug = "lull-focus-log"

// Period is how often a device syncs while sync is on. A device writes its
// focus change at once, so focus started on one device reaches the others
// within Period plus one sync's time: half a minute leaves the other half
// of issue 16's "at most a minute" to a slow server. A sync with nothing
// to write and nothing new is one small PROPFIND (the log calendar's
// collection tag), so polling this often costs the server little.
const Period = 30 * time.Second

// ReadOverlap is how far before the last complete read a routine read
// starts: a session is written when it ends, so one that began before the
// last read may be new; a device back from longer offline says so in its
// state event (Backfill) and readers widen their query to it.
const ReadOverlap = MaxSessionSpan

// MaxHistory is how far back the first read of a log goes: the whole
// history any device may have uploaded.
const MaxHistory = 10 * 366 * 24 * time.Hour

// QueryChunk is the span of one time-range query when a read covers more
// than that (the first read, a backfill): a year of five devices' sessions
// is about 4,000 events, 2 MB, well under calendar.MaxDAVQueryBytes, and
// servers without a time index (Radicale) scan the whole calendar for each
// query, so fewer, larger queries are faster (BENCHMARKS.md).
const QueryChunk = 366 * 24 * time.Hour

// Status is the outcome of the latest syncs, for `lull sync status` and the
// Settings tab.
type Status struct {
	// On is true when a CalDAV calendar has sync switched on; Calendar
	// names it.
	On       bool   `json:"on"`
	Calendar string `json:"calendar,omitempty"`
	// LogCalendar says where the focus log is written: the display name
	// of the log calendar ("Lull focus log", or the one picked with
	// SetLogCalendar), or the synced calendar itself.
	LogCalendar string `json:"log_calendar,omitempty"`
	// Device is this device's ID and DeviceName its name.
	Device     string `json:"device"`
	DeviceName string `json:"device_name"`
	// LastAttempt is when a sync last ran, LastSuccess when one last
	// completed, LastError why the latest failed ("" when it did not).
	LastAttempt time.Time `json:"last_attempt,omitzero"`
	LastSuccess time.Time `json:"last_success,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
	// Pending is how many changes wait to be written to the server.
	Pending int `json:"pending"`
	// Held is how many writes were refused because another object holds
	// their place on the server (never overwritten).
	Held int `json:"held,omitempty"`
	// Devices are the user's other devices as last seen.
	Devices []DeviceStatus `json:"devices,omitempty"`
}

// DeviceStatus is one other device as this one saw it.
type DeviceStatus struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// LastSeen is when it last wrote its state event.
	LastSeen time.Time `json:"last_seen"`
	// Focusing is true when it was focusing then.
	Focusing bool `json:"focusing"`
	// Sessions is how many of its sessions this device holds.
	Sessions int `json:"sessions"`
}

// Result is what one sync did.
type Result struct {
	// Written is how many objects were written to the server, Read how
	// many new sessions of other devices were stored.
	Written, Read int
	// Requests is how many HTTP requests the sync made.
	Requests int
	// Follow is the newest focus change of another device, when it is newer
	// than this device's own (the caller starts or stops focus to match
	// when focus follows you); nil otherwise.
	Follow *State
	// LogChanged is true when this sync found the log calendar moved (a
	// pick on another device, see PointerCheck): this device's sessions
	// handed to it were enqueued before, so the caller syncs again at
	// once, handing every session (Swept is zero again).
	LogChanged bool
}

// Syncer runs syncs for one device.
type Syncer struct {
	st  *Store
	src *calendar.SourceStore
}

// New returns a Syncer over the sync state st and the calendar sources.
func New(st *Store, src *calendar.SourceStore) *Syncer { return &Syncer{st: st, src: src} }

// Store is the Syncer's durable state.
func (s *Syncer) Store() *Store { return s.st }

// Local is this device's side of a sync.
type Local struct {
	// Source is the sync-enabled CalDAV source's ID.
	Source string
	// DeviceName is this device's name.
	DeviceName string
	// Sessions are this device's finished sessions not known to be
	// uploaded (Enqueue skips the rest).
	Sessions []Session
	// Focusing, Since, Until and Changed are this device's focus state
	// (see State).
	Focusing     bool
	Since, Until time.Time
	Changed      time.Time
}

// Sync writes what waits in the outbox (sessions, then this device's
// state), reads the other devices' new sessions and states with
// time-range queries, and records the outcome in the status. Offline, the
// writes stay queued and the error is returned and recorded.
func (s *Syncer) Sync(ctx context.Context, loc Local, now time.Time) (Result, error) {
	var res Result
	if err := s.st.Init(); err != nil {
		return res, err
	}
	err := s.sync(ctx, loc, now, &res)
	if serr := s.recordStatus(loc, now, err); serr != nil && err == nil {
		err = serr
	}
	return res, err
}

func (s *Syncer) sync(ctx context.Context, loc Local, now time.Time, res *Result) error {
	if err := s.st.Init(); err != nil {
		return err
	}
	me := s.st.DeviceID()
	for i := range loc.Sessions {
		loc.Sessions[i].Device, loc.Sessions[i].DeviceName = me, loc.DeviceName
		if loc.Sessions[i].UID == "" {
			return fmt.Errorf("session starting %s has no UID", loc.Sessions[i].Start)
		}
	}
	if _, err := s.st.Enqueue(loc.Sessions, now); err != nil {
		return err
	}
	dav, err := s.src.DAV(loc.Source)
	if err != nil {
		return err
	}
	lc, err := s.logCalendar(ctx, dav, now, res)
	if err != nil {
		return err
	}
	if err := s.flush(ctx, dav, lc, loc, me, now, res); err != nil {
		return err
	}
	return s.read(ctx, dav, lc, loc, me, now, res)
}

// errHeld marks a write refused because another object holds its place.
var errHeld = errors.New("held")

// flush writes the outbox: sessions oldest first, then this device's state
// event (rewritten when its focus changed or sessions were uploaded, so
// other devices learn both at their next read). A network failure stops it
// with everything not yet written still queued.
func (s *Syncer) flush(ctx context.Context, dav *calendar.DAV, lc logCal, loc Local, me string, now time.Time, res *Result) error {
	var items []outItem
	var prev State
	err := s.st.db.View(func(tx *bolt.Tx) error {
		if _, err := getJSON(bk(tx, metaBucket), keyState, &prev); err != nil {
			return err
		}
		return bk(tx, outboxBucket).ForEach(func(k, v []byte) error {
			var it outItem
			if err := json.Unmarshal(v, &it); err != nil {
				return err
			}
			items = append(items, it)
			return nil
		})
	})
	if err != nil {
		return err
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Start.Before(items[j].Start) })
	var oldest time.Time
	uploaded := 0
	for _, it := range items {
		if it.Update || it.Held {
			continue
		}
		switch err := s.write(ctx, dav, lc, me, it, res); {
		case errors.Is(err, errHeld):
			continue
		case err != nil:
			return err
		}
		uploaded++
		if oldest.IsZero() || it.Start.Before(oldest) {
			oldest = it.Start
		}
	}
	st := State{Device: me, DeviceName: loc.DeviceName, Focusing: loc.Focusing, Since: loc.Since, Until: loc.Until,
		Changed: loc.Changed, Seq: prev.Seq, Backfill: prev.Backfill, Written: prev.Written}
	if uploaded > 0 {
		st.Seq++
		st.Backfill = oldest
	}
	same := prev.Device == me && prev.Focusing == st.Focusing && prev.Since.Equal(st.Since) && prev.Until.Equal(st.Until) &&
		prev.Changed.Equal(st.Changed) && prev.DeviceName == st.DeviceName && prev.Seq == st.Seq && !prev.Written.IsZero() &&
		now.Sub(prev.Written) < ReadOverlap/2
	if same {
		return nil
	}
	// Rewritten at least every ReadOverlap/2, so routine reads of other
	// devices always find it.
	st.Written = now.UTC()
	it := outItem{UID: stateUID(me), Body: stateObject(st), Start: now, Update: true}
	if err := s.write(ctx, dav, lc, me, it, res); err != nil && !errors.Is(err, errHeld) {
		return err
	}
	return s.st.db.Update(func(tx *bolt.Tx) error { return putJSON(bk(tx, metaBucket), keyState, st) })
}

// write puts one object: created with If-None-Match: *, or (the state
// event, already on the server) replaced with If-Match: <etag>. On a 412 it
// reads the object again: if it is this device's own, it is adopted (a
// session written before whose answer was lost) or replaced at its current
// ETag (the state); anything else is never overwritten and the write is
// held (errHeld).
func (s *Syncer) write(ctx context.Context, dav *calendar.DAV, lc logCal, me string, it outItem, res *Result) error {
	href := strings.TrimSuffix(lc.Path, "/") + "/" + it.UID + ".ics"
	var rec sentRec
	var known bool
	if err := s.st.db.View(func(tx *bolt.Tx) (err error) {
		known, err = getJSON(bk(tx, sentBucket), []byte(it.UID), &rec)
		return err
	}); err != nil {
		return err
	}
	if known && rec.Href != href {
		known = false
	}
	cond, val := "If-None-Match", "*"
	if known && it.Update && rec.ETag != "" {
		cond, val = "If-Match", rec.ETag
	}
	for attempt := 0; ; attempt++ {
		if known && !it.Update {
			return s.sent(it, sentRec{Href: href, ETag: rec.ETag})
		}
		res.Requests++
		code, etag, err := dav.Put(ctx, href, it.Body, cond, val)
		switch {
		case err != nil:
			return err
		case code/100 == 2:
			res.Written++
			return s.sent(it, sentRec{Href: href, ETag: etag})
		case code != http.StatusPreconditionFailed:
			return fmt.Errorf("write %s: %w", it.UID, calendar.StatusError(code))
		}
		if attempt > 0 {
			return fmt.Errorf("write %s: it keeps changing on the server; trying again at the next sync", it.UID)
		}
		// 412: read what is there now.
		res.Requests++
		body, tag, status, err := dav.Get(ctx, href)
		switch {
		case err != nil:
			return err
		case status == http.StatusNotFound:
			cond, val = "If-None-Match", "*"
		case status != http.StatusOK || !isOwn(body, it.UID, me):
			return s.hold(it)
		case !it.Update:
			// The session is there already (an answer lost on the way):
			// adopt it, no second copy.
			return s.sent(it, sentRec{Href: href, ETag: tag})
		default:
			// This device's state event changed behind its back: replace
			// that version, this device's state is its own to say.
			cond, val = "If-Match", tag
		}
	}
}

// sent moves an item from the outbox to the sent records.
func (s *Syncer) sent(it outItem, rec sentRec) error {
	return s.st.db.Update(func(tx *bolt.Tx) error {
		if err := bk(tx, outboxBucket).Delete([]byte(it.UID)); err != nil {
			return err
		}
		return putJSON(bk(tx, sentBucket), []byte(it.UID), rec)
	})
}

// hold keeps a refused write in the outbox, marked so the status counts
// it; the session stays in the local log either way.
func (s *Syncer) hold(it outItem) error {
	it.Held = true
	err := s.st.db.Update(func(tx *bolt.Tx) error { return putJSON(bk(tx, outboxBucket), []byte(it.UID), it) })
	if err != nil {
		return err
	}
	return errHeld
}

// read fetches the other devices' events written since the last complete
// read (with ReadOverlap; the first read covers MaxHistory), widened to a
// device's Backfill when it came back with old sessions, stores them by
// UID and picks the focus change to follow.
func (s *Syncer) read(ctx context.Context, dav *calendar.DAV, lc logCal, loc Local, me string, now time.Time, res *Result) error {
	var lastRead time.Time
	var lastTag string
	seen := map[string]int64{}
	err := s.st.db.View(func(tx *bolt.Tx) error {
		meta := bk(tx, metaBucket)
		if raw := meta.Get(keyRead); raw != nil {
			if err := lastRead.UnmarshalBinary(raw); err != nil {
				return err
			}
		}
		lastTag = string(meta.Get(keyTag))
		_, err := getJSON(meta, keySeen, &seen)
		return err
	})
	if err != nil {
		return err
	}
	// The collection's tag first: unchanged since the last complete read,
	// nothing on the server is new and the read is skipped (a poll is then
	// one small PROPFIND). It is taken before the query, so a change made
	// while the query runs is read again next time, never missed. The last
	// read's time stays, so the next read still starts where that one did.
	res.Requests++
	tag, err := dav.CollectionTag(ctx, lc.Path)
	if err != nil {
		return fmt.Errorf("read the focus log: %w", err)
	}
	if tag != "" && tag == lastTag && !lastRead.IsZero() {
		return s.pickFollow(loc, res)
	}
	from := now.Add(-MaxHistory)
	if !lastRead.IsZero() {
		from = lastRead.Add(-ReadOverlap)
	}
	to := now.Add(MaxSessionSpan)
	states, err := s.readRange(ctx, dav, lc, me, from, to, res)
	if err != nil {
		return err
	}
	// A device back from a long time offline uploaded sessions older
	// than this read: read back to the oldest of them.
	backfill := from
	for _, st := range states {
		if st.Seq > seen[st.Device] && !st.Backfill.IsZero() && st.Backfill.Before(backfill) {
			backfill = st.Backfill
		}
	}
	if backfill.Before(from) {
		if _, err := s.readRange(ctx, dav, lc, me, backfill.Add(-time.Second), from, res); err != nil {
			return err
		}
	}
	for _, st := range states {
		if st.Seq > seen[st.Device] {
			seen[st.Device] = st.Seq
		}
	}
	err = s.st.db.Update(func(tx *bolt.Tx) error {
		meta := bk(tx, metaBucket)
		raw, err := now.UTC().MarshalBinary()
		if err != nil {
			return err
		}
		if err := meta.Put(keyRead, raw); err != nil {
			return err
		}
		if err := meta.Put(keyTag, []byte(tag)); err != nil {
			return err
		}
		return putJSON(meta, keySeen, seen)
	})
	if err != nil {
		return err
	}
	return s.pickFollow(loc, res)
}

// pickFollow sets res.Follow to the newest focus change of another device
// that is newer than this device's own.
func (s *Syncer) pickFollow(loc Local, res *Result) error {
	devs, err := s.st.Devices()
	if err != nil {
		return err
	}
	for i := range devs {
		if devs[i].Changed.After(loc.Changed) && (res.Follow == nil || devs[i].Changed.After(res.Follow.Changed)) {
			res.Follow = &devs[i]
		}
	}
	return nil
}

// readRange queries [from, to) in chunks of QueryChunk, stores the other
// devices' sessions and states, and returns the states it saw.
func (s *Syncer) readRange(ctx context.Context, dav *calendar.DAV, lc logCal, me string, from, to time.Time, res *Result) ([]State, error) {
	var states []State
	for lo := from; lo.Before(to); lo = lo.Add(QueryChunk) {
		hi := lo.Add(QueryChunk)
		if hi.After(to) {
			hi = to
		}
		res.Requests++
		objs, err := dav.Query(ctx, lc.Path, lo, hi)
		if err != nil {
			return nil, fmt.Errorf("read the focus log: %w", err)
		}
		err = s.st.db.Update(func(tx *bolt.Tx) error {
			devs := bk(tx, devsBucket)
			for _, o := range objs {
				p, ok := parseObject(o.Data)
				if !ok || p.device == me {
					continue
				}
				switch {
				case p.session != nil:
					changed, err := addRemote(tx, *p.session)
					if err != nil {
						return err
					}
					if changed {
						res.Read++
					}
				case p.state != nil:
					states = append(states, *p.state)
					var cur State
					if _, err := getJSON(devs, []byte(p.device), &cur); err != nil {
						return err
					}
					if !cur.Written.After(p.state.Written) {
						if err := putJSON(devs, []byte(p.device), p.state); err != nil {
							return err
						}
					}
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return states, nil
}

// lastOutcome is the stored outcome of the latest syncs.
type lastOutcome struct {
	LastAttempt time.Time `json:"last_attempt,omitzero"`
	LastSuccess time.Time `json:"last_success,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
}

func (s *Syncer) recordStatus(loc Local, now time.Time, err error) error {
	return s.st.db.Update(func(tx *bolt.Tx) error {
		meta := bk(tx, metaBucket)
		var o lastOutcome
		if _, gerr := getJSON(meta, keyStatus, &o); gerr != nil {
			return gerr
		}
		o.LastAttempt = now.UTC()
		o.LastError = ""
		if err != nil {
			o.LastError = err.Error()
		} else {
			o.LastSuccess = now.UTC()
		}
		return putJSON(meta, keyStatus, o)
	})
}

// Status returns the sync state: this device, the latest syncs' outcome,
// what waits to be written and the other devices as last seen.
func (s *Store) Status(deviceName string) (Status, error) {
	st := Status{Device: s.DeviceID(), DeviceName: deviceName}
	counts := map[string]int{}
	var lc logCal
	err := s.db.View(func(tx *bolt.Tx) error {
		if !ready(tx) {
			return nil
		}
		var o lastOutcome
		if _, err := getJSON(bk(tx, metaBucket), keyStatus, &o); err != nil {
			return err
		}
		st.LastAttempt, st.LastSuccess, st.LastError = o.LastAttempt, o.LastSuccess, o.LastError
		if _, err := getJSON(bk(tx, metaBucket), keyLog, &lc); err != nil {
			return err
		}
		if err := bk(tx, outboxBucket).ForEach(func(k, v []byte) error {
			var it outItem
			if err := json.Unmarshal(v, &it); err != nil {
				return err
			}
			if it.Held {
				st.Held++
			} else {
				st.Pending++
			}
			return nil
		}); err != nil {
			return err
		}
		return bk(tx, remoteBucket).ForEach(func(k, v []byte) error {
			var se Session
			if err := json.Unmarshal(v, &se); err != nil {
				return err
			}
			counts[se.Device]++
			return nil
		})
	})
	if err != nil {
		return st, fmt.Errorf("sync status: %w", err)
	}
	st.LogCalendar = lc.label()
	devs, err := s.Devices()
	if err != nil {
		return st, fmt.Errorf("sync status: %w", err)
	}
	for _, d := range devs {
		st.Devices = append(st.Devices, DeviceStatus{ID: d.Device, Name: d.DeviceName, LastSeen: d.Written,
			Focusing: d.Focusing, Sessions: counts[d.Device]})
	}
	return st, nil
}
