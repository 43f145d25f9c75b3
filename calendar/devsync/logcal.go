package devsync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	bolt "go.etcd.io/bbolt"

	"github.com/lullapp/lull/calendar"
)

// The pointer object: which calendar holds the focus log, shared through
// the synced calendar so every device writes to and reads from the same
// one (two devices on different log calendars would silently not see each
// other's sessions).
const (
	// PointerName is the pointer's object name in the synced calendar. It
	// holds one transparent event on 1 January 1970 (never in any time
	// range Lull or a calendar app shows) naming the log calendar's path.
	PointerName = "lull-focus-log.ics"
	// PointerUID is the UID of the pointer's event.
	PointerUID = "lull-focus-log"
	// propLogCalendar is the pointer's property: the log calendar's path.
	propLogCalendar = "X-LULL-LOG-CALENDAR"
)

// PointerCheck is how often a device reads the pointer object again to
// notice a log calendar picked on another device. A quiet sync is one
// PROPFIND of the log calendar's tag (every Period); reading the pointer at
// every sync would double that, so it is read once in PointerCheck: a
// device follows another's pick within ten minutes, and writes nothing
// lost in the meantime (after the switch it sends its whole log again to
// the new calendar).
const PointerCheck = 10 * time.Minute

// ErrNoSuchLogCalendar means the calendar asked for as the focus log is
// not one of the sync account's calendars that take events.
var ErrNoSuchLogCalendar = errors.New("pick a calendar of the synced account")

// LogChoice is one calendar of the synced account the focus log may go to.
type LogChoice struct {
	// Path is the calendar's path on the server, Name its display name
	// (the path's last segment when it has none).
	Path string `json:"path"`
	Name string `json:"name"`
	// Current is true for the calendar the log goes to now (the pointer's,
	// else the one this device uses).
	Current bool `json:"current,omitempty"`
	// Synced is true for the synced calendar itself.
	Synced bool `json:"synced,omitempty"`
	// Own is true for Lull's own "Lull focus log".
	Own bool `json:"own,omitempty"`
}

// pointerHref is the pointer object's href in the synced calendar.
func pointerHref(dav *calendar.DAV) string {
	return strings.TrimSuffix(dav.Config().CalendarPath, "/") + "/" + PointerName
}

// pointerObject is the pointer naming the log calendar at logPath.
func pointerObject(logPath string, now time.Time) []byte {
	return event(PointerUID, "Lull focus log pointer (tells your devices which calendar holds the shared focus log)",
		time.Unix(0, 0), time.Unix(60, 0), now, [][2]string{{propLogCalendar, escapeText(logPath)}})
}

// parsePointer reads a pointer object: the log calendar's path. ok is
// false when obj is not Lull's pointer.
func parsePointer(obj []byte) (logPath string, ok bool) {
	cal, err := ical.NewDecoder(bytes.NewReader(obj)).Decode()
	if err != nil {
		return "", false
	}
	evs := cal.Events()
	if len(evs) != 1 {
		return "", false
	}
	uid := evs[0].Props.Get(ical.PropUID)
	prop := evs[0].Props.Get(propLogCalendar)
	if uid == nil || strings.TrimSpace(uid.Value) != PointerUID || prop == nil {
		return "", false
	}
	v, err := prop.Text()
	if err != nil || strings.TrimSpace(v) == "" {
		return "", false
	}
	return strings.TrimSpace(v), true
}

// readPointer GETs the pointer object: the path it names ("" when there is
// none), its ETag and whether an object at its name is someone else's.
func readPointer(ctx context.Context, dav *calendar.DAV, res *Result) (logPath, etag string, foreign bool, err error) {
	res.Requests++
	body, tag, status, err := dav.Get(ctx, pointerHref(dav))
	switch {
	case err != nil:
		return "", "", false, fmt.Errorf("read which calendar holds the focus log: %w", err)
	case status == http.StatusNotFound:
		return "", "", false, nil
	case status != http.StatusOK:
		return "", "", false, fmt.Errorf("read which calendar holds the focus log: %w", calendar.StatusError(status))
	}
	p, ok := parsePointer(body)
	if !ok {
		return "", tag, true, nil
	}
	return p, tag, false, nil
}

// samePath reports whether two collection paths name the same collection.
func samePath(a, b string) bool {
	return strings.TrimSuffix(a, "/") == strings.TrimSuffix(b, "/")
}

