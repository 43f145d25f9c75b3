package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/internal/api"
)

// SourceReport is what one source's fetch gave during a sync
// (api.SourceReport).
type SourceReport = api.SourceReport

// SyncReport is the outcome of reading every source (api.SyncReport).
type SyncReport = api.SyncReport

// syncWindow is the time range a sync expands: the eight report weeks back
// and the planning horizon ahead.
func (d *Data) syncWindow(now time.Time) (from, to time.Time) {
	st := d.Settings()
	loc := st.Location()
	cfg := st.FocusConfig()
	week := cfg.WeekOf(now)
	from = week.Start.AddDate(0, 0, -7*8)
	y, m, dd := now.In(loc).Date()
	to = time.Date(y, m, dd+st.Plan.HorizonDays+1, 0, 0, 0, 0, loc)
	return from, to
}

// SyncCalendars fetches every source, expands it over the sync window and
// stores the merged busy time. A failing source keeps its last good copy
// (reported as stale); a source with no data at all is reported and
// contributes nothing. It fails only when storing fails.
func (d *Data) SyncCalendars(ctx context.Context) (SyncReport, error) {
	now := d.Clock.Now()
	st := d.Settings()
	from, to := d.syncWindow(now)
	rep := SyncReport{At: now}
	sources, err := d.Sources.Sources()
	if err != nil {
		return rep, err
	}
	var all calendar.BusyTime
	for _, src := range sources {
		sr := SourceReport{ID: src.ID(), Name: src.Name()}
		data, err := src.Fetch(ctx)
		if err != nil {
			sr.Error = err.Error()
			sr.Stale = errors.Is(err, calendar.ErrSourceStale)
		}
		if data != nil {
			opt := st.BusyOptions()
			if cfg, err := d.Sources.Config(src.ID()); err == nil {
				opt.AllDayFree = cfg.AllDayFree
			}
			bt, perr := calendar.ReadBusy(src.Name(), data, from, to, opt)
			var problems []error
			if perr != nil {
				sr.Error = perr.Error()
				problems = []error{perr}
			} else {
				problems = bt.Problems
				for _, p := range bt.Problems {
					sr.Problems = append(sr.Problems, p.Error())
				}
				sr.Events = bt.Read
				bt.Problems = nil
				all.Add(bt)
			}
			if err := d.Sources.RecordRead(src.ID(), sr.Events, problems); err != nil {
				return rep, err
			}
		}
		rep.Sources = append(rep.Sources, sr)
	}
	if err := d.adoptSharedPlan(ctx); err != nil {
		// Said on the row of the calendar that shares the plan; the plan
		// stands as stored and is read again at the next sync.
		for i := range rep.Sources {
			if sr := &rep.Sources[i]; sr.ID == st.PublishCalDAV {
				msg := "the plan shared with your other devices could not be read: " + err.Error()
				if sr.Error != "" {
					msg = sr.Error + "; " + msg
				}
				sr.Error = msg
			}
		}
	}
	snap := BusySnapshot{Synced: now, From: from, To: to, Busy: all.Busy, OutOfOffice: all.OutOfOffice, AllDay: all.AllDay,
		Meetings: comingMeetings(all.Meetings, now)}
	rep.BusyIntervals = len(snap.Busy)
	if err := d.saveBusy(snap); err != nil {
		return rep, err
	}
	return rep, nil
}

// CalendarList lists the calendar sources with their status in words
// (SourceInfo.Summary) for a person in the user's zone: what GET
// /v1/calendars answers and `lull calendar list` prints.
func (d *Data) CalendarList() ([]calendar.SourceInfo, error) {
	list, err := d.Sources.ListSources()
	if err != nil {
		return nil, err
	}
	now, loc := d.Clock.Now(), d.Location()
	for i := range list {
		list[i].Summary = list[i].Status.Describe(now, loc)
	}
	return list, nil
}

// PlanResult is the outcome of re-planning (api.PlanResult).
type PlanResult = api.PlanResult

// Replan plans the horizon from the stored busy time and the existing
// blocks. With dryRun nothing is stored.
func (d *Data) Replan(dryRun bool) (PlanResult, error) {
	return d.ReplanWith(dryRun, 0)
}

