package service

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/lullapp/lull/app/winproc"
	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/hook"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/human"
	"github.com/lullapp/lull/internal/localapi"
	"github.com/lullapp/lull/notify"
)

// DefaultSyncInterval is how often calendars are re-read and the plan
// refreshed while Lull runs.
const DefaultSyncInterval = 15 * time.Minute

// apiCloseTimeout bounds how long Close waits for the local API's running
// requests (a calendar sync, say): quitting Lull must not hang on them.
// Event streams end at once (their handlers watch the service closing).
const apiCloseTimeout = 2 * time.Second

// Options configure the running service.
type Options struct {
	DataOptions
	// Version is reported by GET /v1/status.
	Version string
	// Sender shows OS notifications (digests, breakthroughs). Nil shows
	// nothing.
	Sender notify.Sender
	// DND enters and leaves the desktop's do-not-disturb. Nil: none.
	DND notify.DND
	// MakeDND, when set and DND is nil, builds the adapter from the stored
	// settings' choice ("auto", "off", a name).
	MakeDND func(setting string) notify.DND
	// Closer closes held desktop originals. Nil: none.
	Closer notify.Closer
	// NoticeSender shows Lull's notices about itself (no tray, no window)
	// with no click action. Nil: Sender.
	NoticeSender notify.Sender
	// ShowWindow, when set, starts the window process for r unless one
	// runs, and reports whether it started one (winproc.Launcher.Show).
	// When it did not, the running window is told by an event. Nil: every
	// request is an event (a window in this process, tests).
	ShowWindow func(r winproc.Request) (started bool, err error)
	// Quit stops the resident process (POST /v1/quit: the window's "Quit
	// Lull" on a desktop without a tray); it must not wait for the
	// service to close, which waits for the request. Nil: Lull cannot be
	// stopped over the API.
	Quit func()
	// TrayHost says whether the desktop shows tray icons (nil: it does).
	// Without them, Lull says so once after a grace period and starts the
	// window minimised; TrayAvailable tells the window, which then
	// minimises on close instead of hiding.
	TrayHost TrayHost
	// Fullscreen, when set, watches whether the active window is
	// fullscreen until ctx ends, calling changed at once with the state
	// and again at every change (Linux: fullscreen.Watch on X11). An
	// error means it cannot tell (no X11 display): presenting is then
	// only what the user says.
	Fullscreen func(ctx context.Context, changed func(on bool)) error
	// Capture, when set, captures desktop notifications and hands them to
	// sub until ctx ends (Linux: notify.StartCapture). The service runs it
	// while the capture setting is on, and starts or stops it as soon as
	// the setting changes.
	Capture func(ctx context.Context, sub notify.Submitter) error
	// TokenKeyring keeps the API token (default: the OS keyring through
	// go-keyring, falling back to a 0600 file).
	TokenKeyring localapi.Keyring
	// NoAPI skips the local API (tests of the wiring alone).
	NoAPI bool
	// SyncInterval defaults to DefaultSyncInterval; negative disables the
	// periodic sync (tests drive it by hand).
	SyncInterval time.Duration
	// EventHeartbeat is how often an idle event stream carries a heartbeat
	// (default api.HeartbeatInterval; tests shorten it).
	EventHeartbeat time.Duration
	// Logf receives background errors (default: stderr).
	Logf func(format string, args ...any)

	// desktop holds what StartDesktop opened; Close closes it.
	desktop *desktopLinks
}

// EventKind says what changed.
type EventKind int

// What a subscriber is told about.
const (
	// FocusChanged: focus started, stopped or was extended.
	FocusChanged EventKind = iota + 1
	// PlanChanged: blocks were planned, accepted, skipped or moved.
	PlanChanged
	// HeldChanged: a notification was held or a digest delivered.
	HeldChanged
	// CalendarsChanged: a source was added, removed or synced.
	CalendarsChanged
	// ShowWindow: someone (a second `lull`, the tray) asked to show the
	// window that runs; Tab names the tab to show ("" leaves it).
	ShowWindow
	// Problem: background work failed; Err says how.
	Problem
	// ShowDigest: the user clicked a digest notification; show the Digest
	// tab.
	ShowDigest
	// SettingsChanged: settings were saved (window, command line or API)
	// and the running schedules and rules follow them now.
	SettingsChanged
	// DigestDelivered: a digest was delivered; Digest is its ID.
	DigestDelivered
	// TrayChanged: the desktop started or stopped showing tray icons
	// (TrayAvailable).
	TrayChanged
	// MeetingChanged: a meeting began or ended, or its quiet stretch
	// changed (Quiet).
	MeetingChanged
	// PresentingChanged: presenting began or ended (Quiet).
	PresentingChanged
)

