package focus

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/human"
	"github.com/lullapp/lull/internal/store"
)

// State is what subscribers see after every change.
type State struct {
	// Focusing is true while a session runs.
	Focusing bool `json:"focusing"`
	// SessionID is the running session's id; when Focusing is false, the id
	// of the session that just ended (empty if none has ended yet).
	SessionID string `json:"session_id,omitempty"`
	// Kind is how the session began.
	Kind Kind `json:"kind,omitempty"`
	// Start is when the session began.
	Start time.Time `json:"start,omitzero"`
	// PlannedEnd is when it is due to end; zero for open-ended.
	PlannedEnd time.Time `json:"planned_end,omitzero"`
	// BlockID is the accepted block it runs for, if any.
	BlockID string `json:"block_id,omitempty"`
	// Outcome is Running while focusing, else how the last session ended.
	Outcome Outcome `json:"outcome"`
}

// Engine is the focus state machine: idle or focusing, started by hand or by
// accepted blocks on the injected clock, every change written to the Log
// and published to subscribers. It is safe for concurrent use.
type Engine struct {
	log     *Log
	clk     clock.Clock
	deps    Deps
	onError func(error) // Config.OnError at creation

	mu         sync.Mutex
	cfg        Config
	cur        *Session        // running session, nil when idle
	last       State           // state published last
	handled    map[string]bool // blocks that already had a session
	endTimer   clock.Timer
	endTok     *int
	hbTimer    clock.Timer
	hbTok      *int
	armTimer   clock.Timer
	armTok     *int
	subs       map[int]func(State)
	nextSub    int
	queue      []State
	delivering bool
	closed     bool
}

// Open opens the focus log in db, closes a session a crash left open (at its
// last heartbeat), and starts the engine: it arms the timers for accepted
// blocks and starts a block already in progress. Call Close to stop its
// timers.
func Open(db *store.DB, clk clock.Clock, cfg Config, deps Deps) (*Engine, error) {
	l, err := OpenLog(db)
	if err != nil {
		return nil, err
	}
	return NewEngine(l, clk, cfg, deps)
}

// NewEngine is Open for an already opened Log.
func NewEngine(l *Log, clk clock.Clock, cfg Config, deps Deps) (*Engine, error) {
	e := &Engine{log: l, clk: clk, cfg: cfg.withDefaults(), deps: deps, onError: cfg.OnError,
		handled: map[string]bool{}, subs: map[int]func(State){}}
	if _, _, err := l.Recover(); err != nil {
		return nil, err
	}
	// Blocks that already had a session which did not crash, sleep or end
	// with Lull quitting are not started again (the user stopped them, or
	// they completed); the others resume for the rest of the block. A
	// later session of the same block decides.
	now := clk.Now()
	recent, err := l.Sessions(now.Add(-48*time.Hour), time.Time{})
	if err != nil {
		return nil, err
	}
	for _, s := range recent {
		if s.BlockID != "" {
			e.handled[s.BlockID] = s.Outcome != Crashed && s.Outcome != Suspended && s.Outcome != Quit
		}
	}
	if err := e.Refresh(); err != nil {
		e.reportErr(err)
	}
	return e, nil
}

// Log returns the engine's focus log.
func (e *Engine) Log() *Log { return e.log }

// Config returns the engine's settings with defaults filled in.
func (e *Engine) Config() Config {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cfg
}

// SetConfig applies changed settings at once (zone, goal, daily maximum,
// minimum block); a running session keeps its planned end. OnError is kept
// when cfg has none.
func (e *Engine) SetConfig(cfg Config) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if cfg.OnError == nil {
		cfg.OnError = e.cfg.OnError
	}
	e.cfg = cfg.withDefaults()
}

// reportErr hands err to Config.OnError. It reads the config without the
// lock: OnError is set once at creation and kept by SetConfig, which runs
// under the lock every caller of reportErr holds or has released.
func (e *Engine) reportErr(err error) {
	if e.onError != nil && err != nil {
		e.onError(err)
	}
}

