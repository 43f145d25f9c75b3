package app

import (
	"context"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/clock"
)

// Reconnection backoff of the event stream when it cannot even be opened
// (the resident is not running): the api.Client's own backoff takes over
// once it is open, and between tries the window stays quiet.
const (
	connectRetryMin = 200 * time.Millisecond
	connectRetryMax = 5 * time.Second
)

// bridge is the one place where work off the UI goroutine meets widgets:
// the resident's events, reads and changes finishing, and the focus clock
// all reach the views through do, which hands them to fyne.Do.
//
// Events are merged: however many arrive while the UI goroutine is busy,
// at most one application of them waits in its queue, and it applies the
// latest of each kind. A notification flood therefore costs the window one
// refresh per frame it can draw, not one per notification.
type bridge struct {
	// post hands a function to the UI goroutine: fyne.Do, or in tests a
	// queue the test goroutine drains, which is how a real driver behaves.
	post func(func())
	// apply applies merged events on the UI goroutine (UI.apply).
	apply func(pendingEvents)

	mu     sync.Mutex
	tick   clock.Timer // the next status refresh while focusing
	closed bool
	// pending are the events not yet applied, and queued says an
	// applyPending waits on the UI goroutine for them.
	pending pendingEvents
	queued  bool
	// seen is the highest Seq of the events received (tests wait for it).
	seen uint64

	// jobs counts background work started by run (and the event pump), so
	// Close and tests can wait for it.
	jobs sync.WaitGroup
}

func newBridge(post func(func())) *bridge {
	if post == nil {
		post = fyne.Do
	}
	return &bridge{post: post}
}

// start follows the event stream events opens until ctx ends: the
// api.Client reconnects a stream that broke by itself (saying so with
// EventDisconnected); one that cannot be opened at all is tried again with
// backoff, as if it had broken.
func (b *bridge) start(ctx context.Context, events func(context.Context) (<-chan api.Event, error)) {
	go func() {
		wait := connectRetryMin
		for ctx.Err() == nil {
			ch, err := events(ctx)
			if err != nil {
				b.event(api.Event{Kind: api.EventDisconnected, Problem: err.Error()})
				select {
				case <-ctx.Done():
					return
				case <-time.After(wait):
				}
				wait = min(2*wait, connectRetryMax)
				continue
			}
			wait = connectRetryMin
			for e := range ch {
				b.event(e)
			}
		}
	}()
}

// pendingEvents are events merged for one application: the kinds that
// occurred and the latest of what they carry.
type pendingEvents struct {
	kinds map[api.EventKind]bool
	// focus is the latest focus state (focus, connected).
	focus *focus.State
	// tray is the latest tray state (tray, connected).
	tray *bool
	// quiet is the latest quiet state (meeting, presenting, connected).
	quiet *api.Quiet
	// link is the latest of connected and disconnected, if any.
	link api.EventKind
	// show asks to show the window, on tab.
	show bool
	tab  string
	// problem is the latest background failure.
	problem string
}

func (p *pendingEvents) add(e api.Event) {
	if p.kinds == nil {
		p.kinds = map[api.EventKind]bool{}
	}
	p.kinds[e.Kind] = true
	if e.Focus != nil {
		st := *e.Focus
		p.focus = &st
	}
	if e.Tray != nil {
		tray := *e.Tray
		p.tray = &tray
	}
	if e.Quiet != nil {
		q := *e.Quiet
		p.quiet = &q
	}
	switch e.Kind {
	case api.EventConnected, api.EventDisconnected:
		p.link = e.Kind
	case api.EventShow:
		p.show, p.tab = true, e.Tab
	case api.EventShowDigest:
		p.show, p.tab = true, "digest"
	case api.EventProblem:
		p.problem = e.Problem
	}
}

func (p pendingEvents) has(k api.EventKind) bool { return p.kinds[k] }

// event receives an event off the UI goroutine; it never waits for the UI.
func (b *bridge) event(e api.Event) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.pending.add(e)
	if e.Kind == api.EventConnected {
		b.seen = e.Seq // perhaps another resident, counting from its start
	} else {
		b.seen = max(b.seen, e.Seq)
	}
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
	if !closed && b.apply != nil {
		b.apply(p)
	}
}

// waitSeq waits until an event numbered seq or later was received (and its
// application handed to the UI goroutine), the bridge closed, or timeout
// passed; it reports whether it was received.
func (b *bridge) waitSeq(seq uint64, timeout time.Duration) bool {
	for deadline := time.Now().Add(timeout); ; time.Sleep(time.Millisecond) {
		b.mu.Lock()
		done, closed := b.seen >= seq, b.closed
		b.mu.Unlock()
		if done || closed {
			return done
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

// do runs f on the UI goroutine.
func (b *bridge) do(f func()) { b.post(f) }

// run does work on its own goroutine and then done(err) on the UI goroutine:
// how every request to the resident leaves the window responsive.
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

// arm schedules the next status refresh for st: one timer on c while
// focusing, due when the shown remaining time next changes, which then
// runs refresh on the UI goroutine; none while idle, so an idle window
// never wakes up for its clock.
func (b *bridge) arm(c clock.Clock, st focus.State, now time.Time, refresh func()) {
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
	b.tick = c.AfterFunc(d, func() {
		b.do(func() {
			if b.isClosed() {
				return
			}
			refresh()
			// The focus state may have changed meanwhile without an event
			// yet: rearm from the latest known, moved on by the tick.
			b.arm(c, st, c.Now(), refresh)
		})
	})
}

func (b *bridge) isClosed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closed
}

// close stops applying events and the clock. Jobs still running finish on
// their own (their context is the UI's, which Close cancels).
func (b *bridge) close() {
	b.mu.Lock()
	b.closed = true
	if b.tick != nil {
		b.tick.Stop()
		b.tick = nil
	}
	b.mu.Unlock()
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
// a slow read (ten thousand held notifications, a busy resident) never
// blocks drawing.
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