// loadLog is the remembered log calendar.
func (s *Syncer) loadLog() (logCal, error) {
	var lc logCal
	err := s.st.db.View(func(tx *bolt.Tx) error {
		_, err := getJSON(bk(tx, metaBucket), keyLog, &lc)
		return err
	})
	return lc, err
}

// logCalendar finds the log calendar. The one remembered is used as it is
// until PointerCheck after it was last checked; then the pointer object is
// read: a pointer naming another calendar (picked on another device)
// switches this device to it. Without a pointer and without a remembered
// one it is the calendar named LogCalendarName, else one made with
// MKCALENDAR, else the synced calendar itself (its log events are
// transparent, so they never block time).
func (s *Syncer) logCalendar(ctx context.Context, dav *calendar.DAV, now time.Time, res *Result) (logCal, error) {
	src := dav.Config()
	lc, err := s.loadLog()
	if err != nil {
		return lc, err
	}
	known := lc.Source == src.ID && lc.Path != ""
	if known && now.Sub(lc.Checked) < PointerCheck && !lc.Checked.After(now) {
		return lc, nil
	}
	picked, _, _, err := readPointer(ctx, dav, res)
	if err != nil {
		return lc, err
	}
	switch {
	case picked != "" && !(known && samePath(picked, lc.Path)):
		next, err := s.pickedLog(ctx, dav, picked, res)
		if err != nil {
			return lc, err
		}
		next.Checked = now.UTC()
		res.LogChanged, err = s.resetLog(next)
		return next, err
	case known:
		lc.Checked = now.UTC()
		return lc, s.st.db.Update(func(tx *bolt.Tx) error { return putJSON(bk(tx, metaBucket), keyLog, lc) })
	}
	res.Requests++
	cals, err := dav.Calendars(ctx)
	if err != nil {
		return lc, fmt.Errorf("find the %q calendar: %w", LogCalendarName, err)
	}
	next := s.ownLog(ctx, dav, cals, res)
	next.Checked = now.UTC()
	res.LogChanged, err = s.resetLog(next)
	return next, err
}

// pickedLog is the log calendar at logPath, named by a pointer another
// device wrote: its display name comes from the account's calendars.
func (s *Syncer) pickedLog(ctx context.Context, dav *calendar.DAV, logPath string, res *Result) (logCal, error) {
	src := dav.Config()
	lc := logCal{Source: src.ID, Path: logPath, Dedicated: !samePath(logPath, src.CalendarPath)}
	res.Requests++
	cals, err := dav.Calendars(ctx)
	if err != nil {
		return lc, fmt.Errorf("find the focus log calendar picked on another device: %w", err)
	}
	for _, c := range cals {
		if samePath(c.Path, logPath) {
			lc.Path, lc.Name = c.Path, choiceName(c)
			return lc, nil
		}
	}
	// Discovery may not list every calendar (an account whose home is
	// unknown): one that answers a query is there.
	res.Requests++
	if _, err := dav.Query(ctx, logPath, time.Unix(0, 0), time.Unix(1, 0)); err != nil {
		return lc, fmt.Errorf("the focus log calendar picked on another device (%s) is not there any more; pick one with \"lull sync log-calendar NAME\": %w", logPath, err)
	}
	lc.Name = path.Base(strings.TrimSuffix(logPath, "/"))
	return lc, nil
}

// ownLog is Lull's own log calendar: the one named LogCalendarName among
// cals, else one made with MKCALENDAR, else the synced calendar itself.
func (s *Syncer) ownLog(ctx context.Context, dav *calendar.DAV, cals []calendar.CalDAVCalendar, res *Result) logCal {
	src := dav.Config()
	lc := logCal{Source: src.ID, Path: src.CalendarPath}
	for _, c := range cals {
		if strings.EqualFold(strings.TrimSpace(c.Name), LogCalendarName) {
			lc.Path, lc.Dedicated, lc.Name = c.Path, true, LogCalendarName
			return lc
		}
	}
	p := dav.SiblingPath(logSlug)
	res.Requests++
	code, err := dav.MkCalendar(ctx, p, LogCalendarName)
	switch {
	case err == nil && code == http.StatusCreated:
		lc.Path, lc.Dedicated, lc.Name = p, true, LogCalendarName
	case err == nil:
		// Another device may have made it already (discovery does not
		// list it when the account's home is unknown): a calendar that
		// answers a query is it.
		res.Requests++
		if _, qerr := dav.Query(ctx, p, time.Unix(0, 0), time.Unix(1, 0)); qerr == nil {
			lc.Path, lc.Dedicated, lc.Name = p, true, LogCalendarName
		}
	}
	// Otherwise the server does not let Lull make calendars: the log goes
	// into the synced calendar as transparent events.
	return lc
}