// Subscribe registers f to receive every state change, in order. f is never
// called with the engine's lock held, so it may call back into the engine;
// it should return quickly (the UI hands the value to its own goroutine).
// The returned function unsubscribes.
func (e *Engine) Subscribe(f func(State)) (unsubscribe func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	id := e.nextSub
	e.nextSub++
	e.subs[id] = f
	return func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		delete(e.subs, id)
	}
}

// State returns the current state.
func (e *Engine) State() State {
	e.mu.Lock()
	defer e.unlock()
	e.checkSleepLocked()
	return e.stateLocked()
}

// Focusing reports whether a session runs and its planned end (zero for an
// open-ended session). notify's "focus state" interface is this method.
func (e *Engine) Focusing() (bool, time.Time) {
	e.mu.Lock()
	defer e.unlock()
	e.checkSleepLocked()
	if e.cur == nil {
		return false, time.Time{}
	}
	return true, e.cur.PlannedEnd
}

func (e *Engine) stateLocked() State {
	if e.cur == nil {
		st := e.last
		st.Focusing = false
		return st
	}
	s := e.cur
	return State{Focusing: true, SessionID: s.ID, Kind: s.Kind, Start: s.Start,
		PlannedEnd: s.PlannedEnd, BlockID: s.BlockID, Outcome: Running}
}

// publishLocked queues the current state for subscribers.
func (e *Engine) publishLocked() {
	e.last = e.stateLocked()
	e.queue = append(e.queue, e.last)
}

// unlock releases the lock and then delivers queued states. A delivery
// already running on another goroutine (or up the stack) delivers them.
func (e *Engine) unlock() {
	if e.delivering {
		e.mu.Unlock()
		return
	}
	e.delivering = true
	for len(e.queue) > 0 {
		q := e.queue
		e.queue = nil
		subs := make([]func(State), 0, len(e.subs))
		ids := make([]int, 0, len(e.subs))
		for id := range e.subs {
			ids = append(ids, id)
		}
		sort.Ints(ids)
		for _, id := range ids {
			subs = append(subs, e.subs[id])
		}
		e.mu.Unlock()
		for _, st := range q {
			for _, f := range subs {
				f(st)
			}
		}
		e.mu.Lock()
	}
	e.delivering = false
	e.mu.Unlock()
}

// Start starts a manual session of length d (25, 50, 90 min or any d > 0).
func (e *Engine) Start(d time.Duration) (State, error) {
	if d <= 0 {
		return State{}, fmt.Errorf("start focus for %s: %w: the length must be positive", human.Duration(d), ErrBadDuration)
	}
	e.mu.Lock()
	defer e.unlock()
	now := e.clk.Now()
	if err := e.startLocked(Manual, now, now.Add(d), ""); err != nil {
		return State{}, err
	}
	return e.stateLocked(), nil
}

// StartOpen starts an open-ended manual session; it runs until Stop.
func (e *Engine) StartOpen() (State, error) {
	e.mu.Lock()
	defer e.unlock()
	if err := e.startLocked(Manual, e.clk.Now(), time.Time{}, ""); err != nil {
		return State{}, err
	}
	return e.stateLocked(), nil
}

// StartUntilNextMeeting starts a manual session that ends when the next busy
// time starts, and at the latest at the end of the working day; outside
// working hours (evenings, weekends, out-of-office days) it lasts at most
// Config.DailyMax. A meeting already under way is ignored (the user chose
// to focus instead).
func (e *Engine) StartUntilNextMeeting() (State, error) {
	now := e.clk.Now()
	end := e.untilNextMeetingBound(now)
	if e.deps.Busy != nil {
		busy, err := e.deps.Busy.Busy(now, end)
		if err != nil {
			return State{}, fmt.Errorf("start focus until next meeting: %w", err)
		}
		for _, b := range busy {
			if b.Start.After(now) && b.Start.Before(end) {
				end = b.Start
			}
		}
	}
	loc := e.Config().Location
	if end.Sub(now) < time.Minute {
		return State{}, fmt.Errorf("start focus until next meeting at %s: %w", end.In(loc).Format("15:04"), ErrNoFreeTime)
	}
	e.mu.Lock()
	defer e.unlock()
	now = e.clk.Now() // time may have passed while asking the calendar
	if end.Sub(now) < time.Minute {
		return State{}, fmt.Errorf("start focus until next meeting at %s: %w", end.In(loc).Format("15:04"), ErrNoFreeTime)
	}
	if err := e.startLocked(Manual, now, end, ""); err != nil {
		return State{}, err
	}
	return e.stateLocked(), nil
}