// ReplanWith is Replan with the horizon overridden by days (0: the
// setting).
func (d *Data) ReplanWith(dryRun bool, days int) (PlanResult, error) {
	d.planMu.Lock()
	defer d.planMu.Unlock()
	in, snap, err := d.planInput(days)
	if err != nil {
		return PlanResult{}, err
	}
	// Proposals made under other planning settings are withdrawn and made
	// again: a new block length, daily cap or preference applies at once,
	// not only to days that had no proposal yet. Accepted blocks stay.
	var withdrawn []calendar.Block
	if d.plannedWithOther(d.Settings().Plan) {
		kept := in.Existing[:0:0]
		for _, b := range in.Existing {
			if b.State == calendar.StateProposed && b.End.After(in.From) {
				withdrawn = append(withdrawn, b)
				continue
			}
			kept = append(kept, b)
		}
		in.Existing = kept
	}
	ch, err := calendar.Replan(in.Existing, in)
	if err != nil {
		return PlanResult{}, fmt.Errorf("plan: %w", err)
	}
	res := PlanResult{Added: len(ch.Add), Moved: len(ch.Move), Removed: len(ch.Remove) + len(withdrawn), Kept: len(ch.Keep), Blocks: ch.Blocks()}
	res.Days = calendar.ExplainDays(in, res.Blocks, snap.AllDay)
	if dryRun {
		return res, nil
	}
	if len(withdrawn) > 0 {
		if err := d.Blocks.Apply(calendar.Changes{Remove: withdrawn}); err != nil {
			return PlanResult{}, fmt.Errorf("plan: %w", err)
		}
	}
	if err := d.Blocks.Apply(ch); err != nil {
		return PlanResult{}, fmt.Errorf("plan: %w", err)
	}
	if err := d.setPlannedWith(d.Settings().Plan); err != nil {
		return PlanResult{}, fmt.Errorf("plan: %w", err)
	}
	return res, nil
}

// DayNotes says why working days of the horizon got no focus with the
// stored blocks (the plan as it stands, e.g. UpcomingBlocks); nothing
// before the calendars were first read, when there is nothing to say.
func (d *Data) DayNotes(blocks []calendar.Block) ([]calendar.DayNote, error) {
	in, snap, err := d.planInput(0)
	if err != nil || snap.Synced.IsZero() {
		return nil, err
	}
	return calendar.ExplainDays(in, blocks, snap.AllDay), nil
}

// planInput is what the planner gets now: the stored busy time, the
// horizon's blocks and tombstones, and this week's focus so far; days
// overrides the horizon (0: the setting).
func (d *Data) planInput(days int) (calendar.PlanInput, BusySnapshot, error) {
	now := d.Clock.Now()
	st := d.Settings()
	if days > 0 {
		st.Plan.HorizonDays = days
	}
	loc := st.Location()
	snap, err := d.Busy()
	if err != nil {
		return calendar.PlanInput{}, snap, err
	}
	y, m, dd := now.In(loc).Date()
	horizonStart := time.Date(y, m, dd, 0, 0, 0, 0, loc)
	horizonEnd := horizonStart.AddDate(0, 0, st.Plan.HorizonDays+1)
	existing, err := d.Blocks.List(horizonStart, horizonEnd)
	if err != nil {
		return calendar.PlanInput{}, snap, err
	}
	tombs, err := d.Blocks.Tombstones()
	if err != nil {
		return calendar.PlanInput{}, snap, err
	}
	cfg := st.FocusConfig()
	week := cfg.WeekOf(now)
	sessions, err := d.Log.Sessions(week.Start, now)
	if err != nil {
		return calendar.PlanInput{}, snap, err
	}
	var focused time.Duration
	for i := range sessions {
		s := sessions[i]
		start, end := s.Start, s.End
		if end.IsZero() {
			end = s.LastAlive
		}
		if start.Before(week.Start) {
			start = week.Start
		}
		if end.After(start) {
			focused += end.Sub(start)
		}
	}
	return calendar.PlanInput{
		From:            now,
		Settings:        st.Plan,
		Location:        loc,
		Busy:            snap.Busy,
		OutOfOffice:     snap.OutOfOffice,
		Existing:        existing,
		Tombstones:      tombs,
		FocusedThisWeek: focused,
	}, snap, nil
}

