// Package service wires Lull's domains (calendar, focus, notify) into the
// running application and its local API, without any UI: the Fyne layer in
// app/ and the command line in cmd/lull sit on top of it, and everything here
// is testable without a display.
package service

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/calendar/devsync"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/settings"
	"github.com/lullapp/lull/internal/store"
	"github.com/lullapp/lull/notify"
)

// Data is Lull's stored state opened without any scheduler: what the
// command line uses when no instance runs, and what Service builds on.
type Data struct {
	Dir     string
	DB      *store.DB
	Clock   clock.Clock
	Log     *focus.Log
	Blocks  *calendar.BlockStore
	Sources *calendar.SourceStore
	Queue   *notify.Queue
	// Devices is the device sync's state: the outbox, the other devices'
	// sessions and states (calendar/devsync).
	Devices *devsync.Store

	saveMu   sync.Mutex // one settings save (and its onSave) at a time
	mu       sync.Mutex
	settings Settings
	busy     *BusySnapshot
	onSave   func(old, new Settings)
	problems []error
	// planMu makes a re-plan and an adoption of the shared plan one at a
	// time: a re-plan worked out before an adoption and stored after it
	// would turn an adopted block back into this device's proposal, and
	// the next publish would remove it from the other devices.
	planMu sync.Mutex
	// beforeSharedWrite, when set (tests only), runs in a publish to a
	// shared calendar after the shared plan was re-read and before
	// anything is written: the moment two devices race for.
	beforeSharedWrite func()
}

// DataOptions say where the data lives and which keyring holds secrets.
type DataOptions struct {
	// Dir is the data directory (store.DataDir).
	Dir string
	// Clock defaults to the real clock.
	Clock clock.Clock
	// Secrets defaults to the OS keyring.
	Secrets calendar.Secrets
	// LockTimeout bounds waiting for another process's lock (default 1 s).
	LockTimeout time.Duration
	// ReadOnly opens the file read-only (shared lock).
	ReadOnly bool
	// Sources tunes the calendar sources (time limits, size caps, the
	// HTTP client); the zero value gives calendar's defaults.
	Sources calendar.SourceOptions
}

// OpenData opens the database in opts.Dir and the domain stores on it.
// It fails with store.ErrLocked when another Lull process holds the file.
func OpenData(opts DataOptions) (*Data, error) {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Secrets == nil {
		opts.Secrets = calendar.Keyring{}
	}
	if opts.LockTimeout == 0 {
		opts.LockTimeout = time.Second
	}
	db, err := store.Open(filepath.Join(opts.Dir, store.FileName), store.Options{LockTimeout: opts.LockTimeout, ReadOnly: opts.ReadOnly})
	if err != nil {
		return nil, err
	}
	d := &Data{Dir: opts.Dir, DB: db, Clock: opts.Clock}
	fail := func(err error) (*Data, error) {
		db.Close()
		return nil, err
	}
	if d.settings, err = LoadSettings(db); err != nil {
		return fail(err)
	}
	if d.Log, err = focus.OpenLog(db); err != nil {
		return fail(err)
	}
	if d.Blocks, err = calendar.NewBlockStore(db); err != nil {
		return fail(err)
	}
	if d.Sources, err = calendar.NewSourceStore(db, opts.Secrets, opts.Clock, opts.Sources); err != nil {
		return fail(err)
	}
	if d.Queue, err = notify.OpenQueue(db, d.settings.Location()); err != nil {
		return fail(err)
	}
	if d.Devices, err = devsync.OpenStore(db); err != nil {
		return fail(err)
	}
	d.problems = d.Queue.Problems()
	return d, nil
}

// Problems returns what opening found wrong with the data but could work
// around (a damaged notification journal: what could be read was kept),
// for the user to see once at start; nil when nothing.
func (d *Data) Problems() []error { return d.problems }

// problemLines is Problems as text, for the status.
func (d *Data) problemLines() []string {
	var out []string
	for _, p := range d.problems {
		out = append(out, p.Error())
	}
	return out
}

// Close closes the notification queue (moving what its journal holds into
// the database) and the database.
func (d *Data) Close() error {
	qerr := d.Queue.Close()
	if err := d.DB.Close(); err != nil {
		return err
	}
	return qerr
}

// Settings returns the current settings.
func (d *Data) Settings() Settings {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.settings
}

// SaveSettings validates, stores and adopts s; in a running service the
// schedules and rules follow at once (Service.applySettings). A new export
// file is also checked on disk (calendar.CheckExportPath): a file already
// there must be a calendar Lull wrote.
func (d *Data) SaveSettings(s Settings) error {
	d.saveMu.Lock()
	defer d.saveMu.Unlock()
	if s.ExportICS != "" && s.ExportICS != d.Settings().ExportICS {
		if err := calendar.CheckExportPath(s.ExportICS); err != nil {
			return settings.Bad(settings.ExportError(s.ExportICS, err))
		}
	}
	if err := SaveSettings(d.DB, s); err != nil {
		return err
	}
	d.mu.Lock()
	old := d.settings
	d.settings = s
	onSave := d.onSave
	d.mu.Unlock()
	if onSave != nil {
		onSave(old, s)
	}
	return nil
}