// untilNextMeetingBound is the latest end of an "until next meeting"
// session started at now: the end of the working hours now lies in, or
// DailyMax from now outside working hours.
func (e *Engine) untilNextMeetingBound(now time.Time) time.Time {
	cfg := e.Config()
	l := now.In(cfg.Location)
	midnight := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, cfg.Location)
	day := calendar.Interval{Start: midnight, End: midnight.AddDate(0, 0, 1)}
	for _, iv := range e.deps.working(day) {
		if !now.Before(iv.Start) && now.Before(iv.End) {
			return iv.End
		}
	}
	return now.Add(cfg.DailyMax)
}

func (e *Engine) startLocked(kind Kind, now, plannedEnd time.Time, blockID string) error {
	if e.closed {
		return ErrClosed
	}
	e.checkSleepLocked()
	if e.cur != nil {
		loc := e.cfg.Location
		since := "since " + e.cur.Start.In(loc).Format("15:04")
		if !e.cur.PlannedEnd.IsZero() {
			since += ", until " + e.cur.PlannedEnd.In(loc).Format("15:04")
		}
		return fmt.Errorf("%w (%s): stop or extend it instead", ErrAlreadyFocusing, since)
	}
	s := &Session{Kind: kind, Start: now, PlannedEnd: plannedEnd, LastAlive: now, BlockID: blockID, Outcome: Running}
	if err := e.log.begin(s); err != nil {
		return fmt.Errorf("start focus: write log: %w", err)
	}
	e.cur = s
	if blockID != "" {
		e.handled[blockID] = true
	}
	e.armEndLocked(now)
	e.armHeartbeatLocked()
	e.publishLocked()
	return nil
}

// armEndLocked (re)arms the timer that completes the session at its planned end.
func (e *Engine) armEndLocked(now time.Time) {
	if e.endTimer != nil {
		e.endTimer.Stop()
		e.endTimer, e.endTok = nil, nil
	}
	if e.cur == nil || e.cur.PlannedEnd.IsZero() {
		return
	}
	tok := new(int)
	e.endTok = tok
	e.endTimer = e.clk.AfterFunc(e.cur.PlannedEnd.Sub(now), func() {
		e.mu.Lock()
		defer e.unlock()
		if e.endTok != tok || e.cur == nil || e.closed {
			return
		}
		if e.checkSleepLocked() {
			return
		}
		now := e.clk.Now()
		if now.Before(e.cur.PlannedEnd) { // clock stepped back: wait again
			e.armEndLocked(now)
			return
		}
		e.reportErr(e.endLocked(now, Completed))
	})
}

func (e *Engine) armHeartbeatLocked() {
	if e.hbTimer != nil {
		e.hbTimer.Stop()
		e.hbTimer, e.hbTok = nil, nil
	}
	if e.cur == nil {
		return
	}
	tok := new(int)
	e.hbTok = tok
	e.hbTimer = e.clk.AfterFunc(e.cfg.Heartbeat, func() {
		e.mu.Lock()
		defer e.unlock()
		if e.hbTok != tok || e.cur == nil || e.closed {
			return
		}
		if e.checkSleepLocked() {
			return
		}
		s := *e.cur
		s.LastAlive = e.clk.Now()
		if err := e.log.put(&s); err != nil {
			e.reportErr(fmt.Errorf("focus heartbeat: %w", err))
		} else {
			e.cur.LastAlive = s.LastAlive
		}
		e.armHeartbeatLocked()
	})
}

// endLocked ends the running session at now with the given outcome. The
// session ends in memory even when the write fails (the log then still
// holds it as running up to its last heartbeat, which is what it counts).
func (e *Engine) endLocked(now time.Time, outcome Outcome) error {
	s := e.cur
	s.End, s.LastAlive, s.Outcome = now, now, outcome
	e.cur = nil
	e.armEndLocked(now)
	e.armHeartbeatLocked()
	e.last = State{SessionID: s.ID, Kind: s.Kind, Start: s.Start, PlannedEnd: s.PlannedEnd, BlockID: s.BlockID, Outcome: outcome}
	e.queue = append(e.queue, e.last)
	if err := e.log.put(s); err != nil {
		return fmt.Errorf("end focus session %s: write log: %w", s.ID, err)
	}
	return nil
}