var plannedWithKey = []byte("planned-with")

// plannedWithOther reports whether the stored proposals were made under
// planning settings other than p (false when that is not known yet).
func (d *Data) plannedWithOther(p calendar.PlanSettings) bool {
	var stored []byte
	d.DB.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(settingsBucket); b != nil {
			stored = append([]byte(nil), b.Get(plannedWithKey)...)
		}
		return nil
	})
	if stored == nil {
		return false
	}
	now, err := json.Marshal(p)
	return err == nil && !bytes.Equal(now, stored)
}

// setPlannedWith remembers the planning settings the stored proposals were
// made under.
func (d *Data) setPlannedWith(p calendar.PlanSettings) error {
	v, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return d.DB.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(settingsBucket)
		if err != nil {
			return err
		}
		return b.Put(plannedWithKey, v)
	})
}

// UpcomingBlocks lists the blocks from today to the end of the horizon.
func (d *Data) UpcomingBlocks() ([]calendar.Block, error) {
	now := d.Clock.Now()
	st := d.Settings()
	loc := st.Location()
	y, m, dd := now.In(loc).Date()
	from := time.Date(y, m, dd, 0, 0, 0, 0, loc)
	return d.Blocks.List(from, from.AddDate(0, 0, st.Plan.HorizonDays+1))
}

// NextBlock is the first accepted block that has not ended yet.
func (d *Data) NextBlock() (calendar.Block, bool) {
	blocks, err := d.UpcomingBlocks()
	if err != nil {
		return calendar.Block{}, false
	}
	now := d.Clock.Now()
	for _, b := range blocks {
		if b.State == calendar.StateAccepted && b.End.After(now) {
			return b, true
		}
	}
	return calendar.Block{}, false
}

