package service

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/calendar/devsync"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/api"
)

// DeviceName is this device's name in the shared focus log: the
// device-name setting, else the host name.
func (d *Data) DeviceName() string {
	host, _ := os.Hostname()
	return d.Settings().DeviceNameOr(host)
}

// syncSource is the CalDAV calendar sync is on for; ok=false when none.
func (d *Data) syncSource() (calendar.SourceConfig, bool, error) {
	list, err := d.Sources.ListSources()
	if err != nil {
		return calendar.SourceConfig{}, false, err
	}
	for _, si := range list {
		if si.Config.Kind == calendar.SourceCalDAV && si.Config.Sync {
			return si.Config, true, nil
		}
	}
	return calendar.SourceConfig{}, false, nil
}

// SyncStatus is the device sync's state (GET /v1/sync, `lull sync status`).
func (d *Data) SyncStatus() (api.SyncStatus, error) {
	st, err := d.Devices.Status(d.DeviceName())
	if err != nil {
		return st, err
	}
	src, on, err := d.syncSource()
	if err != nil {
		return st, err
	}
	st.On = on
	if on {
		st.Calendar = src.Name
	}
	return st, nil
}

// errSyncOff is the answer to a sync asked for while no calendar has sync
// on.
var errSyncOff = errors.New(`sync is off: switch it on for a CalDAV calendar, e.g. "lull calendar set caldav-1 sync on"`)

// localFocus is this device's focus as the sync tells the others: state
// from the running engine (nil: not running, so not focusing), the last
// change from the log.
func (d *Data) localFocus(eng *focus.Engine, now time.Time) (focusing bool, since, until, changed time.Time, err error) {
	if eng != nil {
		st := eng.State()
		if st.Focusing {
			return true, st.Start, st.PlannedEnd, st.Start, nil
		}
	}
	recent, err := d.Log.Sessions(now.Add(-devsync.MaxSessionSpan), now)
	if err != nil {
		return false, since, until, changed, err
	}
	for _, s := range recent {
		end := s.End
		if end.IsZero() {
			end = s.LastAlive
		}
		if end.After(changed) {
			changed = end
		}
	}
	return false, since, until, changed, nil
}

// syncOnce runs one device sync: this device's finished sessions not
// yet sent and its focus state go out, the others' come in. eng is the
// running focus engine (nil offline).
func (d *Data) syncOnce(ctx context.Context, eng *focus.Engine) (devsync.Result, error) {
	src, on, err := d.syncSource()
	if err != nil || !on {
		if err == nil {
			err = errSyncOff
		}
		return devsync.Result{}, err
	}
	now := d.Clock.Now()
	if err := d.Devices.Init(); err != nil {
		return devsync.Result{}, err
	}
	me := d.Devices.DeviceID()
	swept := d.Devices.Swept()
	var from time.Time
	if !swept.IsZero() {
		from = swept.Add(-time.Second)
	}
	sessions, err := d.Log.Sessions(from, time.Time{})
	if err != nil {
		return devsync.Result{}, err
	}
	loc := devsync.Local{Source: src.ID, DeviceName: d.DeviceName()}
	for _, s := range sessions {
		if s.Outcome == focus.Running || s.End.IsZero() || !s.End.After(s.Start) {
			continue
		}
		loc.Sessions = append(loc.Sessions, devsync.Session{UID: devsync.SessionUID(me, s.ID), Start: s.Start, End: s.End,
			Interruptions: len(s.Interruptions)})
	}
	if loc.Focusing, loc.Since, loc.Until, loc.Changed, err = d.localFocus(eng, now); err != nil {
		return devsync.Result{}, err
	}
	return devsync.New(d.Devices, d.Sources).Sync(ctx, loc, now)
}