// checkSleepLocked ends the running session at its last heartbeat when the
// computer slept since then (see slept): timers run on the monotonic clock,
// which stands still during suspend, so without this the sleep would count
// as focus. A block still under way is picked up again by an immediate
// refresh. It reports whether it ended a session.
func (e *Engine) checkSleepLocked() bool {
	if e.cur == nil || e.closed {
		return false
	}
	now := e.clk.Now()
	if !slept(e.cur.LastAlive, now, e.cfg.Heartbeat) {
		return false
	}
	block := e.cur.BlockID
	e.reportErr(e.endLocked(e.cur.LastAlive, Suspended))
	if block != "" {
		delete(e.handled, block)
	}
	e.armRefreshLocked(now, now)
	return true
}

// slept reports whether the computer was suspended between the heartbeat
// at last and now. The wall clock runs on through a suspend and the
// monotonic one does not, so when both instants carry a monotonic reading
// (the real clock) a suspend is wall time passing that monotonic time did
// not see, by more than a heartbeat: a process merely starved of CPU on a
// loaded machine sees both move together and is not taken for asleep.
// Without monotonic readings (times read back from the log, test clocks)
// the gap itself decides: more than two heartbeats.
func slept(last, now time.Time, heartbeat time.Duration) bool {
	wall := now.Round(0).Sub(last.Round(0))
	if hasMonotonic(last) && hasMonotonic(now) {
		return wall-now.Sub(last) > heartbeat
	}
	return wall > 2*heartbeat
}

// hasMonotonic reports whether t carries a monotonic clock reading, which
// Round(0) strips (and only then changes t).
func hasMonotonic(t time.Time) bool { return t != t.Round(0) }

// Stop ends the running session now and returns it as recorded. Stopping
// before the planned end (including during a block) records StoppedEarly;
// an open-ended session ends Completed.
func (e *Engine) Stop() (Session, error) {
	e.mu.Lock()
	defer e.unlock()
	if e.checkSleepLocked() {
		return Session{}, fmt.Errorf("stop focus: %w (the session ended when the computer went to sleep)", ErrNotFocusing)
	}
	if e.cur == nil {
		return Session{}, fmt.Errorf("stop focus: %w", ErrNotFocusing)
	}
	now := e.clk.Now()
	outcome := Completed
	if !e.cur.PlannedEnd.IsZero() && now.Before(e.cur.PlannedEnd) {
		outcome = StoppedEarly
	}
	s := e.cur
	err := e.endLocked(now, outcome)
	return *s, err
}

// Extend moves the running session's planned end d later (+15 or +30 min in
// the UI; any d > 0).
func (e *Engine) Extend(d time.Duration) (State, error) {
	if d <= 0 {
		return State{}, fmt.Errorf("extend focus by %s: %w: the length must be positive", human.Duration(d), ErrBadDuration)
	}
	e.mu.Lock()
	defer e.unlock()
	e.checkSleepLocked()
	if e.cur == nil {
		return State{}, fmt.Errorf("extend focus: %w", ErrNotFocusing)
	}
	if e.cur.PlannedEnd.IsZero() {
		return State{}, fmt.Errorf("extend focus: %w", ErrOpenEnded)
	}
	s := *e.cur
	s.PlannedEnd = s.PlannedEnd.Add(d)
	if err := e.log.put(&s); err != nil {
		return State{}, fmt.Errorf("extend focus: write log: %w", err)
	}
	e.cur.PlannedEnd = s.PlannedEnd
	e.armEndLocked(e.clk.Now())
	e.publishLocked()
	return e.stateLocked(), nil
}

// MinResume is the least time a block must have left to be offered for
// resuming: a minute-long "session" is not worth a button.
const MinResume = time.Minute