// Event is one change, delivered to each subscriber in order on a
// goroutine of its own (see Subscribe); the UI hands it to fyne.Do.
type Event struct {
	Kind  EventKind
	Focus focus.State
	Err   error
	// Digest is the digest a DigestDelivered event is about.
	Digest string
	// Tab is the tab a ShowWindow or ShowDigest event asks for
	// (winproc.TabDigest, winproc.TabReport or "").
	Tab string
	// Quiet is the quiet state a MeetingChanged or PresentingChanged
	// event is about.
	Quiet QuietState
	// Seq numbers the events in the order they were emitted, from 1
	// (EventSeq); emit sets it.
	Seq uint64
}

// Service is the running application without its UI: the database, the
// focus engine, the notification pipeline, calendar sync and the local API.
type Service struct {
	*Data
	Focus  *focus.Engine
	Notify *notify.Service

	opts        Options
	api         *localapi.Server
	tokenStore  localapi.TokenStore
	tokenNotice string
	started     time.Time

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// cued is the last session told ended by cueEnd (once per session).
	cueMu sync.Mutex
	cued  string

	// hooks runs the user's hooks (hooks.go).
	hooks hookState

	subMu  sync.Mutex
	subs   map[int]*subscriber
	nextID int
	// seq is the number of the last event emitted (Event.Seq).
	seq uint64
	// streams counts the open event streams (GET /v1/events).
	streams atomic.Int32

	// Three locks, so no request waits on the network unless it asked for
	// the network: fetchMu is held while calendars are fetched (up to the
	// sources' operation time each), planMu while the plan is recomputed
	// (local and quick), publishMu while blocks are published (network,
	// bounded the same way). Reading state (status, calendars, the plan)
	// takes none of them.
	fetchMu   sync.Mutex
	planMu    sync.Mutex
	publishMu sync.Mutex
	timerMu   sync.Mutex
	syncTimer clock.Timer
	fileTimer clock.Timer
	// devMu is held while devices sync (one sync at a time, network
	// bounded by the CalDAV source's limits); devTimer is the next one.
	devMu    sync.Mutex
	devTimer clock.Timer

	// The desktop's tray host (watchTray): present now, the no-tray
	// notice sent, and what stops the watch and the grace timer.
	trayMu        sync.Mutex
	trayPresent   bool
	trayTold      bool
	stopTrayWatch func()
	trayTimer     clock.Timer

	quiet quietTracker

	captureMu   sync.Mutex
	stopCapture context.CancelFunc // nil while capture is off

	watcher       *fsnotify.Watcher
	watchMu       sync.Mutex
	watchDirs     map[string]bool
	watchFilesSet map[string]bool
	closeOnce     sync.Once
	closeErr      error
}

