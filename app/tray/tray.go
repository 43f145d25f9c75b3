package tray

import (
	"context"
	"errors"
	"sync"

	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/app/winproc"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/notify"
)

// Options configure the tray.
type Options struct {
	// Logf receives what went wrong in the tray (default: the service's
	// notices only).
	Logf func(format string, args ...any)
}

// view is the platform's tray: it shows a Model as the icon, its tooltip
// and the menu items, and hands clicks back to the Tray.
type view interface {
	show(m Model, items []Item)
}

// Tray keeps the tray in step with the service and runs what is clicked.
type Tray struct {
	svc  *service.Service
	view view
	quit func()
	logf func(format string, args ...any)

	// kick asks the loop to read the state again (buffered: kicks that
	// pile up while it reads are one).
	kick   chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
	loop   sync.WaitGroup // the refresh loop
	jobs   sync.WaitGroup // clicked actions still running

	// mu orders start and close, which the platform may call from
	// different goroutines (systray runs start on one of its own).
	mu     sync.Mutex
	closed bool
	unsub  func()

	// Owned by the refresh loop.
	model Model
	shown bool
	timer clock.Timer
}

// newTray returns a tray over svc showing through v; quit is what the Quit
// item does. It does nothing until start.
func newTray(svc *service.Service, v view, quit func(), opts Options) *Tray {
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	t := &Tray{svc: svc, view: v, quit: quit, logf: opts.Logf, kick: make(chan struct{}, 1)}
	t.ctx, t.cancel = context.WithCancel(context.Background())
	return t
}

// start shows the menu and follows the service until close; after close
// it does nothing.
func (t *Tray) start() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	t.unsub = t.svc.Subscribe(func(service.Event) { t.refresh() })
	t.loop.Add(1)
	go t.run()
	t.refresh()
}

// close stops following the service and waits for the refresh loop and
// clicked actions, so the service can close after it.
func (t *Tray) close() {
	t.mu.Lock()
	t.closed = true
	unsub := t.unsub
	t.mu.Unlock()
	if unsub != nil {
		unsub()
	}
	t.cancel()
	t.loop.Wait()
	t.jobs.Wait()
}

// refresh asks the loop to read the state and show it again; it never
// blocks (service events and timers call it).
func (t *Tray) refresh() {
	select {
	case t.kick <- struct{}{}:
	default:
	}
}

func (t *Tray) run() {
	defer t.loop.Done()
	defer func() {
		if t.timer != nil {
			t.timer.Stop()
		}
	}()
	for {
		select {
		case <-t.kick:
			if t.ctx.Err() != nil {
				return
			}
			t.update()
		case <-t.ctx.Done():
			return
		}
	}
}

// update reads the state, shows it when the Model changed, and sets the
// timer for the next change that comes with time alone.
func (t *Tray) update() {
	st := t.read()
	if m := ModelOf(st); !t.shown || m != t.model {
		t.model, t.shown = m, true
		t.view.show(m, Menu(m))
	}
	if t.timer != nil {
		t.timer.Stop()
		t.timer = nil
	}
	if d := nextRefresh(st); d > 0 {
		// Due at a time, not after a delay: if the clock moved on while
		// this read (a suspended laptop waking), look again at once.
		if wait := st.Now.Add(d).Sub(t.svc.Clock.Now()); wait > 0 {
			t.timer = t.svc.Clock.AfterFunc(wait, t.refresh)
		} else {
			t.refresh()
		}
	}
}

// read gathers the State from the service.
func (t *Tray) read() State {
	svc := t.svc
	st := State{Focus: svc.Focus.State(), Now: svc.Clock.Now(), Loc: svc.Location()}
	if b, ok := svc.NextBlock(); ok {
		st.Next = &b
	}
	if b, ok := svc.Focus.Resumable(); ok {
		st.Resumable = &b
	}
	if held, err := svc.Notify.Held(); err == nil {
		st.Held = heldCount(held)
	}
	st.Quiet = svc.Quiet()
	return st
}

// heldCount counts held notifications as the digest will: identical
// repeats collapsed into one item count each time they came.
func heldCount(items []notify.Item) int {
	n := 0
	for _, it := range items {
		n += max(it.Count, 1)
	}
	return n
}

// click runs a on a goroutine of its own (it may write the focus log and
// switch the desktop's do-not-disturb); what it changes comes back as
// service events. A failure is told as a notice. Safe from any goroutine.
func (t *Tray) click(a Action) {
	if a.Do == Quit {
		t.quit()
		return
	}
	if a.Do == None || t.ctx.Err() != nil {
		return
	}
	t.jobs.Add(1)
	go func() {
		defer t.jobs.Done()
		defer t.refresh() // a refused action changes nothing: show the truth
		title, err := t.do(a)
		if err != nil {
			t.logf("tray: %s: %v", title, err)
			t.svc.Notice(title, words(err))
		}
	}()
}

// do runs a; on failure it returns the notice's title and the error.
func (t *Tray) do(a Action) (string, error) {
	f := t.svc.Focus
	var err error
	switch a.Do {
	case StartFocus:
		_, err = f.Start(a.Length)
		return "Focus did not start", err
	case UntilMeeting:
		_, err = f.StartUntilNextMeeting()
		return "Focus did not start", err
	case StopFocus:
		_, err = f.Stop()
		return "Focus did not stop", err
	case Resume:
		_, err = f.Resume()
		return "The block did not resume", err
	case Deliver:
		_, _, err = t.svc.Notify.DeliverNow()
		return "The digest was not delivered", err
	case Present:
		t.svc.SetPresenting(a.On)
		return "", nil
	case Open:
		return "Lull cannot open its window", t.svc.ShowWindow("")
	case Report:
		return "Lull cannot open its window", t.svc.ShowWindow(winproc.TabReport)
	}
	return "", nil
}

// words says err for people: the refusals a click can meet because the
// state changed under the menu (a block started focus, a command stopped
// it) in the tray's terms, the rest as the domain says it.
func words(err error) string {
	switch {
	case errors.Is(err, focus.ErrAlreadyFocusing):
		return "Focus is already on."
	case errors.Is(err, focus.ErrNotFocusing):
		return "Focus is not on."
	case errors.Is(err, focus.ErrNoFreeTime):
		return "Your next meeting starts in less than a minute: there is no time to focus before it."
	}
	return err.Error()
}
