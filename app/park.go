package app

import (
	"sync"
	"time"

	"github.com/lullapp/lull/internal/clock"
)

// parker lets Fyne's event loop sleep while Lull's window is hidden to the
// tray.
//
// Fyne's desktop driver wakes 60 times a second to poll window events,
// tick animations and draw, whether or not a window is shown; hidden to the
// tray, that is most of what an idle Lull costs. The loop runs the functions
// queued with fyne.Do between its ticks, so while the window is hidden the
// parker queues one that holds the UI goroutine for up to a quantum and then
// queues itself again: the loop wakes a few times a second instead of 60.
//
// Whatever else is queued meanwhile waits for the quantum to end, unless it
// comes with a wake: the bridge wakes the parker with everything it posts
// (service events, ShowWindow), so those run at once. A tray menu click,
// which Fyne queues itself, waits up to one quantum, or not at all while
// hold keeps the loop awake after the menu opened.
//
// All methods are safe from any goroutine and on a nil *parker, which never
// parks (the headless test driver, where fyne.Do runs functions at once).
type parker struct {
	clock   clock.Clock
	quantum time.Duration
	// post queues a function on the UI goroutine: fyne.Do.
	post func(func())
	// wake ends the current quantum early. It holds at most one token, and
	// only while a park is queued: a wake that comes between two quanta
	// ends the next one at once.
	wake chan struct{}

	mu      sync.Mutex
	hidden  bool        // the window is hidden: park
	queued  bool        // a park is queued, running, or due after a hold
	parking bool        // a park is running
	stopped bool        // the app is quitting: never park again
	until   time.Time   // hold the loop awake until then
	held    clock.Timer // queues the next park when the hold ends
}

func newParker(c clock.Clock, quantum time.Duration, post func(func())) *parker {
	return &parker{clock: c, quantum: quantum, post: post, wake: make(chan struct{}, 1)}
}

// hide starts parking: the window has just been hidden (or never shown).
func (p *parker) hide() {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.hidden = true
	start := !p.queued && !p.stopped
	if start {
		p.queued = true
	}
	p.mu.Unlock()
	if start {
		// From a goroutine of its own: on the UI goroutine before the app
		// runs, fyne.Do would run the park at once instead of queueing it.
		go p.post(p.park)
	}
}

// show stops parking: the window is being shown.
func (p *parker) show() {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.hidden = false
	p.mu.Unlock()
	p.nudge()
}

// nudge ends the current quantum at once, so that what was just queued
// runs now; parking goes on after it while the window is hidden.
func (p *parker) nudge() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.queued {
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
}

// ring ends the current quantum: its timer ran out.
func (p *parker) ring() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// done records that no park is queued any more; a wake left for one is
// dropped. p.mu is held.
func (p *parker) done() {
	p.queued = false
	select {
	case <-p.wake:
	default:
	}
}

// hold keeps the loop awake for d: the tray menu has just opened, and the
// click that follows should not wait for a quantum to end.
func (p *parker) hold(d time.Duration) {
	if p == nil {
		return
	}
	p.mu.Lock()
	if until := p.clock.Now().Add(d); until.After(p.until) {
		p.until = until
	}
	p.mu.Unlock()
	p.nudge()
}

// stop ends parking for good: the app is quitting, and once Fyne's loop
// has stopped, fyne.Do runs functions at once, so a park that queued
// itself would only call itself.
func (p *parker) stop() {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.stopped = true
	if p.held != nil {
		p.held.Stop()
		p.held = nil
	}
	p.mu.Unlock()
	p.nudge()
}

// park runs on the UI goroutine, queued by post: it holds the goroutine for
// up to a quantum and queues itself again while the window stays hidden.
func (p *parker) park() {
	p.mu.Lock()
	if p.parking {
		// post ran this park inside the one before: Fyne's loop is gone.
		p.stopped = true
		p.mu.Unlock()
		return
	}
	if !p.hidden || p.stopped {
		p.done()
		p.mu.Unlock()
		return
	}
	if d := p.until.Sub(p.clock.Now()); d > 0 {
		// The tray menu is open: let the loop run at full speed until the
		// hold ends, then park again.
		p.held = p.clock.AfterFunc(d, func() { p.post(p.park) })
		p.mu.Unlock()
		return
	}
	p.held = nil
	p.parking = true
	p.mu.Unlock()

	t := p.clock.AfterFunc(p.quantum, p.ring)
	<-p.wake
	t.Stop()

	p.mu.Lock()
	again := p.hidden && !p.stopped
	if !again {
		p.done()
	}
	p.mu.Unlock()
	if again {
		p.post(p.park) // still parking: a park run at once by post stops
	}
	p.mu.Lock()
	p.parking = false
	p.mu.Unlock()
}