// AcceptAll accepts every proposed block in the horizon.
func (d *Data) AcceptAll() (int, error) {
	blocks, err := d.UpcomingBlocks()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, b := range blocks {
		if b.State == calendar.StateProposed {
			if _, err := d.Blocks.Accept(b.ID); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// PublishResult is what publishing the accepted blocks did.
type PublishResult struct {
	// ICSFile is the file written, if one is set.
	ICSFile string `json:"ics_file,omitempty"`
	// CalDAV is the CalDAV sync outcome, if a calendar is set.
	CalDAV *calendar.SyncResult `json:"caldav,omitempty"`
}

// accepted lists accepted blocks from eight weeks back to the horizon's
// end, which is what publishers should hold.
func (d *Data) accepted() ([]calendar.Block, error) {
	from, to := d.syncWindow(d.Clock.Now())
	all, err := d.Blocks.List(from, to)
	if err != nil {
		return nil, err
	}
	var out []calendar.Block
	for _, b := range all {
		if b.State == calendar.StateAccepted {
			out = append(out, b)
		}
	}
	return out, nil
}

// AcceptedBlocks lists the accepted blocks publishers hold (for the feed).
func (d *Data) AcceptedBlocks() ([]calendar.Block, error) { return d.accepted() }

// Publish writes the accepted blocks to the ICS file and the CalDAV
// calendar chosen in the settings. Blocks the user deleted on the server are
// tombstoned so they are never planned again.
func (d *Data) Publish(ctx context.Context) (PublishResult, error) {
	st := d.Settings()
	var res PublishResult
	blocks, err := d.accepted()
	if err != nil {
		return res, err
	}
	var errs []error
	if st.ExportICS != "" {
		if err := calendar.ExportBlocksICS(st.ExportICS, blocks, d.Clock.Now()); err != nil {
			errs = append(errs, fmt.Errorf("export %s: %w", st.ExportICS, err))
		} else {
			res.ICSFile = st.ExportICS
		}
	}
	if st.PublishCalDAV != "" {
		pub, shared, err := d.publisher()
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("publish: %w", err))
		case shared:
			sr, err := d.publishShared(ctx, pub)
			res.CalDAV = sr
			if err != nil {
				errs = append(errs, fmt.Errorf("publish: %w", err))
			}
		default:
			sr, err := pub.Sync(ctx, blocks)
			res.CalDAV = &sr
			if err != nil {
				errs = append(errs, fmt.Errorf("publish: %w", err))
			}
			for _, id := range sr.GoneOnServer {
				if _, err := d.Blocks.Delete(id, d.Clock.Now()); err != nil {
					errs = append(errs, fmt.Errorf("block %s deleted on the server: %w", id, err))
				}
			}
		}
	}
	return res, errors.Join(errs...)
}

// publisher is the publisher of the calendar chosen in the settings, and
// whether that calendar shares the plan with the user's other devices
// (sync on).
func (d *Data) publisher() (*calendar.CalDAVPublisher, bool, error) {
	id := d.Settings().PublishCalDAV
	cfg, err := d.Sources.Config(id)
	if err != nil {
		return nil, false, err
	}
	pub, err := d.Sources.Publisher(id)
	return pub, cfg.Sync, err
}

// adoptSharedPlan makes the stored plan the shared one when the calendar
// Lull publishes to has sync on: blocks accepted on another device are
// adopted, blocks skipped there are skipped here (see
// calendar.CalDAVPublisher.Reconcile). It reads the server only; the
// planner then plans around the adopted blocks and counts them toward the
// goal.
func (d *Data) adoptSharedPlan(ctx context.Context) error {
	if d.Settings().PublishCalDAV == "" {
		return nil
	}
	pub, shared, err := d.publisher()
	if err != nil || !shared {
		return err
	}
	_, err = d.reconcile(ctx, pub)
	return err
}

// reconcile runs Reconcile over the stored blocks of the shared window and
// stores its changes.
func (d *Data) reconcile(ctx context.Context, pub *calendar.CalDAVPublisher) (calendar.SharedChanges, error) {
	d.planMu.Lock()
	defer d.planMu.Unlock()
	win := calendar.SharedWindow(d.Clock.Now())
	local, err := d.Blocks.List(win.Start, win.End)
	if err != nil {
		return calendar.SharedChanges{}, err
	}
	ch, err := pub.Reconcile(ctx, local)
	if err != nil || ch.Empty() {
		return ch, err
	}
	if err := d.Blocks.Apply(calendar.Changes{Add: ch.Adopt, Remove: ch.Dropped}); err != nil {
		return ch, fmt.Errorf("shared plan: %w", err)
	}
	for _, id := range ch.Skipped {
		if _, err := d.Blocks.Skip(id); err != nil && !errors.Is(err, calendar.ErrNoSuchBlock) {
			return ch, fmt.Errorf("shared plan: %w", err)
		}
	}
	if len(ch.Adopt) > 0 {
		if err := d.dropOverGoal(pub, win); err != nil {
			return ch, fmt.Errorf("shared plan: %w", err)
		}
	}
	return ch, nil
}

// dropOverGoal withdraws blocks accepted on this device but not published
// yet from weeks whose accepted focus, with what was just adopted from
// another device, exceeds the weekly goal: both devices planned that week
// at the same moment and the one that published first wins; the latest
// such blocks go first. Published blocks and blocks already begun stay.
func (d *Data) dropOverGoal(pub *calendar.CalDAVPublisher, win calendar.Interval) error {
	st := d.Settings()
	loc, goal, now := st.Location(), st.Plan.WeeklyGoal, d.Clock.Now()
	published, err := pub.PublishedIDs()
	if err != nil {
		return err
	}
	local, err := d.Blocks.List(win.Start, win.End)
	if err != nil {
		return err
	}
	total := map[[2]int]time.Duration{}
	pending := map[[2]int][]calendar.Block{}
	for _, b := range local {
		if b.State != calendar.StateAccepted {
			continue
		}
		y, w := b.Start.In(loc).ISOWeek()
		k := [2]int{y, w}
		total[k] += b.Duration()
		if !published[b.ID] && b.Start.After(now) {
			pending[k] = append(pending[k], b)
		}
	}
	var drop []calendar.Block
	for k, blocks := range pending {
		for i := len(blocks) - 1; i >= 0 && total[k] > goal; i-- {
			drop = append(drop, blocks[i])
			total[k] -= blocks[i].Duration()
		}
	}
	if len(drop) == 0 {
		return nil
	}
	return d.Blocks.Apply(calendar.Changes{Remove: drop})
}

// publishShared publishes to a calendar shared with other devices: under
// the planner lease it re-reads the shared plan (what another device wrote
// a moment ago wins), then writes this device's accepted blocks, and gives
// the lease up. Without the lease (another device is writing) it writes
// nothing and says so with calendar.ErrPlannerBusy; the changes stay
// stored and go out at the next publish.
func (d *Data) publishShared(ctx context.Context, pub *calendar.CalDAVPublisher) (*calendar.SyncResult, error) {
	lease, err := pub.AcquirePlanner(ctx)
	if err != nil {
		return nil, err
	}
	defer pub.ReleasePlanner(context.WithoutCancel(ctx), lease)
	if _, err := d.reconcile(ctx, pub); err != nil {
		return nil, err
	}
	if d.beforeSharedWrite != nil {
		d.beforeSharedWrite()
	}
	now := d.Clock.Now()
	from, _ := d.syncWindow(now)
	all, err := d.Blocks.List(from, calendar.SharedWindow(now).End)
	if err != nil {
		return nil, err
	}
	var blocks []calendar.Block
	for _, b := range all {
		if b.State == calendar.StateAccepted {
			blocks = append(blocks, b)
		}
	}
	sr, err := pub.Sync(ctx, blocks)
	var errs []error
	if err != nil {
		errs = append(errs, err)
	}
	for _, id := range sr.GoneOnServer {
		// Gone from the shared calendar: skipped on another device or
		// deleted in a calendar app; either way not planned again.
		if _, err := d.Blocks.Skip(id); err != nil && !errors.Is(err, calendar.ErrNoSuchBlock) {
			errs = append(errs, fmt.Errorf("block %s gone from the server: %w", id, err))
		}
	}
	return &sr, errors.Join(errs...)
}

// BusyFiles reads the busy time of calendar files over [from, to) with
// the user's settings (their addresses: declined meetings are free), as
// the sync reads a source: `lull calendar busy FILE` and the plan preview
// (PlanFiles) use it. problems lists the events that were skipped; err is
// set when a file cannot be read or is no calendar.
func BusyFiles(paths []string, st Settings, from, to time.Time, readFile func(string) ([]byte, error)) (calendar.BusyTime, []error, error) {
	var all calendar.BusyTime
	var problems []error
	for _, p := range paths {
		data, err := readFile(p)
		if err != nil {
			return all, problems, fmt.Errorf("calendar %q: %w", p, err)
		}
		bt, err := calendar.ReadBusy(p, data, from, to, st.BusyOptions())
		if err != nil {
			return all, problems, err
		}
		problems = append(problems, bt.Problems...)
		bt.Problems = nil
		all.Add(bt)
	}
	return all, problems, nil
}

// PlanFiles plans focus blocks over calendar files alone, without stored
// sources or blocks: a preview of what Lull would do with them (`lull plan
// --ics`). from is "now" for the plan; days overrides the horizon. The
// notes say why working days got no focus.
func PlanFiles(paths []string, st Settings, from time.Time, days int, readFile func(string) ([]byte, error)) ([]calendar.Block, []calendar.DayNote, []error, error) {
	if days > 0 {
		st.Plan.HorizonDays = days
	}
	loc := st.Location()
	y, m, dd := from.In(loc).Date()
	start := time.Date(y, m, dd, 0, 0, 0, 0, loc)
	end := start.AddDate(0, 0, st.Plan.HorizonDays+1)
	bt, problems, err := BusyFiles(paths, st, start, end, readFile)
	if err != nil {
		return nil, nil, problems, err
	}
	in := calendar.PlanInput{From: from, Settings: st.Plan, Location: loc, Busy: bt.Busy, OutOfOffice: bt.OutOfOffice}
	blocks, err := calendar.Plan(in)
	if err != nil {
		return nil, nil, problems, err
	}
	return blocks, calendar.ExplainDays(in, blocks, bt.AllDay), problems, nil
}
