package notify

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/store"
)

// DefaultDigestTimes are the clock times of the scheduled digests.
var DefaultDigestTimes = []TimeOfDay{{9, 0}, {12, 30}, {16, 30}}

// TimeOfDay is a wall-clock time in the user's zone.
type TimeOfDay struct{ Hour, Minute int }

// ParseTimeOfDay reads "HH:MM".
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return TimeOfDay{}, fmt.Errorf("digest time %q: want HH:MM: %w", s, err)
	}
	return TimeOfDay{t.Hour(), t.Minute()}, nil
}

// String formats the time as "HH:MM".
func (t TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", t.Hour, t.Minute) }

// Config is the user's notification settings.
type Config struct {
	// Location is the user's zone for digest times and day counters
	// (default time.Local).
	Location *time.Location
	// DigestTimes default to DefaultDigestTimes.
	DigestTimes []TimeOfDay
	// Rules are the breakthrough rules.
	Rules Rules
}

// Deps are the Service's collaborators. DB, Clock and Focus are required;
// the others may be nil (no interruptions recorded, nothing shown, no DND,
// nothing closed).
type Deps struct {
	DB *store.DB
	// Queue is the queue already open on DB, when the caller holds one
	// (there must be only one per database: it owns the journal); nil
	// opens one, which Close then closes.
	Queue         *Queue
	Clock         clock.Clock
	Focus         FocusState
	Interruptions InterruptionSink
	Sender        Sender
	DND           DND
	Closer        Closer
	// Logf reports problems that have no caller to return to (a failed
	// Sender in a timer); default discards.
	Logf func(format string, args ...any)
}

// Service is the notification pipeline: rules, queue, digests and DND
// around focus blocks.
type Service struct {
	d     Deps
	cfg   Config
	rules *Engine
	q     *Queue
	// ownQueue: New opened q, so Close closes it.
	ownQueue bool

	mu        sync.Mutex // guards the fields below
	dndOn     bool       // we entered DND for the running block
	suspended bool       // DND left early for a breakthrough: close held originals as they come
	serverIDs []uint32   // held originals still on the notification server
	timer     clock.Timer
	retry     clock.Timer
	pending   bool // a digest fell due during focus
	started   bool
	stopped   bool

	deliverMu sync.Mutex // one digest at a time
}

// New opens the queue in d.DB and returns the Service. Call Start to run
// the digest schedule and Close to stop it.
func New(d Deps, cfg Config) (*Service, error) {
	if d.DB == nil || d.Clock == nil || d.Focus == nil {
		return nil, fmt.Errorf("notify: DB, Clock and Focus are required")
	}
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	if len(cfg.DigestTimes) == 0 {
		cfg.DigestTimes = DefaultDigestTimes
	}
	cfg.DigestTimes = append([]TimeOfDay(nil), cfg.DigestTimes...)
	sort.Slice(cfg.DigestTimes, func(i, j int) bool {
		a, b := cfg.DigestTimes[i], cfg.DigestTimes[j]
		return a.Hour*60+a.Minute < b.Hour*60+b.Minute
	})
	if d.Logf == nil {
		d.Logf = func(string, ...any) {}
	}
	q, ownQueue := d.Queue, false
	if q == nil {
		var err error
		if q, err = OpenQueue(d.DB, cfg.Location); err != nil {
			return nil, err
		}
		ownQueue = true
	}
	return &Service{d: d, cfg: cfg, rules: NewEngine(cfg.Rules), q: q, ownQueue: ownQueue}, nil
}

// Queue returns the durable queue (Held, Find, Stats, ListDigests).
func (s *Service) Queue() *Queue { return s.q }

// Submit decides, stores and acts on notifications: it returns once every
// one is committed to disk, after showing breakthroughs, reporting
// interruptions and closing held desktop originals where needed.
func (s *Service) Submit(ctx context.Context, ns []Notification) ([]Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := s.d.Clock.Now()
	focusing, _ := s.d.Focus.Focusing()
	items := make([]Item, len(ns))
	for i, n := range ns {
		if n.ReceivedAt.IsZero() {
			n.ReceivedAt = now
		}
		items[i] = Item{Notification: n, Decision: s.rules.Decide(n, n.ReceivedAt, focusing)}
	}
	res, err := s.q.Add(items)
	if err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	for _, it := range items {
		s.after(it, focusing)
	}
	return res, nil
}

// after acts on a committed item.
func (s *Service) after(it Item, focusing bool) {
	switch it.Decision.Action {
	case ActionBreakthrough:
		if focusing && s.d.Interruptions != nil {
			s.d.Interruptions.RecordInterruption(Interruption{At: it.ReceivedAt, Source: it.Source, Title: it.Title,
				Reason: it.Decision.Reason, NotificationID: it.ID})
		}
		s.mu.Lock()
		mustLift := focusing && s.dndOn && !s.suspended && hidesCritical(s.d.DND)
		if mustLift {
			s.suspended = true
		}
		s.mu.Unlock()
		if mustLift {
			// This server hides even critical notifications in DND: clear the
			// held originals, lift DND, and from now on close held ones as
			// they arrive.
			s.closeHeldOriginals()
			if err := s.d.DND.Leave(); err != nil {
				s.d.Logf("notify: leave %s do-not-disturb for a breakthrough: %v", s.d.DND.Name(), err)
			}
		}
		if it.Origin != OriginDesktop && s.d.Sender != nil {
			// Desktop originals are already on their way to the server.
			msg := Message{Title: it.Source + ": " + it.Title, Body: it.Body, Urgent: true}
			if err := s.d.Sender.Send(msg); err != nil {
				s.d.Logf("notify: show breakthrough %s: %v", it.ID, err)
			}
		}
	case ActionHold:
		if it.Origin != OriginDesktop || it.ServerID == 0 {
			return
		}
		s.mu.Lock()
		keep := s.dndOn && !s.suspended
		if keep {
			s.serverIDs = append(s.serverIDs, it.ServerID)
		}
		s.mu.Unlock()
		if !keep && s.d.Closer != nil {
			// No DND hides it: take it off the screen now.
			if err := s.d.Closer.CloseNotification(it.ServerID); err != nil {
				s.d.Logf("notify: close held notification %d: %v", it.ServerID, err)
			}
		}
	}
}

func hidesCritical(d DND) bool {
	h, ok := d.(interface{ HidesCritical() bool })
	return ok && h.HidesCritical()
}

// closeHeldOriginals closes, on the notification server, every held
// original it still queues.
func (s *Service) closeHeldOriginals() {
	s.mu.Lock()
	ids := s.serverIDs
	s.serverIDs = nil
	s.mu.Unlock()
	if s.d.Closer == nil {
		return
	}
	for _, id := range ids {
		if err := s.d.Closer.CloseNotification(id); err != nil {
			s.d.Logf("notify: close held notification %d: %v", id, err)
		}
	}
}

// OnFocusChange is called by the wiring when focus starts or ends. Start:
// enter do-not-disturb. End: close the held originals on the server, leave
// DND (unless it was on before), then deliver the end-of-block digest.
// It runs the DND commands and the Sender synchronously and calls
// FocusState.Focusing, so call it without holding the focus engine's lock.
func (s *Service) OnFocusChange(focusing bool) {
	if focusing {
		s.mu.Lock()
		enter := !s.dndOn && s.d.DND != nil
		if enter {
			s.dndOn, s.suspended = true, false
		}
		s.mu.Unlock()
		if enter {
			if err := s.d.DND.Enter(); err != nil {
				s.d.Logf("notify: enter %s do-not-disturb: %v", s.d.DND.Name(), err)
			}
		}
		return
	}
	s.closeHeldOriginals()
	s.mu.Lock()
	leave := s.dndOn && !s.suspended
	s.dndOn, s.suspended = false, false
	s.mu.Unlock()
	if leave {
		if err := s.d.DND.Leave(); err != nil {
			s.d.Logf("notify: leave %s do-not-disturb: %v", s.d.DND.Name(), err)
		}
	}
	// The caller says the block ended: deliver even if Focusing has not
	// caught up yet.
	if _, _, err := s.deliver(DigestFocusEnd, true); err != nil {
		s.d.Logf("notify: focus-end digest: %v", err)
	}
}

// DeliverNow delivers a digest at once (lull digest now, the tray's
// "Deliver digest now"), even during focus: the user asked for it. ok is
// false when nothing was held.
func (s *Service) DeliverNow() (Digest, bool, error) {
	return s.deliver(DigestManual, true)
}

// deliver takes a digest and shows it, unless focusing (and not forced): then
// it is marked pending and waits for the block's end.
func (s *Service) deliver(reason DigestReason, force bool) (Digest, bool, error) {
	s.deliverMu.Lock()
	defer s.deliverMu.Unlock()
	if focusing, until := s.d.Focus.Focusing(); focusing && !force {
		s.deferUntil(until)
		return Digest{}, false, nil
	}
	s.mu.Lock()
	s.pending = false
	s.mu.Unlock()
	d, ok, err := s.q.takeDigest(s.d.Clock.Now(), reason)
	if err != nil || !ok {
		return d, ok, err
	}
	if s.d.Sender != nil {
		if err := s.d.Sender.Send(d.Message()); err != nil {
			return d, true, fmt.Errorf("show digest %s: %w", d.ID, err)
		}
	}
	return d, true, nil
}

// deferUntil marks a digest pending and, as a safety net for a block end
// that is never announced, retries at the block's planned end.
func (s *Service) deferUntil(until time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = true
	if s.retry != nil {
		s.retry.Stop()
		s.retry = nil
	}
	if until.IsZero() || s.stopped {
		return
	}
	wait := until.Sub(s.d.Clock.Now()) + time.Second
	s.retry = s.d.Clock.AfterFunc(wait, func() {
		s.mu.Lock()
		pending := s.pending && !s.stopped
		s.mu.Unlock()
		if pending {
			if _, _, err := s.deliver(DigestScheduled, false); err != nil {
				s.d.Logf("notify: deferred digest: %v", err)
			}
		}
	})
}

// Pending reports whether a digest fell due during focus and waits.
func (s *Service) Pending() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pending
}