// Start opens the data (failing with store.ErrLocked when another
// instance holds it), starts focus and notify, and serves the local API.
func Start(ctx context.Context, opts Options) (*Service, error) {
	if opts.Logf == nil {
		opts.Logf = func(format string, args ...any) { fmt.Fprintf(os.Stderr, "lull: "+format+"\n", args...) }
	}
	if opts.SyncInterval == 0 {
		opts.SyncInterval = DefaultSyncInterval
	}
	if opts.EventHeartbeat == 0 {
		opts.EventHeartbeat = api.HeartbeatInterval
	}
	d, err := OpenData(opts.DataOptions)
	if err != nil {
		return nil, err
	}
	s := &Service{Data: d, opts: opts, subs: map[int]*subscriber{}, started: d.Clock.Now()}
	s.ctx, s.cancel = context.WithCancel(ctx)
	fail := func(err error) (*Service, error) {
		s.Close()
		return nil, err
	}
	cfg := d.FocusConfig()
	cfg.OnError = func(err error) { s.problem(fmt.Errorf("focus: %w", err)) }
	if s.Focus, err = focus.Open(d.DB, d.Clock, cfg, d.Deps(d.Queue)); err != nil {
		return fail(err)
	}
	if err := s.startHooks(); err != nil {
		return fail(err)
	}
	ncfg, err := d.Settings().NotifyConfig()
	if err != nil {
		return fail(err)
	}
	if opts.DND == nil && opts.MakeDND != nil {
		opts.DND = opts.MakeDND(d.Settings().DND)
	}
	opts.DND = wrapDND(opts.DND, d)
	var sender notify.Sender
	if opts.Sender != nil {
		sender = eventSender{opts.Sender, s}
	}
	s.Notify, err = notify.New(notify.Deps{
		DB:            d.DB,
		Queue:         d.Queue,
		Clock:         d.Clock,
		Focus:         s.Focus,
		Interruptions: interruptions{s.Focus},
		Sender:        sender,
		DND:           opts.DND,
		Closer:        opts.Closer,
		Logf:          opts.Logf,
		Delivered: func(d notify.Digest) {
			s.emit(Event{Kind: DigestDelivered, Digest: d.ID})
			s.digestHook(d)
		},
		BrokeThrough: s.breakthroughHook,
	}, ncfg)
	if err != nil {
		return fail(err)
	}
	s.Focus.Subscribe(func(st focus.State) {
		if st.Focusing {
			s.Notify.FocusStarted()
		} else {
			s.Notify.FocusEnded(s.Clock.Now().Sub(st.Start))
			s.cueEnd(st)
		}
		s.focusHook(st)
		s.emit(Event{Kind: FocusChanged, Focus: st})
		s.kickDeviceSync()
	})
	// A run killed during focus left do-not-disturb on: undo it first.
	s.recoverDND(opts.DND)
	// A block may have started focus while the engine opened. (Not
	// focusing at start is no focus end: no digest for it.)
	if st := s.Focus.State(); st.Focusing {
		s.Notify.FocusStarted()
		s.focusHook(st)
	}
	if err := s.Notify.Start(s.ctx); err != nil {
		return fail(err)
	}
	if err := s.startQuiet(); err != nil {
		return fail(err)
	}
	// From now on every saved setting reaches the running parts at once.
	d.setOnSave(s.applySettings)
	s.setCapture(d.Settings().Capture)
	s.watchTray()
	if !opts.NoAPI {
		if err := s.startAPI(); err != nil {
			return fail(err)
		}
	}
	if err := s.watchFiles(); err != nil {
		s.opts.Logf("calendar files will be re-read every %s only: %v", opts.SyncInterval, err)
	}
	if opts.SyncInterval > 0 {
		s.background(s.syncAndSchedule)
		s.background(s.deviceSyncLoop)
	}
	s.reportStartProblems()
	return s, nil
}

// reportStartProblems tells the user, once, what opening the data found
// wrong and worked around: in the log and as an OS notification (the
// window may be hidden to the tray); `lull status` lists them while this
// run lasts.
func (s *Service) reportStartProblems() {
	for _, p := range s.Problems() {
		s.opts.Logf("%v", p)
		if s.opts.Sender == nil {
			continue
		}
		if err := s.opts.Sender.Send(notify.Message{Title: "Lull — " + startProblemTitle(p), Body: p.Error()}); err != nil {
			s.opts.Logf("show start-up problem: %v", err)
		}
	}
}

// startProblemTitle is the notification title for a start-up problem.
func startProblemTitle(p error) string {
	if errors.Is(p, notify.ErrJournalDamaged) {
		return "damaged notification journal"
	}
	return "a problem with your data"
}

func (s *Service) startAPI() error {
	kr := s.opts.TokenKeyring
	if kr == nil {
		kr = localapi.OSKeyring{Timeout: 3 * time.Second}
	}
	token, where, notice, err := localapi.LoadOrCreateToken(kr, s.Dir)
	if err != nil {
		return fmt.Errorf("local API token: %w", err)
	}
	s.tokenStore, s.tokenNotice = where, notice
	if notice != "" {
		s.opts.Logf("%s", notice)
	}
	s.api = localapi.NewServer(token)
	if err := s.mount(s.api); err != nil {
		return err
	}
	if err := s.api.Start(); err != nil {
		return fmt.Errorf("local API: %w", err)
	}
	return localapi.WriteDiscovery(s.Dir, localapi.Discovery{
		Port: s.api.Port(), Token: token, PID: os.Getpid(), Version: s.opts.Version,
	})
}

// APIPort is the local API's port (0 without the API).
func (s *Service) APIPort() int {
	if s.api == nil {
		return 0
	}
	return s.api.Port()
}

// TokenStore says where the API token is kept, and TokenNotice what the
// user was told when it could not go to the keyring.
func (s *Service) TokenStore() (localapi.TokenStore, string) { return s.tokenStore, s.tokenNotice }

