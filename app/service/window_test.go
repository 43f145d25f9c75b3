package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/lullapp/lull/app/winproc"
	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/fake"
	"github.com/lullapp/lull/notify"
)

// fakeWindows stands in for winproc.Launcher: it records the requests and
// "runs" a window once one was started.
type fakeWindows struct {
	mu       sync.Mutex
	requests []winproc.Request
	running  bool
	err      error
}

func (f *fakeWindows) Show(r winproc.Request) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r)
	if f.err != nil {
		return false, f.err
	}
	if f.running {
		return false, nil
	}
	f.running = true
	return true, nil
}

func (f *fakeWindows) seen() []winproc.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]winproc.Request(nil), f.requests...)
}

// fakeTrayHost is a tray host the test switches.
type fakeTrayHost struct {
	mu      sync.Mutex
	present bool
	watch   func(bool)
}

func (h *fakeTrayHost) Present() bool { h.mu.Lock(); defer h.mu.Unlock(); return h.present }

func (h *fakeTrayHost) Watch(f func(bool)) func() {
	h.mu.Lock()
	h.watch = f
	h.mu.Unlock()
	return func() { h.mu.Lock(); h.watch = nil; h.mu.Unlock() }
}

func (h *fakeTrayHost) set(p bool) {
	h.mu.Lock()
	h.present = p
	f := h.watch
	h.mu.Unlock()
	if f != nil {
		f(p)
	}
}

// windowRig is a service with a fake window launcher and tray host.
type windowRig struct {
	svc     *Service
	clk     *clock.Fake
	windows *fakeWindows
	host    *fakeTrayHost
	digests *fake.Sender[notify.Message]
	notices *fake.Sender[notify.Message]

	mu     sync.Mutex
	events []Event
}

func startWindowRig(t *testing.T, host *fakeTrayHost, windows *fakeWindows) *windowRig {
	t.Helper()
	keyring.MockInit()
	r := &windowRig{clk: clock.NewFake(monday), windows: windows, host: host,
		digests: &fake.Sender[notify.Message]{}, notices: &fake.Sender[notify.Message]{}}
	opts := Options{
		DataOptions:  DataOptions{Dir: t.TempDir(), Clock: r.clk},
		Sender:       r.digests,
		NoticeSender: r.notices,
		TokenKeyring: &fake.Keyring{},
		NoAPI:        true,
		SyncInterval: -1,
		Logf:         t.Logf,
	}
	if windows != nil {
		opts.ShowWindow = windows.Show
	}
	if host != nil {
		opts.TrayHost = host
	}
	var err error
	if r.svc, err = Start(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.svc.Close() })
	r.svc.Subscribe(func(e Event) { r.mu.Lock(); r.events = append(r.events, e); r.mu.Unlock() })
	return r
}

// shows lists the show events so far as "kind tab".
func (r *windowRig) shows() []string {
	r.svc.Flush()
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		switch e.Kind {
		case ShowWindow:
			out = append(out, "show "+e.Tab)
		case ShowDigest:
			out = append(out, "digest "+e.Tab)
		}
	}
	return out
}