// NextDigest returns the first scheduled digest time after t.
func (s *Service) NextDigest(t time.Time) time.Time {
	lt := t.In(s.cfg.Location)
	for day := 0; day < 3; day++ {
		y, m, dd := lt.AddDate(0, 0, day).Date()
		for _, tod := range s.cfg.DigestTimes {
			at := time.Date(y, m, dd, tod.Hour, tod.Minute, 0, 0, s.cfg.Location)
			if at.After(t) {
				return at
			}
		}
	}
	return t.Add(24 * time.Hour) // unreachable with at least one digest time
}

// Start runs the digest schedule until ctx ends: it first delivers one
// catch-up digest if a digest time passed while Lull was not running (after
// the block if focusing), then arms a timer for the next digest time. It
// starts no goroutine of its own; the timer is stopped when ctx is done.
func (s *Service) Start(ctx context.Context) error {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		return fmt.Errorf("notify: Start called twice")
	}
	s.started = true
	s.mu.Unlock()
	now := s.d.Clock.Now()
	last, err := s.q.LastDigest()
	if err != nil {
		return fmt.Errorf("notify: read last digest time: %w", err)
	}
	switch {
	case last.IsZero():
		if err := s.q.setLastDigest(now); err != nil {
			return fmt.Errorf("notify: store digest time: %w", err)
		}
	case !s.NextDigest(last).After(now):
		if _, _, err := s.deliver(DigestCatchUp, false); err != nil {
			s.d.Logf("notify: catch-up digest: %v", err)
		}
	}
	s.schedule(now)
	context.AfterFunc(ctx, s.stop)
	return nil
}