// Resumable returns the accepted block under way now that already had a
// session which ended before the block did (the user stopped it), when no
// session runs and at least MinResume of the block is left: what Today, the
// tray ("Resume block — 40 min left") and `lull focus resume` offer. A block
// that never had a session is not resumable: it starts by itself.
func (e *Engine) Resumable() (Block, bool) {
	now := e.clk.Now()
	if e.deps.Blocks == nil {
		return Block{}, false
	}
	blocks, err := e.deps.Blocks.Blocks(now, now.Add(time.Nanosecond))
	if err != nil {
		e.reportErr(fmt.Errorf("focus: read accepted blocks: %w", err))
		return Block{}, false
	}
	sort.Slice(blocks, func(i, j int) bool { return blocks[i].Start.Before(blocks[j].Start) })
	e.mu.Lock()
	defer e.unlock()
	e.checkSleepLocked()
	return e.resumableLocked(blocks, e.clk.Now())
}

func (e *Engine) resumableLocked(blocks []Block, now time.Time) (Block, bool) {
	if e.cur != nil || e.closed {
		return Block{}, false
	}
	for _, b := range blocks {
		if !b.Start.After(now) && b.End.Sub(now) >= MinResume && e.handled[b.ID] && !e.deps.outOfOffice(b.Start) {
			return b, true
		}
	}
	return Block{}, false
}

// Resume starts focus again for the rest of the block Resumable offers,
// as the block's own (scheduled) session. ErrNothingToResume when there is
// none.
func (e *Engine) Resume() (State, error) {
	now := e.clk.Now()
	var blocks []Block
	if e.deps.Blocks != nil {
		var err error
		if blocks, err = e.deps.Blocks.Blocks(now, now.Add(time.Nanosecond)); err != nil {
			return State{}, fmt.Errorf("resume focus: read accepted blocks: %w", err)
		}
	}
	sort.Slice(blocks, func(i, j int) bool { return blocks[i].Start.Before(blocks[j].Start) })
	e.mu.Lock()
	defer e.unlock()
	e.checkSleepLocked()
	if e.closed {
		return State{}, ErrClosed
	}
	if e.cur != nil {
		return State{}, fmt.Errorf("resume focus: %w", ErrAlreadyFocusing)
	}
	now = e.clk.Now()
	b, ok := e.resumableLocked(blocks, now)
	if !ok {
		return State{}, ErrNothingToResume
	}
	if err := e.startLocked(Scheduled, now, b.End, b.ID); err != nil {
		return State{}, err
	}
	return e.stateLocked(), nil
}

// RecordInterruption logs a breakthrough notification against the session
// that was running at in.At (now when zero) and returns that session's id.
// A breakthrough outside focus is not an interruption: it is ignored and the
// id is empty, with no error. One that raced with the end of a session (At
// inside a session that has just ended) is still attached to it, so every
// breakthrough during focus appears in the report.
func (e *Engine) RecordInterruption(in Interruption) (string, error) {
	e.mu.Lock()
	defer e.unlock()
	e.checkSleepLocked()
	if in.At.IsZero() {
		in.At = e.clk.Now()
	}
	in.Title = truncate(in.Title, MaxTitleBytes)
	in.Reason = truncate(in.Reason, MaxTitleBytes)
	if s := e.cur; s != nil && !in.At.Before(s.Start) {
		c := *s
		c.Interruptions = append(append([]Interruption(nil), s.Interruptions...), in)
		if err := e.log.put(&c); err != nil {
			return "", fmt.Errorf("record interruption %q: %w", in.ID, err)
		}
		s.Interruptions = c.Interruptions
		return s.ID, nil
	}
	ss, err := e.log.Sessions(in.At, in.At.Add(time.Nanosecond))
	if err != nil {
		return "", fmt.Errorf("record interruption %q: %w", in.ID, err)
	}
	for _, s := range ss {
		if !in.At.Before(s.Start) && in.At.Before(s.until()) {
			s.Interruptions = append(s.Interruptions, in)
			if err := e.log.put(&s); err != nil {
				return "", fmt.Errorf("record interruption %q: %w", in.ID, err)
			}
			return s.ID, nil
		}
	}
	return "", nil
}

