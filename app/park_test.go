package app

import (
	"testing"
	"time"

	"github.com/lullapp/lull/internal/clock"
)

// parkLoop stands in for Fyne's event loop: what the parker posts lands on
// queue, and run plays the loop running the next queued function.
type parkLoop struct {
	t     *testing.T
	clk   *clock.Fake
	p     *parker
	queue chan func()
}

const testQuantum = 250 * time.Millisecond

func newParkLoop(t *testing.T) *parkLoop {
	l := &parkLoop{t: t, clk: clock.NewFake(uiT0), queue: make(chan func(), 16)}
	l.p = newParker(l.clk, testQuantum, func(f func()) { l.queue <- f })
	t.Cleanup(l.p.stop)
	return l
}

// next waits for the parker to queue a function.
func (l *parkLoop) next() func() {
	l.t.Helper()
	select {
	case f := <-l.queue:
		return f
	case <-time.After(5 * time.Second):
		l.t.Fatal("nothing queued on the loop")
		return nil
	}
}

// idle reports that nothing is queued on the loop.
func (l *parkLoop) idle() bool {
	select {
	case f := <-l.queue:
		l.queue <- f
		return false
	default:
		return true
	}
}

// run runs f as the loop would, on a goroutine of its own; the returned
// channel closes when f returns.
func (l *parkLoop) run(f func()) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	return done
}

// parked runs the next queued park and waits until it holds the loop:
// its quantum's timer is on the clock.
func (l *parkLoop) parked() <-chan struct{} {
	l.t.Helper()
	done := l.run(l.next())
	for deadline := time.Now().Add(5 * time.Second); l.clk.Pending() == 0; time.Sleep(time.Millisecond) {
		select {
		case <-done:
			l.t.Fatal("the park returned instead of holding the loop")
		default:
		}
		if time.Now().After(deadline) {
			l.t.Fatal("the park never armed its quantum")
		}
	}
	return done
}

func returned(done <-chan struct{}) bool {
	select {
	case <-done:
		return true
	case <-time.After(5 * time.Second):
		return false
	}
}

func stillParked(done <-chan struct{}) bool {
	select {
	case <-done:
		return false
	case <-time.After(20 * time.Millisecond):
		return true
	}
}

// TestParkerHoldsTheLoopWhileHidden: hidden, the loop is held for a
// quantum at a time and the park queues itself again; showing the window
// ends the quantum at once and parking stops.
func TestParkerHoldsTheLoopWhileHidden(t *testing.T) {
	l := newParkLoop(t)
	l.p.hide()
	for i := range 3 {
		done := l.parked()
		if !stillParked(done) {
			t.Fatalf("quantum %d: the park returned before its quantum", i)
		}
		l.clk.Advance(testQuantum)
		if !returned(done) {
			t.Fatalf("quantum %d: the park did not return when its quantum ended", i)
		}
	}
	done := l.parked()
	l.p.show()
	if !returned(done) {
		t.Fatal("showing the window did not end the quantum")
	}
	if !l.idle() {
		t.Fatal("the park queued itself again with the window shown")
	}
	// Hiding again parks again.
	l.p.hide()
	done = l.parked()
	l.clk.Advance(testQuantum)
	if !returned(done) {
		t.Fatal("the park did not return when its quantum ended")
	}
	l.next() // queued again
}

// TestParkerNudgeRunsQueuedWorkNow: a nudge (the bridge posted something)
// ends the quantum early and parking goes on after what was queued.
func TestParkerNudgeRunsQueuedWorkNow(t *testing.T) {
	l := newParkLoop(t)
	l.p.hide()
	done := l.parked()
	l.p.nudge()
	if !returned(done) {
		t.Fatal("a nudge did not end the quantum")
	}
	l.run(l.next()) // parks again, hidden
}

// TestParkerStopsOnQuit: stop ends the quantum, nothing is queued again,
// and hiding afterwards does not park.
func TestParkerStopsOnQuit(t *testing.T) {
	l := newParkLoop(t)
	l.p.hide()
	done := l.parked()
	l.p.stop()
	if !returned(done) {
		t.Fatal("stop did not end the quantum")
	}
	l.p.show()
	l.p.hide()
	time.Sleep(20 * time.Millisecond)
	if !l.idle() {
		t.Fatal("the parker queued work after stop")
	}
}

