package notify

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/human"
	"github.com/lullapp/lull/internal/store"
)

// DefaultDigestTimes are the clock times of the scheduled digests.
var DefaultDigestTimes = []TimeOfDay{{9, 0}, {12, 30}, {16, 30}}

// TimeOfDay is a wall-clock time in the user's zone.
type TimeOfDay struct{ Hour, Minute int }

// ParseTimeOfDay reads a digest time: "16:30", "9:00", or with am/pm
// ("9am", "4:30 pm"). Errors are a *human.FieldError (key "digest-times")
// that shows a right value.
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	in := strings.TrimSpace(s)
	norm := strings.ToLower(strings.ReplaceAll(in, " ", ""))
	for _, layout := range []string{"15:04", "3:04pm", "3pm"} {
		if t, err := time.Parse(layout, norm); err == nil {
			return TimeOfDay{t.Hour(), t.Minute()}, nil
		}
	}
	return TimeOfDay{}, &human.FieldError{Key: "digest-times", Label: "digest time", Value: in,
		Problem: "write a time of day as HH:MM", Example: "09:00", Err: ErrBadTime}
}

// ErrBadTime wraps every time of day that cannot be read.
var ErrBadTime = errors.New("bad time of day")

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
	// SourceDigest batches a source (lower case, matched against the
	// source and the desktop app) to one daily time: its held items are
	// left out of every digest until that time of day has passed since
	// they arrived ("batch CI to the 16:30 digest only", a coach
	// suggestion). A digest the user asks for (DeliverNow) takes them too.
	SourceDigest map[string]TimeOfDay
}

// normalized fills the defaults and sorts the digest times. A nil
// DigestTimes means the defaults; an empty, non-nil one means no scheduled
// digests at all (only the ends of focus blocks).
func (c Config) normalized() Config {
	if c.Location == nil {
		c.Location = time.Local
	}
	if c.DigestTimes == nil {
		c.DigestTimes = DefaultDigestTimes
	}
	c.DigestTimes = append([]TimeOfDay(nil), c.DigestTimes...)
	sort.Slice(c.DigestTimes, func(i, j int) bool {
		a, b := c.DigestTimes[i], c.DigestTimes[j]
		return a.Hour*60+a.Minute < b.Hour*60+b.Minute
	})
	return c
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
	// Delivered, when set, is told of every digest delivered (stored as
	// delivered and handed to the Sender), so the app can tell the window.
	Delivered func(Digest)
	// BrokeThrough, when set, is told of every notification that broke
	// through (stored, and shown or left to the desktop), focusing or not,
	// so the app can run the user's hooks. It must return at once.
	BrokeThrough func(it Item, focusing bool)
}

// Service is the notification pipeline: rules, queue, digests and DND
// around focus blocks.
type Service struct {
	d     Deps
	rules *Engine
	q     *Queue
	// ownQueue: New opened q, so Close closes it.
	ownQueue bool

	mu        sync.Mutex // guards the fields below
	cfg       Config
	dndOn     bool     // we entered DND for the running block
	suspended bool     // DND left early for a breakthrough: close held originals as they come
	serverIDs []uint32 // held originals still on the notification server
	timer     clock.Timer
	timerGen  int // bumped whenever timer is re-armed; older callbacks do nothing
	retry     clock.Timer
	pending   bool // a digest fell due during focus (or a meeting, or presenting)
	inFocus   bool // between FocusStarted and FocusEnded
	quiet     Quiet
	quietHeld bool // something was held since the quiet stretch began
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
	cfg = cfg.normalized()
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
	s.mu.Lock()
	mode := Mode{Focusing: focusing, Meeting: s.quiet.Meeting, Presenting: s.quiet.Presenting}
	s.mu.Unlock()
	items := make([]Item, len(ns))
	for i, n := range ns {
		if n.ReceivedAt.IsZero() {
			n.ReceivedAt = now
		}
		items[i] = Item{Notification: n, Decision: s.rules.DecideIn(n, n.ReceivedAt, mode)}
	}
	res, err := s.q.Add(items)
	if err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	for _, it := range items {
		s.after(it, mode)
	}
	return res, nil
}