// resetLog remembers lc as the log calendar. A new log calendar: what was
// sent elsewhere is not there, so the whole local log is swept and sent
// again (kept-back writes are tried again: their place there may be free),
// and the new calendar is read in full. The other devices' sessions stay
// stored by UID, so reading them again there counts none twice.
//
// moved is true when lc replaces another log calendar (not at the first
// sync): the sessions handed to this sync were enqueued before the switch
// and the caller syncs again at once (Result.LogChanged).
func (s *Syncer) resetLog(lc logCal) (moved bool, err error) {
	err = s.st.db.Update(func(tx *bolt.Tx) error {
		meta := bk(tx, metaBucket)
		var old logCal
		if _, err := getJSON(meta, keyLog, &old); err != nil {
			return err
		}
		if old.Source == lc.Source && samePath(old.Path, lc.Path) && old.Path != "" {
			return putJSON(meta, keyLog, lc)
		}
		moved = old.Path != ""
		root := tx.Bucket(rootBucket)
		if err := root.DeleteBucket(sentBucket); err != nil {
			return err
		}
		if _, err := root.CreateBucket(sentBucket); err != nil {
			return err
		}
		out := bk(tx, outboxBucket)
		var held []outItem
		if err := out.ForEach(func(k, v []byte) error {
			var it outItem
			if _, err := getJSON(out, k, &it); err != nil {
				return err
			}
			if it.Held {
				it.Held = false
				held = append(held, it)
			}
			return nil
		}); err != nil {
			return err
		}
		for _, it := range held {
			if err := putJSON(out, []byte(it.UID), it); err != nil {
				return err
			}
		}
		// The upload counters start again in the new calendar: what was
		// seen of them in the old one must not hide a device's backfill.
		for _, k := range [][]byte{keyRead, keyTag, keySwept, keyState, keySeen} {
			if err := meta.Delete(k); err != nil {
				return err
			}
		}
		return putJSON(meta, keyLog, lc)
	})
	return moved, err
}

// choiceName is a calendar's name for people: its display name, else its
// path's last segment.
func choiceName(c calendar.CalDAVCalendar) string {
	if n := strings.TrimSpace(c.Name); n != "" {
		return n
	}
	return path.Base(strings.TrimSuffix(c.Path, "/"))
}

// takesEvents reports whether c accepts events (servers that do not say
// are taken at their word).
func takesEvents(c calendar.CalDAVCalendar) bool {
	if len(c.Components) == 0 {
		return true
	}
	for _, comp := range c.Components {
		if strings.EqualFold(comp, "VEVENT") {
			return true
		}
	}
	return false
}

// LogCalendars lists the calendars of source's account the focus log may
// go to, sorted by name, the current one marked: the one the pointer
// object names, else the one this device uses.
func (s *Syncer) LogCalendars(ctx context.Context, source string) ([]LogChoice, error) {
	dav, err := s.src.DAV(source)
	if err != nil {
		return nil, err
	}
	var res Result
	cur, _, _, err := readPointer(ctx, dav, &res)
	if err != nil {
		return nil, err
	}
	if cur == "" {
		lc, err := s.loadLog()
		if err != nil {
			return nil, err
		}
		if lc.Source == source {
			cur = lc.Path
		}
	}
	cals, err := dav.Calendars(ctx)
	if err != nil {
		return nil, fmt.Errorf("list the calendars: %w", err)
	}
	synced := dav.Config().CalendarPath
	var out []LogChoice
	for _, c := range cals {
		if !takesEvents(c) {
			continue
		}
		out = append(out, LogChoice{Path: c.Path, Name: choiceName(c), Current: cur != "" && samePath(c.Path, cur),
			Synced: samePath(c.Path, synced), Own: strings.EqualFold(strings.TrimSpace(c.Name), LogCalendarName)})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if a, b := strings.ToLower(out[i].Name), strings.ToLower(out[j].Name); a != b {
			return a < b
		}
		return out[i].Path < out[j].Path
	})
	return out, nil
}

