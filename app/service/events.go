package service

import "sync"

// maxPendingEvents bounds the events waiting for one slow subscriber. Below
// it, a focus change that reverses the pending one (focus on, then off) is
// kept so the subscriber sees both; at the bound even those merge, latest
// wins, so a subscriber that stopped reading costs constant memory.
const maxPendingEvents = 32

// subscriber hands events to one Subscribe callback on a goroutine of its
// own, so emit never waits for a subscriber: a window busy drawing cannot
// stall the API, the notification intake or the focus engine. Events that
// arrive while the callback runs wait in a short queue where one of the
// same kind replaces the older (HeldChanged ten thousand times is one
// HeldChanged), so a slow subscriber is told the latest state, not a
// backlog.
type subscriber struct {
	f func(Event)

	mu      sync.Mutex
	idle    *sync.Cond // signalled when the delivery goroutine ends
	queue   []Event
	running bool // a delivery goroutine is on its way
	closed  bool
}

func newSubscriber(f func(Event)) *subscriber {
	s := &subscriber{f: f}
	s.idle = sync.NewCond(&s.mu)
	return s
}

// post queues e and starts delivery if none runs; it never blocks on f.
func (s *subscriber) post(e Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.queue = mergeEvent(s.queue, e)
	if !s.running {
		s.running = true
		go s.deliver()
	}
}

// mergeEvent adds e to the pending queue: the last pending event of its
// kind gives way to it (moved to the end, so the order of the latest
// events holds), except a focus change that reverses the pending one while
// the queue is short.
func mergeEvent(queue []Event, e Event) []Event {
	for i := len(queue) - 1; i >= 0; i-- {
		p := queue[i]
		if p.Kind != e.Kind {
			continue
		}
		if e.Kind == FocusChanged && p.Focus.Focusing != e.Focus.Focusing && len(queue) < maxPendingEvents {
			break
		}
		queue = append(queue[:i], queue[i+1:]...)
		break
	}
	return append(queue, e)
}

// deliver calls f with each pending event in turn until none is left.
func (s *subscriber) deliver() {
	for {
		s.mu.Lock()
		if len(s.queue) == 0 || s.closed {
			s.queue = nil
			s.running = false
			s.idle.Broadcast()
			s.mu.Unlock()
			return
		}
		e := s.queue[0]
		s.queue = s.queue[1:]
		s.mu.Unlock()
		s.f(e)
	}
}

// close drops pending events; nothing is delivered after the callback
// running now, if any, returns.
func (s *subscriber) close() {
	s.mu.Lock()
	s.closed = true
	s.queue = nil
	s.mu.Unlock()
}

// wait blocks until nothing is pending or being delivered.
func (s *subscriber) wait() {
	s.mu.Lock()
	for s.running {
		s.idle.Wait()
	}
	s.mu.Unlock()
}

// Flush blocks until every event emitted before it has been handed to the
// subscribers and their callbacks have returned. Tests use it to see the
// effect of an event; the running app never needs to.
func (s *Service) Flush() {
	s.subMu.Lock()
	subs := make([]*subscriber, 0, len(s.subs))
	for _, sub := range s.subs {
		subs = append(subs, sub)
	}
	s.subMu.Unlock()
	for _, sub := range subs {
		sub.wait()
	}
}