func (s *Service) schedule(after time.Time) {
	next := s.NextDigest(after)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return
	}
	s.timer = s.d.Clock.AfterFunc(next.Sub(s.d.Clock.Now()), func() {
		if _, _, err := s.deliver(DigestScheduled, false); err != nil {
			s.d.Logf("notify: scheduled digest: %v", err)
		}
		s.schedule(next)
	})
}

func (s *Service) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	for _, t := range []clock.Timer{s.timer, s.retry} {
		if t != nil {
			t.Stop()
		}
	}
}

// Close stops the schedule, and the queue's committer when New opened the
// queue. It does not close the database.
func (s *Service) Close() error {
	s.stop()
	if !s.ownQueue {
		return nil
	}
	return s.q.Close()
}

// Held returns the items waiting for the next digest, oldest first.
func (s *Service) Held() ([]Item, error) { return s.q.Held() }

// ListDigests returns up to limit digests delivered in [from, to), newest
// first.
func (s *Service) ListDigests(from, to time.Time, limit int) ([]Digest, error) {
	return s.q.ListDigests(from, to, limit)
}

// MarkRead marks a digest item (every item when itemID is "") as read.
func (s *Service) MarkRead(digestID, itemID string) error { return s.q.MarkRead(digestID, itemID) }

// Stats returns notifications batched and digests delivered over the local
// days of [from, to), for the weekly report.
func (s *Service) Stats(from, to time.Time) (batched, digests int, err error) {
	return s.q.Stats(from, to)
}