// syncDevices runs one device sync (syncOnce), and a second at once when
// the first found the log calendar moved (a pick on another device): that
// one hands every session, so the whole log reaches the new calendar now.
func (d *Data) syncDevices(ctx context.Context, eng *focus.Engine) (devsync.Result, error) {
	res, err := d.syncOnce(ctx, eng)
	if err != nil || !res.LogChanged {
		return res, err
	}
	again, err := d.syncOnce(ctx, eng)
	again.Written += res.Written
	again.Read += res.Read
	again.Requests += res.Requests
	again.LogChanged = true
	if again.Follow == nil {
		again.Follow = res.Follow
	}
	return again, err
}

// logSyncSource is the synced CalDAV calendar for the log-calendar pick;
// a bad request while sync is off.
func (d *Data) logSyncSource() (calendar.SourceConfig, error) {
	src, on, err := d.syncSource()
	if err == nil && !on {
		err = api.BadRequest("%v", errSyncOff)
	}
	return src, err
}

// LogCalendars lists the calendars the shared focus log may go to, the
// current one marked (GET /v1/sync/log-calendars, `lull sync
// log-calendar`).
func (d *Data) LogCalendars(ctx context.Context) ([]api.LogCalendar, error) {
	src, err := d.logSyncSource()
	if err != nil {
		return nil, err
	}
	list, err := devsync.New(d.Devices, d.Sources).LogCalendars(ctx, src.ID)
	if err != nil {
		return nil, fmt.Errorf("calendars for the focus log: %w", err)
	}
	return list, nil
}

// PickLogCalendar makes the calendar req names the focus log of every
// device (POST /v1/sync/log-calendar, `lull sync log-calendar NAME`); this
// device's whole log goes there at its next sync.
func (d *Data) PickLogCalendar(ctx context.Context, req api.PickLogCalendar) (api.LogCalendar, error) {
	src, err := d.logSyncSource()
	if err != nil {
		return api.LogCalendar{}, err
	}
	got, err := devsync.New(d.Devices, d.Sources).SetLogCalendar(ctx, src.ID, req.Calendar, d.Clock.Now())
	if errors.Is(err, devsync.ErrNoSuchLogCalendar) {
		return got, api.BadRequest("%v", err)
	}
	return got, err
}

// SyncDevices syncs now offline (`lull sync` with no Lull running): no
// focus to follow.
func (d *Data) SyncDevices(ctx context.Context) (api.SyncStatus, error) {
	_, err := d.syncDevices(ctx, nil)
	if errors.Is(err, errSyncOff) {
		return api.SyncStatus{}, api.BadRequest("%v", err)
	}
	st, serr := d.SyncStatus()
	if err != nil {
		return st, fmt.Errorf("sync: %w", err)
	}
	return st, serr
}

// remoteSessions adapts the other devices' stored sessions to the report.
type remoteSessions struct{ st *devsync.Store }

// RemoteSessions implements focus.RemoteSource.
func (r remoteSessions) RemoteSessions(from, to time.Time) ([]focus.RemoteSession, error) {
	got, err := r.st.Remote(from, to)
	if err != nil {
		return nil, err
	}
	// A device renamed since it wrote older sessions is one device, under
	// its latest name.
	names := map[string]string{}
	devs, err := r.st.Devices()
	if err != nil {
		return nil, err
	}
	for _, d := range devs {
		names[d.Device] = d.DeviceName
	}
	out := make([]focus.RemoteSession, len(got))
	for i, s := range got {
		name := s.DeviceName
		if n := names[s.Device]; n != "" {
			name = n
		}
		out[i] = focus.RemoteSession{Device: name, Start: s.Start, End: s.End, Interruptions: s.Interruptions}
	}
	return out, nil
}