// Subscribe registers f for every Event; the returned func unsubscribes.
// f runs on a goroutine of its own, one event at a time and in order, and
// never holds up whoever emitted the event; events of one kind that pile up
// while f runs reach it as one, the latest (see subscriber).
func (s *Service) Subscribe(f func(Event)) func() {
	unsub, _ := s.subscribe(f)
	return unsub
}

// subscribe is Subscribe, also returning the Seq of the last event emitted
// before f was registered: f receives every event after it.
func (s *Service) subscribe(f func(Event)) (unsub func(), seq uint64) {
	sub := newSubscriber(f)
	s.subMu.Lock()
	defer s.subMu.Unlock()
	id := s.nextID
	s.nextID++
	s.subs[id] = sub
	return func() {
		s.subMu.Lock()
		delete(s.subs, id)
		s.subMu.Unlock()
		sub.close()
	}, s.seq
}

// EventSeq is the Seq of the last event emitted (0 before the first). A
// client of the event stream that has seen it, after Flush, has been told
// of everything up to now: tests wait for that.
func (s *Service) EventSeq() uint64 {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	return s.seq
}

// emit numbers e and hands it to every subscriber without waiting for any
// of them.
func (s *Service) emit(e Event) {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	s.seq++
	e.Seq = s.seq
	for _, sub := range s.subs {
		sub.post(e)
	}
}

func (s *Service) problem(err error) {
	s.opts.Logf("%v", err)
	s.emit(Event{Kind: Problem, Err: err})
}

// SyncNow reads every calendar, re-plans and publishes, then tells
// subscribers. Errors of single sources are in the report, not err. Only
// another sync waits for its fetching; a re-plan or a status request does
// not.
func (s *Service) SyncNow(ctx context.Context) (SyncReport, PlanResult, error) {
	s.fetchMu.Lock()
	rep, err := s.SyncCalendars(ctx)
	s.fetchMu.Unlock()
	s.refreshQuiet() // the meetings may have changed
	s.emit(Event{Kind: CalendarsChanged})
	if err != nil {
		return rep, PlanResult{}, err
	}
	plan, err := s.ReplanDays(ctx, false, 0)
	return rep, plan, err
}

// Replan re-plans from the stored busy time and publishes.
func (s *Service) Replan(ctx context.Context, dryRun bool) (PlanResult, error) {
	return s.ReplanDays(ctx, dryRun, 0)
}

// ReplanDays is Replan with the horizon overridden by days (0: setting).
func (s *Service) ReplanDays(ctx context.Context, dryRun bool, days int) (PlanResult, error) {
	s.planMu.Lock()
	res, err := s.Data.ReplanWith(dryRun, days)
	s.planMu.Unlock()
	if err != nil || dryRun {
		return res, err
	}
	s.blocksChanged(ctx)
	return res, nil
}

// blocksChanged tells focus and the publishers that blocks changed.
func (s *Service) blocksChanged(ctx context.Context) {
	if err := s.Focus.Refresh(); err != nil {
		s.problem(fmt.Errorf("focus: %w", err))
	}
	s.publishMu.Lock()
	_, err := s.Publish(ctx)
	s.publishMu.Unlock()
	switch {
	case errors.Is(err, calendar.ErrPlannerBusy):
		// Another device is writing the shared plan: not a problem; the
		// changes stay stored and go out shortly.
		s.opts.Logf("%v", err)
		s.Clock.AfterFunc(plannerRetryDelay, func() { s.background(func() { s.blocksChanged(s.ctx) }) })
	case err != nil:
		s.problem(err)
	}
	s.emit(Event{Kind: PlanChanged})
}

// plannerRetryDelay is how long after finding the shared plan being
// written by another device (calendar.ErrPlannerBusy) the resident tries
// to publish again: that device's publish takes a second or two, so the
// user's accept or skip reaches the server within seconds rather than at
// the next sync, without asking the server more than six times a minute
// while a device that died holding the lease keeps it
// (calendar.PlannerLeaseTTL).
const plannerRetryDelay = 10 * time.Second

// Accept accepts a proposed block and publishes it.
func (s *Service) Accept(ctx context.Context, id string) (calendar.Block, error) {
	b, err := s.Blocks.Accept(id)
	if err != nil {
		return b, err
	}
	s.blocksChanged(ctx)
	s.planHook([]calendar.Block{b}, nil)
	return b, nil
}