// Refresh re-reads the accepted blocks: a block in progress that has not had
// a session starts one now (or is merged into the running manual session),
// and the timer is armed for the next block's start (or the next Lookahead
// check). Call it whenever blocks change; the engine also calls it on its
// own timer.
//
// Merging: when a block starts while a session runs, the running session
// takes the block's id and its planned end becomes the later of the two
// ends (an open-ended session stays open-ended). Blocks on out-of-office
// days never start focus.
func (e *Engine) Refresh() error {
	now := e.clk.Now()
	var blocks []Block
	var fetchErr error
	if e.deps.Blocks != nil {
		blocks, fetchErr = e.deps.Blocks.Blocks(now, now.Add(e.Config().Lookahead))
		if fetchErr != nil {
			fetchErr = fmt.Errorf("focus: read accepted blocks: %w", fetchErr)
		}
	}
	sort.Slice(blocks, func(i, j int) bool { return blocks[i].Start.Before(blocks[j].Start) })
	ooo := make([]bool, len(blocks))
	for i, b := range blocks {
		ooo[i] = e.deps.outOfOffice(b.Start)
	}

	e.mu.Lock()
	defer e.unlock()
	if e.closed {
		return ErrClosed
	}
	e.checkSleepLocked()
	now = e.clk.Now() // time may have passed while fetching blocks
	next := now.Add(e.cfg.Lookahead)
	var errs []error
	for i, b := range blocks {
		if !b.End.After(now) || !b.End.After(b.Start) {
			continue
		}
		if b.Start.After(now) {
			if b.Start.Before(next) {
				next = b.Start
			}
			continue
		}
		if e.handled[b.ID] || ooo[i] {
			continue
		}
		if e.cur == nil {
			errs = append(errs, e.startLocked(Scheduled, now, b.End, b.ID))
			continue
		}
		if e.cur.BlockID == b.ID {
			continue
		}
		errs = append(errs, e.mergeLocked(now, b))
	}
	e.armRefreshLocked(now, next)
	return errors.Join(append([]error{fetchErr}, errs...)...)
}

func (e *Engine) mergeLocked(now time.Time, b Block) error {
	s := *e.cur
	s.BlockID = b.ID
	if !s.PlannedEnd.IsZero() && b.End.After(s.PlannedEnd) {
		s.PlannedEnd = b.End
	}
	if err := e.log.put(&s); err != nil {
		return fmt.Errorf("merge block %s into session %s: %w", b.ID, s.ID, err)
	}
	e.cur.BlockID, e.cur.PlannedEnd = s.BlockID, s.PlannedEnd
	e.handled[b.ID] = true
	e.armEndLocked(now)
	e.publishLocked()
	return nil
}

func (e *Engine) armRefreshLocked(now, at time.Time) {
	if e.armTimer != nil {
		e.armTimer.Stop()
	}
	tok := new(int)
	e.armTok = tok
	e.armTimer = e.clk.AfterFunc(at.Sub(now), func() {
		e.mu.Lock()
		stale := e.armTok != tok || e.closed
		e.mu.Unlock()
		if !stale {
			e.reportErr(e.Refresh())
		}
	})
}

// Sessions returns the sessions overlapping [from, to) (zero for unbounded),
// oldest first; the running one ends at its last heartbeat.
func (e *Engine) Sessions(from, to time.Time) ([]Session, error) { return e.log.Sessions(from, to) }

// Close stops the engine's timers. A running session is ended now (quitting
// Lull stops focus; recorded Quit before its planned end, so a block still
// under way resumes when Lull starts again). The engine refuses to start
// afterwards; Close is idempotent.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.unlock()
	if e.closed {
		return nil
	}
	var err error
	e.checkSleepLocked()
	if e.cur != nil {
		now := e.clk.Now()
		outcome := Completed
		if !e.cur.PlannedEnd.IsZero() && now.Before(e.cur.PlannedEnd) {
			outcome = Quit
		}
		err = e.endLocked(now, outcome)
	}
	e.closed = true
	for _, t := range []clock.Timer{e.endTimer, e.hbTimer, e.armTimer} {
		if t != nil {
			t.Stop()
		}
	}
	e.endTok, e.hbTok, e.armTok = nil, nil, nil
	return err
}