// TestParkerHoldKeepsTheLoopAwake: when the tray menu opens, the loop
// runs unparked until the hold ends, then parks again.
func TestParkerHoldKeepsTheLoopAwake(t *testing.T) {
	l := newParkLoop(t)
	l.p.hide()
	done := l.parked()
	l.p.hold(10 * time.Second)
	if !returned(done) {
		t.Fatal("opening the tray menu did not end the quantum")
	}
	// The next park sees the hold and leaves the loop running.
	<-l.run(l.next())
	if !l.idle() {
		t.Fatal("a park was queued during the hold")
	}
	l.clk.Advance(9 * time.Second)
	if !l.idle() {
		t.Fatal("a park was queued before the hold ended")
	}
	l.clk.Advance(time.Second)
	done = l.parked()
	l.clk.Advance(testQuantum)
	if !returned(done) {
		t.Fatal("the park after the hold did not end with its quantum")
	}
}

// TestParkerStopsWhenPostRunsAtOnce: once Fyne's loop has stopped, fyne.Do
// runs functions at once; a park that queued itself would recurse, so it
// stops instead.
func TestParkerStopsWhenPostRunsAtOnce(t *testing.T) {
	clk := clock.NewFake(uiT0)
	p := newParker(clk, testQuantum, func(f func()) { f() })
	p.hide() // parks on a goroutine of hide's
	for deadline := time.Now().Add(5 * time.Second); clk.Pending() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the park never armed its quantum")
		}
	}
	clk.Advance(testQuantum)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		p.mu.Lock()
		stopped, parking := p.stopped, p.parking
		p.mu.Unlock()
		if stopped && !parking {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stopped %v, parking %v; want a stopped parker", stopped, parking)
		}
	}
	if clk.Pending() != 0 {
		t.Fatal("a stopped parker left a timer")
	}
}

// TestNilParkerNeverParks: without Options.Park the UI has no parker, and
// every call on it is a no-op.
func TestNilParkerNeverParks(t *testing.T) {
	var p *parker
	p.hide()
	p.show()
	p.nudge()
	p.hold(time.Second)
	p.stop()
	h := newHarness(t)
	if h.ui.park != nil {
		t.Fatal("the UI parks without Options.Park")
	}
}

// TestUIParksWhileHiddenToTheTray: closing the window parks the loop,
// ShowWindow ends the quantum at once and stops parking, the tray's Open
// Lull and Weekly report stop it too, and the tray's Quit stops it for
// good.
func TestUIParksWhileHiddenToTheTray(t *testing.T) {
	h := newHarness(t)
	l := newParkLoop(t)
	h.ui.park = l.p
	w := h.ui.win.(*recWindow)

	w.close()
	if w.isShown() {
		t.Fatal("closing did not hide the window")
	}
	done := l.parked()
	go h.ui.ShowWindow() // a second `lull`, or tapping the tray icon
	if !returned(done) {
		t.Fatal("ShowWindow did not wake the parked loop")
	}
	l.next() // still hidden when the park woke: it queued itself again
	h.wait() // the loop runs the show ShowWindow queued
	if !w.isShown() {
		t.Fatal("ShowWindow did not show the window")
	}
	<-l.run(func() { l.p.park() }) // the park queued before the show
	if !l.idle() {
		t.Fatal("still parking with the window shown")
	}

	menu, _, _ := h.app.state()
	for _, item := range []string{"Open Lull", "Weekly report"} {
		w.close()
		done = l.parked()
		// Fyne queues the click behind the park: it runs when the quantum
		// ends.
		l.clk.Advance(testQuantum)
		if !returned(done) {
			t.Fatalf("%s: the park did not return with its quantum", item)
		}
		menuItem(t, menu, item).Action()
		if !w.isShown() {
			t.Fatalf("%s did not show the window", item)
		}
		<-l.run(l.next())
		if !l.idle() {
			t.Fatalf("still parking after %s", item)
		}
	}

	w.close()
	done = l.parked()
	menuItem(t, menu, "Quit").Action()
	if !returned(done) || h.quits != 1 {
		t.Fatalf("Quit: quits %d; want the app quit and the loop unparked", h.quits)
	}
	if !l.idle() {
		t.Fatal("still parking after Quit")
	}
}
