package service

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/notify"
)

// QuietState is what keeps the desktop quiet besides focus: a meeting (a
// busy, timed calendar event, while "hold notifications in meetings" is
// on) and presenting (a fullscreen window, or the user said so). Every
// change goes through quietChanged.
type QuietState = api.Quiet

// MeetingJoinGap is the longest gap between two meetings that still makes
// them one quiet stretch: back-to-back meetings (a 0-minute gap, or the
// 5 minutes "speedy meetings" leave to walk to the next room) get no
// digest in between, which nobody could read before the next one starts.
// A longer gap delivers what the first meeting held.
const MeetingJoinGap = 5 * time.Minute

// clockJumpSlack is how far the clock may move between refreshQuiet
// reading the time and arming its timer before it looks again: the two
// are microseconds apart, so more means the clock jumped in between (a
// suspend and resume, a test's clock), and the timer, counted from the
// later time, would start or end a meeting late by the jump.
const clockJumpSlack = time.Second

// maxStoredMeetings bounds the meetings kept with the busy snapshot: a
// sync window holds a few weeks, a heavy calendar a few hundred meetings;
// the bound keeps a calendar of thousands of generated events from
// bloating every read of the snapshot (the soonest are kept, and the next
// sync, every 15 minutes, brings the later ones).
const maxStoredMeetings = 2000

// presentingHeartbeat is how often a running presentation's span is
// touched in the log: the most presenting time a crash can lose. It runs
// only while presenting; a meeting needs none (its end is the calendar's).
const presentingHeartbeat = time.Minute

// comingMeetings keeps the meetings that have not ended at now, soonest
// first, at most maxStoredMeetings.
func comingMeetings(ms []calendar.Meeting, now time.Time) []calendar.Meeting {
	var out []calendar.Meeting
	for _, m := range ms {
		if m.End.After(now) {
			out = append(out, m)
			if len(out) == maxStoredMeetings {
				break
			}
		}
	}
	return out
}

// nextMeetingBoundary is the first start or end of a meeting after now
// (zero when none): the only times the meeting state can change by
// itself, so the only times the resident wakes for it.
func nextMeetingBoundary(ms []calendar.Meeting, now time.Time) time.Time {
	var next time.Time
	for _, m := range ms {
		for _, t := range []time.Time{m.Start, m.End} {
			if t.After(now) && (next.IsZero() || t.Before(next)) {
				next = t
			}
		}
	}
	return next
}

// quietTracker is the service's quiet state: the meeting from the stored
// meetings and the clock, presenting from the user and the fullscreen
// watch; a timer wakes it at the next meeting boundary only (no polling).
type quietTracker struct {
	// evalMu orders evaluations, so quietChanged sees the changes in the
	// order they happened.
	evalMu sync.Mutex

	mu         sync.Mutex // guards the fields below
	log        *focus.QuietLog
	state      QuietState
	byUser     bool // the user said they present
	fullscreen bool // the active window is fullscreen
	timer      clock.Timer
	meetingID  string // the open meeting span in the log
	presentID  string // the open presenting span in the log
	heartbeat  clock.Timer
	stop       context.CancelFunc // stops the fullscreen watch
	closed     bool
}

// startQuiet opens the quiet log, closes the spans a crash left open,
// starts the fullscreen watch and looks at the meetings.
func (s *Service) startQuiet() error {
	l, err := focus.OpenQuietLog(s.DB)
	if err != nil {
		return err
	}
	if _, err := l.Recover(s.Clock.Now()); err != nil {
		return err
	}
	s.quiet.mu.Lock()
	s.quiet.log = l
	s.quiet.mu.Unlock()
	if s.opts.Fullscreen != nil {
		ctx, cancel := context.WithCancel(s.ctx)
		s.quiet.mu.Lock()
		s.quiet.stop = cancel
		s.quiet.mu.Unlock()
		if err := s.opts.Fullscreen(ctx, s.setFullscreen); err != nil {
			cancel()
			s.opts.Logf("fullscreen windows will not count as presenting: %v", err)
		}
	}
	s.refreshQuiet()
	return nil
}

// stopQuiet ends the open spans at now (Lull quits: not a crash), leaves
// do-not-disturb without a digest and stops the watch and the timers.
func (s *Service) stopQuiet() {
	q := &s.quiet
	q.evalMu.Lock()
	defer q.evalMu.Unlock()
	q.mu.Lock()
	q.closed = true
	for _, t := range []clock.Timer{q.timer, q.heartbeat} {
		if t != nil {
			t.Stop()
		}
	}
	if q.stop != nil {
		q.stop()
	}
	l, ids := q.log, []string{q.meetingID, q.presentID}
	q.meetingID, q.presentID = "", ""
	q.mu.Unlock()
	now := s.Clock.Now()
	for _, id := range ids {
		if id != "" && l != nil {
			if err := l.End(id, now); err != nil {
				s.opts.Logf("%v", err)
			}
		}
	}
	if s.Notify != nil {
		s.Notify.DropQuiet()
	}
}

// Quiet returns the quiet state now.
func (s *Service) Quiet() QuietState {
	s.quiet.mu.Lock()
	defer s.quiet.mu.Unlock()
	return s.quiet.state
}

// SetPresenting records that the user presents (on) or stopped; a
// fullscreen window still counts until it leaves fullscreen. It returns
// the quiet state after it.
func (s *Service) SetPresenting(on bool) QuietState {
	s.quiet.mu.Lock()
	s.quiet.byUser = on
	s.quiet.mu.Unlock()
	s.refreshQuiet()
	return s.Quiet()
}

