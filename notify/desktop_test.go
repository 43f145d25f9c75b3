//go:build desktop && linux

package notify

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/lullapp/lull/internal/clock"
)

// busWatch is an independent monitor that records every Notify call on the
// session bus, to prove what reached the desktop.
type busWatch struct {
	mu    sync.Mutex
	calls []Notification
}

func watchBus(t *testing.T) *busWatch {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	rules := []string{"type='method_call',interface='org.freedesktop.Notifications',member='Notify'"}
	if err := conn.BusObject().Call("org.freedesktop.DBus.Monitoring.BecomeMonitor", 0, rules, uint32(0)).Err; err != nil {
		t.Fatal(err)
	}
	ch := make(chan *dbus.Message, 64)
	conn.Eavesdrop(ch)
	w := &busWatch{}
	go func() {
		for msg := range ch {
			if n, ok := ParseNotify(msg.Body); ok {
				w.mu.Lock()
				w.calls = append(w.calls, n)
				w.mu.Unlock()
			}
		}
	}()
	return w
}

func (w *busWatch) from(app string) []Notification {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []Notification
	for _, n := range w.calls {
		if n.App == app {
			out = append(out, n)
		}
	}
	return out
}

func sh(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestDesktopDunst runs against a real dunst in a private session bus:
//
//	dbus-run-session -- sh -c 'dunst & sleep 1; go test -tags desktop -run Desktop -v ./notify/'
func TestDesktopDunst(t *testing.T) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Skip("no session bus (run inside dbus-run-session)")
	}
	if _, err := exec.LookPath("dunst"); err != nil {
		t.Skip("dunst not installed")
	}
	waitFor(t, "dunst to answer", func() bool { return exec.Command("dunstctl", "is-paused").Run() == nil })
	sh(t, "dunstctl", "set-paused", "false")
	sh(t, "dunstctl", "close-all")

	watch := watchBus(t)
	bus, err := OpenBus()
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	server, err := bus.ServerName()
	if err != nil || server != "dunst" {
		t.Fatalf("ServerName = %q, %v", server, err)
	}
	dnd, err := SelectDND("auto", Environment{ServerName: server}, ExecRunner, bus.NewKDE)
	if err != nil || dnd.Name() != "dunst" {
		t.Fatalf("SelectDND = %v, %v", dnd, err)
	}
	rec := newRecorder()
	focus := &fakeFocus{}
	svc, err := New(Deps{DB: MustOpen(t), Clock: clock.Real{}, Focus: focus, Interruptions: rec,
		Sender: NewSender(bus), DND: dnd, Closer: bus, Logf: t.Logf}, Config{Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	ctx, cancel := context.WithCancel(t.Context())
	capture, err := StartCapture(ctx, CaptureConfig{Submitter: svc, Clock: clock.Real{},
		IgnoreSenders: []string{bus.UniqueName()}, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); <-capture.Done() }()
	count := func(what string) string { return sh(t, "dunstctl", "count", what) }
	heldN := func(n int) func() bool {
		return func() bool { h, _ := svc.Held(); return len(h) == n }
	}

	// Block 1: everything held, one digest at the end.
	focus.set(true, time.Now().Add(time.Hour))
	svc.FocusStarted()
	if got := sh(t, "dunstctl", "is-paused"); got != "true" {
		t.Fatalf("during focus dunstctl is-paused = %s", got)
	}
	sh(t, "notify-send", "-a", "Mail", "m1", "first")
	sh(t, "notify-send", "-a", "Mail", "m2", "second")
	sh(t, "notify-send", "-a", "CI", "build red")
	waitFor(t, "3 held items", heldN(3))
	if got := count("waiting"); got != "3" {
		t.Fatalf("dunst waiting = %s during focus, want 3", got)
	}
	focus.set(false, time.Time{})
	svc.FocusEnded(time.Hour)
	waitFor(t, "the digest on the bus", func() bool { return len(watch.from(AppName)) >= 1 })
	time.Sleep(300 * time.Millisecond) // room for a wrong second Notify to show up
	digests := watch.from(AppName)
	// The digest names each source's senders or titles, newest first.
	if len(digests) != 1 || digests[0].Title != "Lull — 3 held" || digests[0].Body != "Mail: m2, m1 · CI: build red" {
		t.Fatalf("digest Notify calls = %+v, want exactly one \"Lull — 3 held\" / \"Mail: m2, m1 · CI: build red\"", digests)
	}
	if got := sh(t, "dunstctl", "is-paused"); got != "false" {
		t.Fatalf("after focus dunstctl is-paused = %s", got)
	}
	waitFor(t, "dunst to show only the digest", func() bool { return count("displayed") == "1" && count("waiting") == "0" })
	if h, _ := svc.Held(); len(h) != 0 {
		t.Fatalf("still held after the digest: %+v", h)
	}
	sh(t, "dunstctl", "close-all")

	// Block 2: a critical notification breaks through at once.
	focus.set(true, time.Now().Add(time.Hour))
	svc.FocusStarted()
	sh(t, "notify-send", "-a", "Chat", "lunch?")
	waitFor(t, "1 held item", heldN(1))
	sh(t, "notify-send", "-a", "Pager", "--urgency=critical", "prod down")
	waitFor(t, "the interruption", func() bool { return len(rec.log()) == 1 })
	if ints := rec.ints; ints[0].Source != "Pager" || ints[0].Reason != "urgent" {
		t.Fatalf("interruption = %+v", ints[0])
	}
	waitFor(t, "the critical one on screen, alone", func() bool {
		return count("displayed") == "1" && count("waiting") == "0"
	})
	sh(t, "dunstctl", "close-all") // the user reads it
	// Held from now on: closed on the server as soon as its id is known.
	sh(t, "notify-send", "-a", "Chat", "still there?")
	waitFor(t, "2 held items", heldN(2))
	waitFor(t, "the held original closed", func() bool { return count("displayed") == "0" && count("waiting") == "0" })
	focus.set(false, time.Time{})
	svc.FocusEnded(time.Hour)
	waitFor(t, "the second digest", func() bool { return len(watch.from(AppName)) >= 2 })
	time.Sleep(300 * time.Millisecond)
	if d := watch.from(AppName); len(d) != 2 || d[1].Title != "Lull — 2 held" || d[1].Body != "Chat: still there?, lunch?" {
		t.Fatalf("digest Notify calls = %+v", d)
	}
	waitFor(t, "only the digest shown", func() bool { return count("displayed") == "1" && count("waiting") == "0" })
	if got := sh(t, "dunstctl", "is-paused"); got != "false" {
		t.Fatalf("after focus dunstctl is-paused = %s", got)
	}

	sh(t, "dunstctl", "close-all")

	// Block 3: an urgent API notification is shown at once with critical
	// urgency, and the empty end-of-block digest sends nothing.
	focus.set(true, time.Now().Add(time.Hour))
	svc.FocusStarted()
	if _, err := svc.Submit(t.Context(), []Notification{{Source: "ci", Title: "prod down", Priority: PriorityUrgent, Origin: OriginAPI}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the breakthrough on the bus", func() bool { return len(watch.from(AppName)) == 3 })
	if d := watch.from(AppName)[2]; d.Title != "ci: prod down" || d.Urgency != UrgencyCritical {
		t.Fatalf("breakthrough Notify = %+v, want \"ci: prod down\" with urgency critical", d)
	}
	waitFor(t, "the breakthrough on screen", func() bool { return count("displayed") == "1" })
	focus.set(false, time.Time{})
	svc.FocusEnded(time.Hour)
	time.Sleep(300 * time.Millisecond)
	if d := watch.from(AppName); len(d) != 3 {
		t.Fatalf("an empty digest was sent: %+v", d[3:])
	}
}