// setOnSave makes f run after every successful save, with the settings
// before and after.
func (d *Data) setOnSave(f func(old, new Settings)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.onSave = f
}

// Location is the user's zone.
func (d *Data) Location() *time.Location { return d.Settings().Location() }

// FocusConfig is focus's view of the settings.
func (d *Data) FocusConfig() focus.Config { return d.Settings().FocusConfig() }

// Deps are focus's views of the other domains, read from the stored data.
func (d *Data) Deps(stats focus.NotifyStats) focus.Deps {
	return focus.Deps{
		Blocks:       acceptedBlocks{d.Blocks},
		Busy:         busyCache{d},
		WorkingHours: func(day time.Time) []calendar.Interval { return d.Settings().WorkingHours(day) },
		OutOfOffice:  d.outOfOffice,
		NotifyStats:  stats,
		Remote:       remoteSessions{d.Devices},
		DeviceName:   d.DeviceName,
	}
}

// Report builds week w's report from the stored data.
func (d *Data) Report(w focus.Week) (*focus.WeeklyReport, error) {
	return focus.BuildReport(d.Log, d.FocusConfig(), d.Deps(d.Queue), w, d.Clock.Now())
}

// acceptedBlocks adapts the block store to focus.BlockSource: only accepted
// blocks, past ones included, so the report can count planned vs kept.
type acceptedBlocks struct{ s *calendar.BlockStore }

func (a acceptedBlocks) Blocks(from, to time.Time) ([]focus.Block, error) {
	list, err := a.s.List(from, to)
	if err != nil {
		return nil, err
	}
	var out []focus.Block
	for _, b := range list {
		if b.State == calendar.StateAccepted {
			out = append(out, focus.Block{ID: b.ID, Start: b.Start, End: b.End})
		}
	}
	return out, nil
}

// BusySnapshot is the merged busy time of every source as of the last
// sync, kept in bbolt so the report and the planner work without fetching.
type BusySnapshot struct {
	// Synced is when it was computed.
	Synced time.Time `json:"synced"`
	// From and To bound the expansion window it covers.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Busy is merged busy time (Lull's own blocks excluded).
	Busy []calendar.Interval `json:"busy"`
	// OutOfOffice are midnights of out-of-office days.
	OutOfOffice []time.Time `json:"out_of_office,omitempty"`
	// AllDay are the busy all-day events, so the plan can say why a day
	// got no focus.
	AllDay []calendar.AllDayEvent `json:"all_day,omitempty"`
	// Meetings are the timed busy events that had not ended at Synced
	// (at most maxStoredMeetings, soonest first): what holds
	// notifications during meetings.
	Meetings []calendar.Meeting `json:"meetings,omitempty"`
}

var busyKey = []byte("busy")

// Busy returns the stored busy snapshot (zero when never synced).
func (d *Data) Busy() (BusySnapshot, error) {
	d.mu.Lock()
	cached := d.busy
	d.mu.Unlock()
	if cached != nil {
		return *cached, nil
	}
	var snap BusySnapshot
	err := d.DB.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(settingsBucket)
		if b == nil {
			return nil
		}
		if v := b.Get(busyKey); v != nil {
			return json.Unmarshal(v, &snap)
		}
		return nil
	})
	if err != nil {
		return BusySnapshot{}, fmt.Errorf("busy time in %s: %w", d.DB.Path(), err)
	}
	d.mu.Lock()
	d.busy = &snap
	d.mu.Unlock()
	return snap, nil
}

func (d *Data) saveBusy(snap BusySnapshot) error {
	v, err := json.Marshal(snap)
	if err != nil {
		return err
	}
	err = d.DB.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(settingsBucket)
		if err != nil {
			return err
		}
		return b.Put(busyKey, v)
	})
	if err != nil {
		return fmt.Errorf("busy time in %s: %w", d.DB.Path(), err)
	}
	d.mu.Lock()
	d.busy = &snap
	d.mu.Unlock()
	return nil
}

func (d *Data) outOfOffice(day time.Time) bool {
	snap, err := d.Busy()
	if err != nil {
		return false
	}
	loc := d.Location()
	y, m, dd := day.In(loc).Date()
	for _, o := range snap.OutOfOffice {
		oy, om, od := o.In(loc).Date()
		if y == oy && m == om && dd == od {
			return true
		}
	}
	return false
}

// busyCache adapts the stored snapshot to focus.BusySource.
type busyCache struct{ d *Data }

func (c busyCache) Busy(from, to time.Time) ([]calendar.Interval, error) {
	snap, err := c.d.Busy()
	if err != nil {
		return nil, err
	}
	return clip(snap.Busy, from, to), nil
}

func clip(ivs []calendar.Interval, from, to time.Time) []calendar.Interval {
	var out []calendar.Interval
	for _, iv := range ivs {
		if iv.End.After(from) && iv.Start.Before(to) {
			out = append(out, iv)
		}
	}
	return out
}