// setFullscreen is the fullscreen watch's callback.
func (s *Service) setFullscreen(on bool) {
	s.quiet.mu.Lock()
	changed := s.quiet.fullscreen != on
	s.quiet.fullscreen = on
	s.quiet.mu.Unlock()
	if changed {
		s.refreshQuiet()
	}
}

// refreshQuiet works out the quiet state now, hands a change to
// quietChanged, and arms the timer for the next meeting boundary (the end
// of the stretch running, or the start of the next one).
func (s *Service) refreshQuiet() {
	q := &s.quiet
	q.evalMu.Lock()
	defer q.evalMu.Unlock()
	var meetings []calendar.Meeting
	if s.Settings().HoldInMeetings {
		snap, err := s.Busy()
		if err != nil {
			s.problem(fmt.Errorf("meetings: %w", err))
		}
		meetings = snap.Meetings
	}
	now := s.Clock.Now()
	next := QuietState{}
	wake := nextMeetingBoundary(meetings, now)
	if iv, title, ok := calendar.MeetingAt(meetings, now, MeetingJoinGap); ok {
		next.Meeting, next.MeetingTitle, next.MeetingEnd = true, title, iv.End
	}
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	switch {
	case q.byUser:
		next.Presenting, next.PresentingBy = true, api.PresentingByUser
	case q.fullscreen:
		next.Presenting, next.PresentingBy = true, api.PresentingByFullscreen
	}
	prev := q.state
	q.state = next
	if q.timer != nil {
		q.timer.Stop()
		q.timer = nil
	}
	if !wake.IsZero() {
		q.timer = s.Clock.AfterFunc(wake.Sub(now), func() { s.background(s.refreshQuiet) })
	}
	// The timer counts from the clock's time when armed: if the clock
	// jumped since now was read, it fires late by the jump, so look again.
	jumped := !wake.IsZero() && s.Clock.Now().Sub(now) > clockJumpSlack
	q.mu.Unlock()
	if jumped {
		s.background(s.refreshQuiet)
	}
	if prev != next {
		s.quietChanged(prev, next)
	}
}

// quietChanged is the one place every start and end of a meeting or of
// presenting goes through: it tells the notification pipeline (hold, DND,
// the digest at the end), writes the spans to the log, and tells
// subscribers. Called in order, never concurrently (refreshQuiet's
// evalMu).
func (s *Service) quietChanged(prev, now QuietState) {
	s.Notify.SetQuiet(notify.Quiet{Meeting: now.Meeting, Presenting: now.Presenting})
	at := s.Clock.Now()
	s.meetingHook(prev, now, at)
	q := &s.quiet
	q.mu.Lock()
	l := q.log
	q.mu.Unlock()
	if l == nil {
		return
	}
	if prev.Meeting != now.Meeting || prev.MeetingTitle != now.MeetingTitle || !prev.MeetingEnd.Equal(now.MeetingEnd) {
		if prev.Meeting != now.Meeting {
			s.logSpan(l, &q.meetingID, now.Meeting, focus.QuietMeeting, now.MeetingTitle, at, now.MeetingEnd)
		}
		s.emit(Event{Kind: MeetingChanged, Quiet: now})
	}
	if prev.Presenting != now.Presenting || prev.PresentingBy != now.PresentingBy {
		if prev.Presenting != now.Presenting {
			s.logSpan(l, &q.presentID, now.Presenting, focus.QuietPresenting, presentingTitle(now.PresentingBy), at, time.Time{})
			s.armPresentingHeartbeat(now.Presenting)
		}
		s.emit(Event{Kind: PresentingChanged, Quiet: now})
	}
}

// logSpan begins (on) or ends the span whose id *id holds.
func (s *Service) logSpan(l *focus.QuietLog, id *string, on bool, kind focus.QuietKind, title string, at, plannedEnd time.Time) {
	q := &s.quiet
	q.mu.Lock()
	open := *id
	*id = ""
	q.mu.Unlock()
	if open != "" {
		if err := l.End(open, at); err != nil {
			s.problem(err)
		}
	}
	if !on {
		return
	}
	span, err := l.Begin(kind, title, at, plannedEnd)
	if err != nil {
		s.problem(err)
		return
	}
	q.mu.Lock()
	*id = span.ID
	q.mu.Unlock()
}

// presentingTitle names what made the user present, for the log.
func presentingTitle(by string) string {
	if by == api.PresentingByFullscreen {
		return "fullscreen window"
	}
	return "you said so"
}

// armPresentingHeartbeat touches the presenting span every
// presentingHeartbeat while presenting (so a crash loses at most that),
// and stops when presenting ends.
func (s *Service) armPresentingHeartbeat(on bool) {
	q := &s.quiet
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.heartbeat != nil {
		q.heartbeat.Stop()
		q.heartbeat = nil
	}
	if !on || q.closed {
		return
	}
	var beat func()
	beat = func() {
		q.mu.Lock()
		id, l, closed := q.presentID, q.log, q.closed
		if id != "" && !closed {
			q.heartbeat = s.Clock.AfterFunc(presentingHeartbeat, beat)
		}
		q.mu.Unlock()
		if id != "" && !closed {
			if err := l.Touch(id, s.Clock.Now()); err != nil {
				s.problem(err)
			}
		}
	}
	q.heartbeat = s.Clock.AfterFunc(presentingHeartbeat, beat)
}

// quietHandlers are the local API's handlers of quiet (api.RoutePresent).
func (s *Service) quietHandlers() map[string]http.Handler {
	return map[string]http.Handler{
		api.RoutePresent: answer(func(r *http.Request) (any, error) {
			var req api.Present
			if err := decode(r, &req); err != nil {
				return nil, err
			}
			return s.SetPresenting(req.On), nil
		}),
	}
}