func (r *windowRig) count(kind EventKind) int {
	r.svc.Flush()
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// TestShowWindowStartsOrRaises: the first request starts the window
// process with the tab asked for and emits nothing; later ones, while it
// runs, tell it through an event carrying the tab (ShowDigest for the
// Digest tab).
func TestShowWindowStartsOrRaises(t *testing.T) {
	w := &fakeWindows{}
	r := startWindowRig(t, nil, w)
	if err := r.svc.ShowWindow(winproc.TabReport); err != nil {
		t.Fatal(err)
	}
	if got := r.shows(); len(got) != 0 {
		t.Fatalf("starting the window emitted %q", got)
	}
	// (Flushed one by one: pending events of a kind merge, latest wins.)
	r.svc.RequestShow()
	r.svc.Flush()
	r.svc.RequestShowDigest()
	r.svc.Flush()
	if err := r.svc.ShowWindow(winproc.TabReport); err != nil {
		t.Fatal(err)
	}
	want := []string{"show ", "digest digest", "show report"}
	if got := r.shows(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("events %q, want %q", got, want)
	}
	if got := fmt.Sprint(w.seen()); got != "[{report false} { false} {digest false} {report false}]" {
		t.Fatalf("launcher asked %s", got)
	}
}

// TestShowWindowWithoutLauncher: a service with no window launcher (tests,
// a window in the same process) turns every request into an event.
func TestShowWindowWithoutLauncher(t *testing.T) {
	r := startWindowRig(t, nil, nil)
	r.svc.RequestShow()
	r.svc.Flush()
	r.svc.RequestShowDigest()
	if got := r.shows(); strings.Join(got, ",") != "show ,digest digest" {
		t.Fatalf("events %q", got)
	}
}

// TestMissingWindowIsToldOnce: when the window cannot start, ShowWindow
// returns why, and a tray or digest click (RequestShow*) shows it as a
// notice, not as a digest.
func TestMissingWindowIsToldOnce(t *testing.T) {
	missing := fmt.Errorf("%w: no /opt/lull/lull-window, and none on PATH", winproc.ErrNotInstalled)
	r := startWindowRig(t, nil, &fakeWindows{err: missing})
	if err := r.svc.ShowWindow(""); !errors.Is(err, winproc.ErrNotInstalled) {
		t.Fatalf("ShowWindow = %v, want ErrNotInstalled", err)
	}
	r.svc.RequestShowDigest()
	got := r.notices.Sent()
	if len(got) != 1 || got[0].Title != "Lull cannot open its window" || got[0].Body != "The window is not installed beside lull: no /opt/lull/lull-window, and none on PATH" {
		t.Fatalf("notices %+v", got)
	}
	if d := r.digests.Sent(); len(d) != 0 {
		t.Fatalf("the notice went out as a digest: %+v", d)
	}
	if got := r.shows(); len(got) != 0 {
		t.Fatalf("a failed start emitted %q", got)
	}
}

// TestNoTrayNoticeAndMinimisedWindow: on a desktop without tray icons,
// noTrayGrace after start Lull says so once and starts the window
// minimised; TrayAvailable follows the host with a TrayChanged event.
func TestNoTrayNoticeAndMinimisedWindow(t *testing.T) {
	host := &fakeTrayHost{}
	w := &fakeWindows{}
	r := startWindowRig(t, host, w)
	if r.svc.TrayAvailable() {
		t.Fatal("TrayAvailable with no tray host")
	}
	r.clk.Advance(noTrayGrace - time.Second)
	r.svc.Flush()
	if n := len(r.notices.Sent()); n != 0 {
		t.Fatalf("%d notices before the grace ended", n)
	}
	r.clk.Advance(time.Second)
	waitUntil(t, func() bool { return len(r.notices.Sent()) == 1 && len(w.seen()) == 1 })
	if n := r.notices.Sent()[0]; n.Title != NoTrayTitle || n.Body != NoTrayMessage {
		t.Fatalf("notice %+v", n)
	}
	if got := w.seen(); !got[0].Minimized || got[0].Tab != "" {
		t.Fatalf("window request %+v, want a minimised window", got[0])
	}
	// The window now runs; a tray host that comes and goes later changes
	// TrayAvailable and tells subscribers, but no second notice or window.
	host.set(true)
	if !r.svc.TrayAvailable() || r.count(TrayChanged) != 1 {
		t.Fatalf("tray host appeared: available %v, %d events", r.svc.TrayAvailable(), r.count(TrayChanged))
	}
	host.set(true) // no change, no event
	host.set(false)
	r.clk.Advance(time.Hour)
	r.svc.Flush()
	if r.svc.TrayAvailable() || r.count(TrayChanged) != 2 || len(r.notices.Sent()) != 1 || len(r.shows()) != 0 {
		t.Fatalf("available %v, %d events, %d notices, shows %q", r.svc.TrayAvailable(), r.count(TrayChanged), len(r.notices.Sent()), r.shows())
	}
}

// TestTrayPresentAtGraceSaysNothing: with a tray host, or one that appears
// within the grace (a panel starting after Lull at login), nothing is told
// and no window starts.
func TestTrayPresentAtGraceSaysNothing(t *testing.T) {
	for _, late := range []bool{false, true} {
		host := &fakeTrayHost{present: !late}
		w := &fakeWindows{}
		r := startWindowRig(t, host, w)
		if late {
			r.clk.Advance(noTrayGrace / 2)
			host.set(true)
		}
		r.clk.Advance(2 * noTrayGrace)
		r.svc.Flush()
		time.Sleep(50 * time.Millisecond) // the grace's work runs in the background
		if !r.svc.TrayAvailable() || len(r.notices.Sent()) != 0 || len(w.seen()) != 0 {
			t.Fatalf("late %v: available %v, notices %+v, windows %+v", late, r.svc.TrayAvailable(), r.notices.Sent(), w.seen())
		}
	}
}

// TestMinimisedRequestLeavesARunningWindow: the no-tray start asks for a
// minimised window; one that already runs (the user opened it) is neither
// raised nor doubled.
func TestMinimisedRequestLeavesARunningWindow(t *testing.T) {
	host := &fakeTrayHost{}
	w := &fakeWindows{running: true}
	r := startWindowRig(t, host, w)
	r.clk.Advance(noTrayGrace)
	waitUntil(t, func() bool { return len(w.seen()) == 1 })
	if got := r.shows(); len(got) != 0 {
		t.Fatalf("the running window was told %q", got)
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10 s")
		}
	}
}
