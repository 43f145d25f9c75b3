package service

import (
	"net/http"
	"sync"
	"time"

	"github.com/lullapp/lull/internal/api"
)

// streamWriteTimeout bounds one write to an event stream: a client that
// has not read for this long (its connection's buffers full) is dropped,
// so it holds no goroutine of the resident process for ever. It reconnects
// and starts from api.EventConnected.
const streamWriteTimeout = 10 * time.Second

// maxStreamPending bounds the events waiting for one stream's writer. Below
// it, a focus change that reverses the waiting one (focus on, then off)
// and problems that say something else are kept, so a client sees both;
// at the bound they merge too, latest wins, so a client that stopped
// reading costs the service constant memory.
const maxStreamPending = 32

// serveEvents is GET /v1/events: the service's events as Server-Sent
// Events (api.Event), starting with api.EventConnected and a heartbeat
// comment every api.HeartbeatInterval while idle, until the client goes
// away or the service closes. The service never waits for the client: its
// events wait in the stream's own short queue (streamQueue), where one of
// the same kind replaces the older.
func (s *Service) serveEvents(w http.ResponseWriter, r *http.Request) {
	if n := s.streams.Add(1); n > api.MaxEventStreams {
		s.streams.Add(-1)
		api.WriteError(w, api.ErrTooManyStreams)
		return
	}
	defer s.streams.Add(-1)
	rc := http.NewResponseController(w)
	q := newStreamQueue()
	unsubscribe, seq := s.subscribe(func(e Event) { q.post(s.wireEvent(e)) })
	defer unsubscribe()

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	write := func(f func() error) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
		return f() == nil && rc.Flush() == nil
	}
	st := s.Focus.State()
	if !write(func() error {
		tray := s.TrayAvailable()
		quiet := s.Quiet()
		return api.WriteEvent(w, api.Event{Kind: api.EventConnected, Focus: &st, Held: s.heldNow(), Tray: &tray, Quiet: &quiet, Seq: seq})
	}) {
		return
	}
	heartbeat := time.NewTicker(s.opts.EventHeartbeat)
	defer heartbeat.Stop()
	for {
		select {
		case <-q.ready:
			for _, e := range q.take() {
				if e.Kind == api.EventHeld || e.Kind == api.EventDigest {
					e.Held = s.heldNow() // as it is when the client learns of it
				}
				if !write(func() error { return api.WriteEvent(w, e) }) {
					return
				}
			}
		case <-heartbeat.C:
			if !write(func() error { return api.WriteHeartbeat(w) }) {
				return
			}
		case <-r.Context().Done():
			return
		case <-s.ctx.Done():
			return
		}
	}
}

// wireEvent is e as the API carries it.
func (s *Service) wireEvent(e Event) api.Event {
	out := api.Event{Seq: e.Seq}
	switch e.Kind {
	case FocusChanged:
		st := e.Focus
		out.Kind, out.Focus = api.EventFocus, &st
	case HeldChanged:
		out.Kind = api.EventHeld
	case DigestDelivered:
		out.Kind, out.Digest = api.EventDigest, e.Digest
	case PlanChanged:
		out.Kind = api.EventPlan
	case CalendarsChanged:
		out.Kind = api.EventCalendars
	case SettingsChanged:
		out.Kind = api.EventSettings
	case ShowWindow:
		out.Kind, out.Tab = api.EventShow, e.Tab
	case ShowDigest:
		out.Kind, out.Tab = api.EventShowDigest, e.Tab
	case TrayChanged:
		tray := s.TrayAvailable()
		out.Kind, out.Tray = api.EventTray, &tray
	case MeetingChanged, PresentingChanged:
		q := e.Quiet
		out.Kind, out.Quiet = api.EventMeeting, &q
		if e.Kind == PresentingChanged {
			out.Kind = api.EventPresenting
		}
	case Problem:
		out.Kind = api.EventProblem
		if e.Err != nil {
			out.Problem = e.Err.Error()
		}
	}
	return out
}

// heldNow counts the held notifications (0 when the queue cannot say).
func (s *Service) heldNow() int {
	held, err := s.Notify.Held()
	if err != nil {
		return 0
	}
	return heldCount(held)
}

// streamQueue holds the events waiting for one stream's writer. post never
// blocks: the service's emit calls it.
type streamQueue struct {
	mu      sync.Mutex
	pending []api.Event
	// ready is signalled (without blocking) when pending gets an event.
	ready chan struct{}
}

func newStreamQueue() *streamQueue { return &streamQueue{ready: make(chan struct{}, 1)} }

// post adds e: the waiting event of its kind gives way to it (the order of
// the latest events holds), except, while the queue is short, a focus
// change that reverses the waiting one and a problem saying something else.
func (q *streamQueue) post(e api.Event) {
	if e.Kind == "" {
		return
	}
	q.mu.Lock()
	for i := len(q.pending) - 1; i >= 0; i-- {
		p := q.pending[i]
		if p.Kind != e.Kind {
			continue
		}
		distinct := e.Kind == api.EventFocus && p.Focus.Focusing != e.Focus.Focusing ||
			e.Kind == api.EventProblem && p.Problem != e.Problem
		if distinct && len(q.pending) < maxStreamPending {
			break
		}
		q.pending = append(q.pending[:i], q.pending[i+1:]...)
		break
	}
	q.pending = append(q.pending, e)
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// take returns the waiting events and empties the queue.
func (q *streamQueue) take() []api.Event {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.pending
	q.pending = nil
	return out
}