// Skip skips a block (it is removed from the calendars it was published to).
func (s *Service) Skip(ctx context.Context, id string) (calendar.Block, error) {
	b, err := s.Blocks.Skip(id)
	if err != nil {
		return b, err
	}
	s.blocksChanged(ctx)
	s.planHook(nil, []calendar.Block{b})
	return b, nil
}

// AcceptAll accepts every proposal in the horizon.
func (s *Service) AcceptAll(ctx context.Context) (int, error) {
	var proposed []calendar.Block
	if s.wantsHook(hook.PlanChanged) {
		blocks, _ := s.UpcomingBlocks()
		for _, b := range blocks {
			if b.State == calendar.StateProposed {
				proposed = append(proposed, b)
			}
		}
	}
	n, err := s.Data.AcceptAll()
	if n > 0 {
		s.blocksChanged(ctx)
		s.planHook(proposed[:min(n, len(proposed))], nil)
	}
	return n, err
}

// AddSource adds a calendar, then reads it and re-plans in the background
// so its busy time counts at once.
func (s *Service) AddSource(ctx context.Context, req AddSource) (calendar.SourceConfig, error) {
	cfg, err := s.Data.AddSource(ctx, req)
	if err != nil {
		return cfg, err
	}
	s.refreshWatch()
	s.emit(Event{Kind: CalendarsChanged})
	s.background(func() {
		if _, _, err := s.SyncNow(s.ctx); err != nil {
			s.problem(err)
		}
	})
	return cfg, nil
}

// ChangeSource changes a calendar's settings, then reads the calendars and
// re-plans in the background so the change counts at once.
func (s *Service) ChangeSource(id string, ch SourceChange) (calendar.SourceConfig, error) {
	cfg, err := s.Data.ChangeSource(id, ch)
	if err != nil {
		return cfg, err
	}
	s.emit(Event{Kind: CalendarsChanged})
	s.background(func() {
		if _, _, err := s.SyncNow(s.ctx); err != nil {
			s.problem(err)
		}
	})
	return cfg, nil
}

// RemoveSource removes a calendar and re-plans without it.
func (s *Service) RemoveSource(id string) error {
	if err := s.Data.RemoveSource(id); err != nil {
		return err
	}
	s.refreshWatch()
	s.emit(Event{Kind: CalendarsChanged})
	s.background(func() {
		if _, _, err := s.SyncNow(s.ctx); err != nil {
			s.problem(err)
		}
	})
	return nil
}

// SaveSettings stores st, applies it to the running service at once
// (applySettings) and re-plans with it in the background.
func (s *Service) SaveSettings(st Settings) error {
	if err := s.Data.SaveSettings(st); err != nil {
		return err
	}
	s.background(func() {
		if _, _, err := s.SyncNow(s.ctx); err != nil {
			s.problem(err)
		}
	})
	return nil
}

// applySettings makes the running service follow changed settings, as
// soon as they are stored (whoever stored them: the window, the command
// line, the API, onboarding): the focus engine's zone, goal and daily
// maximum; the digest times, zone and breakthrough rules (VIP, keywords,
// all-day batching); the do-not-disturb adapter; desktop capture. Planning
// settings, your addresses and the publishing targets take effect with the
// re-plan SaveSettings starts.
func (s *Service) applySettings(old, st Settings) {
	s.Focus.SetConfig(st.FocusConfig())
	if ncfg, err := st.NotifyConfig(); err == nil {
		s.Notify.SetConfig(ncfg)
	} else {
		s.problem(fmt.Errorf("notification settings: %w", err))
	}
	if st.DND != old.DND && s.opts.MakeDND != nil {
		s.Notify.SetDND(wrapDND(s.opts.MakeDND(st.DND), s.Data))
	}
	if st.Capture != old.Capture {
		s.setCapture(st.Capture)
	}
	if st.HoldInMeetings != old.HoldInMeetings {
		s.refreshQuiet()
	}
	s.emit(Event{Kind: SettingsChanged})
}

// setCapture starts or stops desktop capture (Options.Capture).
func (s *Service) setCapture(on bool) {
	if s.opts.Capture == nil {
		return
	}
	s.captureMu.Lock()
	defer s.captureMu.Unlock()
	if !on || s.ctx.Err() != nil {
		if s.stopCapture != nil {
			s.stopCapture()
			s.stopCapture = nil
		}
		return
	}
	if s.stopCapture != nil {
		return
	}
	ctx, cancel := context.WithCancel(s.ctx)
	if err := s.opts.Capture(ctx, s.Submitter()); err != nil {
		cancel()
		s.problem(fmt.Errorf("desktop notification capture is off: %w", err))
		return
	}
	s.stopCapture = cancel
}