// SetLogCalendar makes the calendar which names (a display name, any case,
// or a path) the focus log of every device on source's account: "" is
// Lull's own "Lull focus log", made when missing (the synced calendar when
// the server does not let Lull make calendars). It must be a calendar of
// the same account that takes events. The choice is written to the pointer
// object (PointerName) in the synced calendar with a precondition, never
// over an object that is not Lull's pointer; this device switches at once
// (its whole log goes to the new calendar at the next sync), the others at
// their next pointer check. It returns the chosen calendar.
func (s *Syncer) SetLogCalendar(ctx context.Context, source, which string, now time.Time) (LogChoice, error) {
	if err := s.st.Init(); err != nil {
		return LogChoice{}, err
	}
	dav, err := s.src.DAV(source)
	if err != nil {
		return LogChoice{}, err
	}
	var res Result
	cals, err := dav.Calendars(ctx)
	if err != nil {
		return LogChoice{}, fmt.Errorf("list the calendars: %w", err)
	}
	var lc logCal
	if which = strings.TrimSpace(which); which == "" {
		lc = s.ownLog(ctx, dav, cals, &res)
	} else if lc, err = matchLog(dav, cals, which); err != nil {
		return LogChoice{}, err
	}
	if err := writePointer(ctx, dav, lc.Path, now); err != nil {
		return LogChoice{}, err
	}
	lc.Checked = now.UTC()
	if _, err := s.resetLog(lc); err != nil {
		return LogChoice{}, err
	}
	return LogChoice{Path: lc.Path, Name: lc.label(), Current: true, Synced: !lc.Dedicated,
		Own: lc.Dedicated && strings.EqualFold(lc.Name, LogCalendarName)}, nil
}

// matchLog is the calendar among cals which names: its path, else its
// display name (any case), which must be one calendar's.
func matchLog(dav *calendar.DAV, cals []calendar.CalDAVCalendar, which string) (logCal, error) {
	src := dav.Config()
	var hits []calendar.CalDAVCalendar
	for _, c := range cals {
		if takesEvents(c) && samePath(c.Path, which) {
			hits = []calendar.CalDAVCalendar{c}
			break
		}
		if takesEvents(c) && strings.EqualFold(choiceName(c), which) {
			hits = append(hits, c)
		}
	}
	var names []string
	for _, c := range cals {
		if takesEvents(c) {
			names = append(names, fmt.Sprintf("%q", choiceName(c)))
		}
	}
	switch len(hits) {
	case 0:
		return logCal{}, fmt.Errorf("%w: %q is none of %s, e.g. lull sync log-calendar %s",
			ErrNoSuchLogCalendar, which, strings.Join(names, ", "), firstOr(names, `"Focus"`))
	case 1:
		c := hits[0]
		return logCal{Source: src.ID, Path: c.Path, Dedicated: !samePath(c.Path, src.CalendarPath), Name: choiceName(c)}, nil
	}
	var paths []string
	for _, c := range hits {
		paths = append(paths, c.Path)
	}
	return logCal{}, fmt.Errorf("%w: more than one is named %q; give its path instead, one of %s",
		ErrNoSuchLogCalendar, which, strings.Join(paths, ", "))
}

func firstOr(names []string, def string) string {
	if len(names) > 0 {
		return names[0]
	}
	return def
}

// writePointer writes the pointer naming logPath: created with
// If-None-Match: *, or replaced at its ETag with If-Match. An object at its
// name that is not Lull's pointer is never overwritten.
func writePointer(ctx context.Context, dav *calendar.DAV, logPath string, now time.Time) error {
	var res Result
	href := pointerHref(dav)
	for attempt := 0; attempt < 2; attempt++ {
		cur, etag, foreign, err := readPointer(ctx, dav, &res)
		switch {
		case err != nil:
			return err
		case foreign:
			return fmt.Errorf("%w: %s in calendar %q is not Lull's, so Lull leaves it alone and cannot share which calendar holds the focus log; remove or rename that event, then pick again",
				calendar.ErrNotLullObject, PointerName, dav.Config().Name)
		case cur != "" && samePath(cur, logPath):
			return nil
		}
		cond, val := "If-None-Match", "*"
		if cur != "" {
			// A server that gives no ETag: the object was just read as
			// Lull's pointer, so any version of it may be replaced.
			cond, val = "If-Match", etag
			if etag == "" {
				val = "*"
			}
		}
		code, _, err := dav.Put(ctx, href, pointerObject(logPath, now), cond, val)
		switch {
		case err != nil:
			return fmt.Errorf("write which calendar holds the focus log: %w", err)
		case code/100 == 2:
			return nil
		case code != http.StatusPreconditionFailed:
			return fmt.Errorf("write which calendar holds the focus log: %w", calendar.StatusError(code))
		}
		// Changed between the read and the write: read it again.
	}
	return errors.New("which calendar holds the focus log keeps changing on the server (another device is picking one); try again in a moment")
}