// after acts on a committed item. Only breakthroughs during focus are
// interruptions of a session: a meeting or a presentation is no focus.
func (s *Service) after(it Item, mode Mode) {
	focusing := mode.Focusing
	switch it.Decision.Action {
	case ActionBreakthrough:
		if s.d.BrokeThrough != nil {
			s.d.BrokeThrough(it, focusing)
		}
		if focusing && s.d.Interruptions != nil {
			s.d.Interruptions.RecordInterruption(Interruption{At: it.ReceivedAt, Source: it.Source, Title: it.Title,
				Reason: it.Decision.Reason, NotificationID: it.ID})
		}
		s.mu.Lock()
		dnd := s.d.DND
		mustLift := mode.Holding() && s.dndOn && !s.suspended && hidesCritical(dnd)
		if mustLift {
			s.suspended = true
		}
		s.mu.Unlock()
		if mustLift {
			// This server hides even critical notifications in DND: clear the
			// held originals, lift DND, and from now on close held ones as
			// they arrive.
			s.closeHeldOriginals()
			if err := dnd.Leave(); err != nil {
				s.d.Logf("notify: leave %s do-not-disturb for a breakthrough: %v", dnd.Name(), err)
			}
		}
		if it.Origin != OriginDesktop && s.d.Sender != nil {
			// Desktop originals are already on their way to the server.
			if err := s.d.Sender.Send(BreakthroughMessage(it)); err != nil {
				s.d.Logf("notify: show breakthrough %s: %v", it.ID, err)
			}
		}
	case ActionHold:
		s.mu.Lock()
		if s.quiet.On() {
			s.quietHeld = true
		}
		s.mu.Unlock()
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

// BreakthroughMessage is the popup Lull shows for a notification sent to it
// that broke through: the sender and title, then why it was let through, then
// the body.
func BreakthroughMessage(it Item) Message {
	body := "Let through: " + it.Decision.Reason
	if b := strings.TrimSpace(it.Body); b != "" {
		body += "\n" + b
	}
	return Message{Title: it.Source + ": " + it.Title, Body: body, Urgent: true}
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

// MinDigestSession is the shortest focus session whose end delivers a
// digest (PRODUCT.md): shorter sessions roll their held items into the next
// digest, so a day of short sessions does not become a day of digests.
const MinDigestSession = 15 * time.Minute

// FocusStarted is called by the wiring when focus starts: it enters
// do-not-disturb. It runs the DND command synchronously, so call it without
// holding the focus engine's lock.
func (s *Service) FocusStarted() {
	s.mu.Lock()
	s.inFocus = true
	enter := !s.dndOn && s.d.DND != nil
	if enter {
		s.dndOn, s.suspended = true, false
	}
	dnd := s.d.DND
	s.mu.Unlock()
	if enter {
		if err := dnd.Enter(); err != nil {
			s.d.Logf("notify: enter %s do-not-disturb: %v", dnd.Name(), err)
		}
	}
}

// SetDND switches the do-not-disturb adapter at once (the user chose
// another one, or "off"): during focus the old one is left and the new one
// entered, so the desktop is never left silenced by an adapter Lull no
// longer uses. nil means none.
func (s *Service) SetDND(dnd DND) {
	s.mu.Lock()
	old, wasOn := s.d.DND, s.dndOn
	active := s.dndOn && !s.suspended
	s.d.DND = dnd
	s.dndOn = wasOn && dnd != nil
	s.mu.Unlock()
	if active && old != nil {
		if err := old.Leave(); err != nil {
			s.d.Logf("notify: leave %s do-not-disturb: %v", old.Name(), err)
		}
	}
	if active && dnd != nil {
		if err := dnd.Enter(); err != nil {
			s.d.Logf("notify: enter %s do-not-disturb: %v", dnd.Name(), err)
		}
	}
}

// DND returns the do-not-disturb adapter in use (nil: none).
func (s *Service) DND() DND {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.d.DND
}

// FocusEnded is called by the wiring when a session that lasted lasted
// ends: it closes the held originals on the server, leaves DND (unless it
// was on before), then delivers the end-of-block digest, if the session
// lasted at least MinDigestSession or a scheduled digest fell due during it.
// It runs the DND commands and the Sender synchronously and calls
// FocusState.Focusing, so call it without holding the focus engine's lock.
//
// While a meeting or a presentation goes on (SetQuiet), the desktop stays
// quiet: the digest the session would deliver waits for the quiet stretch
// to end.
func (s *Service) FocusEnded(lasted time.Duration) {
	s.mu.Lock()
	s.inFocus = false
	if s.quiet.On() {
		if lasted >= MinDigestSession {
			s.pending = true
		}
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	s.closeHeldOriginals()
	s.mu.Lock()
	leave := s.dndOn && !s.suspended
	s.dndOn, s.suspended = false, false
	pending := s.pending
	dnd := s.d.DND
	s.mu.Unlock()
	if leave {
		if err := dnd.Leave(); err != nil {
			s.d.Logf("notify: leave %s do-not-disturb: %v", dnd.Name(), err)
		}
	}
	reason := DigestFocusEnd
	switch {
	case lasted >= MinDigestSession:
	case pending:
		reason = DigestScheduled // the digest that fell due during the session
	default:
		return // a short session: its items wait for the next digest
	}
	// The caller says the block ended: deliver even if Focusing has not
	// caught up yet.
	if _, _, err := s.deliver(reason, true); err != nil {
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
	d, ok, err := s.deliverLocked(reason, force)
	if ok && s.d.Delivered != nil {
		s.d.Delivered(d)
	}
	return d, ok, err
}

// deliverLocked is deliver under deliverMu, without telling Delivered.
func (s *Service) deliverLocked(reason DigestReason, force bool) (Digest, bool, error) {
	s.deliverMu.Lock()
	defer s.deliverMu.Unlock()
	if focusing, until := s.d.Focus.Focusing(); focusing && !force {
		s.deferUntil(until)
		return Digest{}, false, nil
	}
	if !force {
		s.mu.Lock()
		quiet := s.quiet.On()
		if quiet {
			s.pending = true // SetQuiet delivers it when the stretch ends
		}
		s.mu.Unlock()
		if quiet {
			return Digest{}, false, nil
		}
	}
	s.mu.Lock()
	s.pending = false
	s.mu.Unlock()
	now := s.d.Clock.Now()
	var due func(Item) bool
	if reason != DigestManual {
		due = s.Config().dueBy(now)
	}
	d, ok, err := s.q.takeDigest(now, reason, due)
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

// NextDigest returns the first scheduled digest time after t, or the zero
// time when there are no digest times (only the ends of focus blocks).
func (s *Service) NextDigest(t time.Time) time.Time {
	s.mu.Lock()
	cfg := s.cfg
	s.mu.Unlock()
	if len(cfg.DigestTimes) == 0 {
		return time.Time{}
	}
	lt := t.In(cfg.Location)
	for day := 0; day < 3; day++ {
		y, m, dd := lt.AddDate(0, 0, day).Date()
		for _, tod := range cfg.DigestTimes {
			at := time.Date(y, m, dd, tod.Hour, tod.Minute, 0, 0, cfg.Location)
			if at.After(t) {
				return at
			}
		}
	}
	return time.Time{} // unreachable with at least one digest time
}

// SetConfig applies changed settings at once (the user saved them in the
// window, the command line or the API): the rules decide the next
// notification, the digest timer is re-armed for the new times and zone,
// and the day counters follow the zone.
func (s *Service) SetConfig(cfg Config) {
	cfg = cfg.normalized()
	s.rules.SetRules(cfg.Rules)
	s.q.SetLocation(cfg.Location)
	s.mu.Lock()
	s.cfg = cfg
	running := s.started && !s.stopped
	s.mu.Unlock()
	if running {
		s.schedule(s.d.Clock.Now())
	}
}

// Config returns the settings in force.
func (s *Service) Config() Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg
}

// dueBy returns whether a held item may go into a digest taken at now: an
// item of a source batched to a daily time (SourceDigest) is due once that
// time has come since it first arrived; every other item always is. nil
// when no source is batched.
func (c Config) dueBy(now time.Time) func(Item) bool {
	if len(c.SourceDigest) == 0 {
		return nil
	}
	loc := c.Location
	if loc == nil {
		loc = time.Local
	}
	return func(it Item) bool {
		tod, ok := c.SourceDigest[strings.ToLower(strings.TrimSpace(it.Source))]
		if !ok && it.App != "" {
			tod, ok = c.SourceDigest[strings.ToLower(strings.TrimSpace(it.App))]
		}
		if !ok {
			return true
		}
		r := it.ReceivedAt.In(loc)
		at := time.Date(r.Year(), r.Month(), r.Day(), tod.Hour, tod.Minute, 0, 0, loc)
		if at.Before(r) {
			y, m, d := r.AddDate(0, 0, 1).Date()
			at = time.Date(y, m, d, tod.Hour, tod.Minute, 0, 0, loc)
		}
		return !now.Before(at)
	}
}

// MarkOpened records that the user opened digest id (clicked its
// notification, or looked at it in the window or through the API) at the
// clock's now; the first opening is kept. The coach reads it to tell a
// digest nobody reads from one that is.
func (s *Service) MarkOpened(id string) error { return s.q.MarkOpened(id, s.d.Clock.Now()) }

// Rules returns the breakthrough rules in force, defaults filled in.
func (s *Service) Rules() Rules { return s.rules.Rules() }

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
	switch next := s.NextDigest(last); {
	case last.IsZero():
		if err := s.q.setLastDigest(now); err != nil {
			return fmt.Errorf("notify: store digest time: %w", err)
		}
	case !next.IsZero() && !next.After(now):
		if _, _, err := s.deliver(DigestCatchUp, false); err != nil {
			s.d.Logf("notify: catch-up digest: %v", err)
		}
	}
	s.schedule(now)
	context.AfterFunc(ctx, s.stop)
	return nil
}

// schedule (re)arms the digest timer for the first digest time after
// after; a timer armed before (for other settings) is stopped.
func (s *Service) schedule(after time.Time) {
	next := s.NextDigest(after)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	s.timerGen++
	if s.stopped || next.IsZero() {
		return
	}
	gen := s.timerGen
	s.timer = s.d.Clock.AfterFunc(next.Sub(s.d.Clock.Now()), func() {
		s.mu.Lock()
		stale := gen != s.timerGen || s.stopped
		s.mu.Unlock()
		if stale {
			return
		}
		if _, _, err := s.deliver(DigestScheduled, false); err != nil {
			s.d.Logf("notify: scheduled digest: %v", err)
		}
		s.mu.Lock()
		stale = gen != s.timerGen
		s.mu.Unlock()
		if !stale {
			s.schedule(next)
		}
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

// MarkRead marks a digest item (every item when itemID is "") as read;
// reading a digest opens it (MarkOpened).
func (s *Service) MarkRead(digestID, itemID string) error {
	if err := s.q.MarkRead(digestID, itemID); err != nil {
		return err
	}
	return s.MarkOpened(digestID)
}

// Stats returns notifications batched and digests delivered over the local
// days of [from, to), for the weekly report.
func (s *Service) Stats(from, to time.Time) (batched, digests int, err error) {
	return s.q.Stats(from, to)
}

// Quiet is what holds notifications besides focus: a meeting running, or
// the user presenting. The wiring sets it (SetQuiet) at every change.
type Quiet struct {
	Meeting    bool
	Presenting bool
}

// On reports whether anything in q holds notifications.
func (q Quiet) On() bool { return q.Meeting || q.Presenting }

// SetQuiet tells the pipeline that a meeting or a presentation started or
// ended. While q is on, desktop notifications are held as in focus (see
// Mode), do-not-disturb is on, and scheduled digests wait. When the quiet
// stretch ends with no focus running, the held originals are closed, DND
// is left, and a digest is delivered if something was held during the
// stretch or a digest fell due in it (DigestQuietEnd); with focus running,
// its end does that instead. It runs the DND commands and the Sender
// synchronously.
func (s *Service) SetQuiet(q Quiet) {
	s.mu.Lock()
	prev := s.quiet
	s.quiet = q
	switch {
	case !prev.On() && q.On():
		s.quietHeld = false
		enter := !s.dndOn && s.d.DND != nil
		if enter {
			s.dndOn, s.suspended = true, false
		}
		dnd := s.d.DND
		s.mu.Unlock()
		if enter {
			if err := dnd.Enter(); err != nil {
				s.d.Logf("notify: enter %s do-not-disturb: %v", dnd.Name(), err)
			}
		}
	case prev.On() && !q.On() && !s.inFocus:
		held := s.quietHeld || s.pending
		s.quietHeld = false
		s.mu.Unlock()
		s.closeHeldOriginals()
		s.mu.Lock()
		leave := s.dndOn && !s.suspended
		s.dndOn, s.suspended = false, false
		dnd := s.d.DND
		s.mu.Unlock()
		if leave {
			if err := dnd.Leave(); err != nil {
				s.d.Logf("notify: leave %s do-not-disturb: %v", dnd.Name(), err)
			}
		}
		if held {
			if _, _, err := s.deliver(DigestQuietEnd, false); err != nil {
				s.d.Logf("notify: end-of-meeting digest: %v", err)
			}
		}
	case prev.On() && !q.On():
		// Focus goes on: its end delivers what was held.
		if s.quietHeld {
			s.pending = true
		}
		s.quietHeld = false
		s.mu.Unlock()
	default:
		s.mu.Unlock()
	}
}

// Quiet returns what holds notifications besides focus (SetQuiet).
func (s *Service) Quiet() Quiet {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.quiet
}

// DropQuiet ends a quiet stretch without a digest, because Lull quits: the
// held notifications wait for the next digest (the catch-up one at the
// next start, if a digest time passes meanwhile), and DND is left unless
// focus still holds it (its own end leaves it).
func (s *Service) DropQuiet() {
	s.mu.Lock()
	wasOn := s.quiet.On()
	s.quiet, s.quietHeld = Quiet{}, false
	leave := wasOn && !s.inFocus && s.dndOn && !s.suspended
	if wasOn && !s.inFocus {
		s.dndOn, s.suspended = false, false
	}
	dnd := s.d.DND
	s.mu.Unlock()
	if leave {
		if err := dnd.Leave(); err != nil {
			s.d.Logf("notify: leave %s do-not-disturb: %v", dnd.Name(), err)
		}
	}
}