// CaptureOn reports whether desktop capture runs.
func (s *Service) CaptureOn() bool {
	s.captureMu.Lock()
	defer s.captureMu.Unlock()
	return s.stopCapture != nil
}

func (s *Service) syncAndSchedule() {
	if s.ctx.Err() != nil {
		return
	}
	rep, _, err := s.SyncNow(s.ctx)
	if err != nil {
		s.problem(err)
	}
	for _, src := range rep.Sources {
		if src.Error != "" && s.ctx.Err() == nil {
			s.opts.Logf("calendar %q: %s", src.Name, src.Error)
		}
	}
	s.timerMu.Lock()
	defer s.timerMu.Unlock()
	if s.ctx.Err() != nil {
		return
	}
	s.syncTimer = s.Clock.AfterFunc(s.opts.SyncInterval, func() { s.background(s.syncAndSchedule) })
}

// background runs f on a goroutine Close waits for, unless closing began.
func (s *Service) background(f func()) {
	s.timerMu.Lock()
	defer s.timerMu.Unlock()
	if s.ctx.Err() != nil {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
}

// Close stops the API, the schedulers and closes the database, in that
// order, so nothing writes after the file is closed.
func (s *Service) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		// The window first: with the API gone it would only say that
		// Lull stopped.
		s.opts.desktop.closeWindow()
		if s.cancel != nil {
			s.cancel()
		}
		s.timerMu.Lock()
		if s.syncTimer != nil {
			s.syncTimer.Stop()
		}
		if s.fileTimer != nil {
			s.fileTimer.Stop()
		}
		if s.devTimer != nil {
			s.devTimer.Stop()
		}
		if s.trayTimer != nil {
			s.trayTimer.Stop()
		}
		s.timerMu.Unlock()
		s.stopQuiet()
		if s.stopTrayWatch != nil {
			s.stopTrayWatch()
		}
		if s.api != nil {
			ctx, cancel := context.WithTimeout(context.Background(), apiCloseTimeout)
			if err := s.api.Close(ctx); errors.Is(err, context.DeadlineExceeded) {
				s.opts.Logf("local API: requests still running after %s were cut off", human.Duration(apiCloseTimeout))
			} else if err != nil {
				errs = append(errs, err)
			}
			cancel()
			if err := localapi.RemoveDiscovery(s.Dir, os.Getpid()); err != nil {
				errs = append(errs, err)
			}
		}
		s.wg.Wait()
		if s.Notify != nil {
			errs = append(errs, s.Notify.Close())
		}
		if s.Focus != nil {
			errs = append(errs, s.Focus.Close())
		}
		s.closeHooks()
		errs = append(errs, s.Data.Close())
		s.opts.desktop.close()
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// Submitter is what desktop capture hands notifications to: the
// notification service, telling subscribers that the held queue changed.
func (s *Service) Submitter() notify.Submitter { return announcingSubmitter{s} }

type announcingSubmitter struct{ s *Service }

func (a announcingSubmitter) Submit(ctx context.Context, ns []notify.Notification) ([]notify.Result, error) {
	res, err := a.s.Notify.Submit(ctx, ns)
	a.s.emit(Event{Kind: HeldChanged})
	return res, err
}

// interruptions records notify's breakthroughs against the focus session.
type interruptions struct{ e *focus.Engine }

func (i interruptions) RecordInterruption(in notify.Interruption) {
	i.e.RecordInterruption(focus.Interruption{ID: in.NotificationID, Source: in.Source, Title: in.Title, At: in.At, Reason: in.Reason})
}

// eventSender tells subscribers when a digest or breakthrough was shown.
type eventSender struct {
	next notify.Sender
	s    *Service
}

func (e eventSender) Send(m notify.Message) error {
	err := e.next.Send(m)
	e.s.emit(Event{Kind: HeldChanged})
	return err
}

// MarkAllRead marks every delivered digest read; it returns how many had
// unread items.
func (s *Service) MarkAllRead() (int, error) {
	digests, err := s.Notify.ListDigests(time.Unix(0, 0), s.Clock.Now().Add(time.Second), 0)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range digests {
		if slices.ContainsFunc(d.Items, func(it notify.Item) bool { return !it.Read }) {
			if err := s.Notify.MarkRead(d.ID, ""); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}