// SyncDevices syncs now and, with focus-follows on, starts or stops focus
// to match the newest change on another device.
func (s *Service) SyncDevices(ctx context.Context) (api.SyncStatus, error) {
	s.devMu.Lock()
	res, err := s.syncDevices(ctx, s.Focus)
	if err == nil && res.Follow != nil && s.Settings().FocusFollows {
		s.follow(*res.Follow)
	}
	s.devMu.Unlock()
	if errors.Is(err, errSyncOff) {
		return api.SyncStatus{}, api.BadRequest("%v", err)
	}
	st, serr := s.SyncStatus()
	if err != nil {
		return st, fmt.Errorf("sync: %w", err)
	}
	if res.Read > 0 {
		// Other devices' sessions change the report.
		s.emit(Event{Kind: CalendarsChanged})
	}
	return st, serr
}

// follow starts or stops focus here as another device did.
func (s *Service) follow(remote devsync.State) {
	now := s.Clock.Now()
	cur := s.Focus.State()
	switch {
	case remote.Focusing && !cur.Focusing && remote.Until.IsZero():
		_, err := s.Focus.StartOpen()
		s.followed(remote, err)
	case remote.Focusing && !cur.Focusing && remote.Until.After(now.Add(time.Minute)):
		_, err := s.Focus.Start(remote.Until.Sub(now).Round(time.Second))
		s.followed(remote, err)
	case !remote.Focusing && cur.Focusing:
		_, err := s.Focus.Stop()
		s.followed(remote, err)
	}
}

func (s *Service) followed(remote devsync.State, err error) {
	if err != nil {
		s.problem(fmt.Errorf("focus follows you (from %s): %w", remote.DeviceName, err))
	}
}

// kickDeviceSync syncs devices now, in the background, when sync is on: a
// focus change goes out at once instead of at the next period, so the
// other devices follow at their next sync.
func (s *Service) kickDeviceSync() {
	if s.opts.SyncInterval <= 0 {
		return
	}
	s.background(func() {
		if _, on, _ := s.syncSource(); !on || s.ctx.Err() != nil {
			return
		}
		if _, err := s.SyncDevices(s.ctx); err != nil && s.ctx.Err() == nil {
			s.opts.Logf("%v", err)
		}
	})
}

// deviceSyncLoop syncs devices every devsync.Period while sync is on (it
// does nothing while it is off) until the service closes.
func (s *Service) deviceSyncLoop() {
	if s.ctx.Err() != nil {
		return
	}
	if _, on, _ := s.syncSource(); on {
		if _, err := s.SyncDevices(s.ctx); err != nil && s.ctx.Err() == nil {
			s.opts.Logf("%v", err)
		}
	}
	s.timerMu.Lock()
	defer s.timerMu.Unlock()
	if s.ctx.Err() != nil {
		return
	}
	s.devTimer = s.Clock.AfterFunc(devsync.Period, func() { s.background(s.deviceSyncLoop) })
}

// PickLogCalendar is Data.PickLogCalendar while no device sync runs;
// the new calendar gets this device's log at a sync started at once.
func (s *Service) PickLogCalendar(ctx context.Context, req api.PickLogCalendar) (api.LogCalendar, error) {
	s.devMu.Lock()
	got, err := s.Data.PickLogCalendar(ctx, req)
	s.devMu.Unlock()
	if err == nil {
		s.kickDeviceSync()
	}
	return got, err
}

// syncHandlers are the device sync's handlers (api.RouteSyncStatus,
// api.RouteSyncNow, api.RouteLogCalendars, api.RoutePickLogCalendar).
func (s *Service) syncHandlers() map[string]http.Handler {
	return map[string]http.Handler{
		api.RouteSyncStatus:   answer(func(r *http.Request) (any, error) { return s.SyncStatus() }),
		api.RouteSyncNow:      answer(func(r *http.Request) (any, error) { return s.SyncDevices(r.Context()) }),
		api.RouteLogCalendars: answer(func(r *http.Request) (any, error) { return s.LogCalendars(r.Context()) }),
		api.RoutePickLogCalendar: answer(func(r *http.Request) (any, error) {
			var req api.PickLogCalendar
			if err := decode(r, &req); err != nil {
				return nil, err
			}
			return s.PickLogCalendar(r.Context(), req)
		}),
	}
}
