package app

import (
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/clock"
)

// bridge is the one place where work off the UI goroutine meets widgets:
// service events, background jobs finishing and the focus clock all reach
// the views through do, which hands them to fyne.Do.
//
// Service events are merged: however many arrive while the UI goroutine is
// busy, at most one application of them waits in its queue, and it applies
// the latest of each kind. A notification flood therefore costs the window
// one refresh per frame it can draw, not one per notification.
type bridge struct {
	ui *UI
	// post hands a function to the UI goroutine: fyne.Do, or in tests a
	// queue the test goroutine drains, which is how a real driver behaves.
	post func(func())

	mu     sync.Mutex
	unsub  func()
	tick   clock.Timer // the next status refresh while focusing
	closed bool
	// pending are the events not yet applied, and queued says an
	// applyPending waits on the UI goroutine for them.
	pending pendingEvents
	queued  bool

	// jobs counts background work started by run, so Close and tests can
	// wait for it.
	jobs sync.WaitGroup
}

func newBridge(u *UI, post func(func())) *bridge {
	if post == nil {
		post = fyne.Do
	}
	return &bridge{ui: u, post: post}
}

// start subscribes to the service and arms the clock for the current state.
func (b *bridge) start() {
	unsub := b.ui.svc.Subscribe(b.event)
	b.mu.Lock()
	b.unsub = unsub
	b.mu.Unlock()
	b.arm(b.ui.svc.Focus.State(), b.ui.now())
}

// pendingEvents are service events merged for one application: the kinds
// that occurred, the latest focus state and the latest problem.
type pendingEvents struct {
	kinds map[service.EventKind]bool
	focus focus.State
	err   error
}

func (p *pendingEvents) add(e service.Event) {
	if p.kinds == nil {
		p.kinds = map[service.EventKind]bool{}
	}
	p.kinds[e.Kind] = true
	switch e.Kind {
	case service.FocusChanged:
		p.focus = e.Focus
	case service.Problem:
		p.err = e.Err
	}
}

func (p pendingEvents) has(k service.EventKind) bool { return p.kinds[k] }

// event receives a service event off the UI goroutine; it never waits for
// the UI.
func (b *bridge) event(e service.Event) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.pending.add(e)
	post := !b.queued
	b.queued = true
	b.mu.Unlock()
	if post {
		b.do(b.applyPending)
	}
}

// applyPending applies the events merged so far, on the UI goroutine.
func (b *bridge) applyPending() {
	b.mu.Lock()
	p, closed := b.pending, b.closed
	b.pending, b.queued = pendingEvents{}, false
	b.mu.Unlock()
	if !closed {
		b.ui.apply(p)
	}
}

// do runs f on the UI goroutine, at once even while the event loop is
// parked.
func (b *bridge) do(f func()) {
	b.post(f)
	b.ui.park.nudge()
}

// run does work on its own goroutine and then done(err) on the UI goroutine:
// how every slow call (sync, publish, database writes) leaves the window
// responsive.
func (b *bridge) run(work func() error, done func(error)) {
	b.jobs.Add(1)
	go func() {
		defer b.jobs.Done()
		err := work()
		b.do(func() { done(err) })
	}()
}

// wait blocks until every job started by run has finished.
func (b *bridge) wait() { b.jobs.Wait() }

// arm schedules the next status refresh for st: one timer on the service's
// clock while focusing, due when the shown remaining time next changes;
// none while idle, so an idle Lull never wakes up for the UI.
func (b *bridge) arm(st focus.State, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tick != nil {
		b.tick.Stop()
		b.tick = nil
	}
	d := nextTick(st, now)
	if b.closed || d <= 0 {
		return
	}
	b.tick = b.ui.svc.Clock.AfterFunc(d, func() {
		b.do(func() {
			if b.isClosed() {
				return
			}
			b.ui.refreshClock()
			b.arm(b.ui.svc.Focus.State(), b.ui.now())
		})
	})
}

func (b *bridge) isClosed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closed
}

// close unsubscribes and stops the clock. Jobs still running finish on
// their own (their context is the UI's, which Close cancels).
func (b *bridge) close() {
	b.mu.Lock()
	b.closed = true
	unsub := b.unsub
	b.unsub = nil
	if b.tick != nil {
		b.tick.Stop()
		b.tick = nil
	}
	b.mu.Unlock()
	if unsub != nil {
		unsub()
	}
}

// nextTick is how long after now the status line of st next changes: when
// the rounded-up minutes left drop by one, or when the rounded minutes so
// far of an open-ended session grow. Zero while idle.
func nextTick(st focus.State, now time.Time) time.Duration {
	if !st.Focusing {
		return 0
	}
	var d time.Duration
	if st.PlannedEnd.IsZero() {
		// "1h05m so far" rounds to the minute: it changes at :30 s.
		elapsed := now.Sub(st.Start)
		if elapsed < 0 {
			elapsed = 0
		}
		d = (30*time.Second - elapsed%time.Minute + time.Minute) % time.Minute
	} else {
		// "34 min left" rounds up: it changes on each whole minute left.
		left := st.PlannedEnd.Sub(now)
		if left <= 0 {
			return time.Minute // the engine ends the session; check again
		}
		d = left % time.Minute
	}
	if d <= 0 {
		d = time.Minute
	}
	return d
}

// loader reads a view's data off the UI goroutine and shows it on the UI
// goroutine, one read at a time: asked again while a read runs, it reads
// once more when that one is shown. However often a view is asked to
// refresh, at most one refresh is in flight and the latest data wins, and
// a slow read (ten thousand held notifications) never blocks drawing.
type loader[T any] struct {
	b    *bridge
	read func() T
	show func(T)
	// running and again are touched only on the UI goroutine.
	running, again bool
}

func newLoader[T any](b *bridge, read func() T, show func(T)) *loader[T] {
	return &loader[T]{b: b, read: read, show: show}
}

// request asks for a fresh read. It runs on the UI goroutine.
func (l *loader[T]) request() {
	if l.running {
		l.again = true
		return
	}
	l.running = true
	var v T
	l.b.run(func() error {
		v = l.read()
		return nil
	}, func(error) {
		l.running = false
		if l.b.isClosed() {
			return
		}
		l.show(v)
		if l.again {
			l.again = false
			l.request()
		}
	})
}
