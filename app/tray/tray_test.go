package tray

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/app/winproc"
	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/fake"
	"github.com/lullapp/lull/notify"
)

// weekICS is a working week with a daily standup and one long meeting, so
// the planner has blocks to offer.
const weekICS = `BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Lull//tray tests//EN
BEGIN:VEVENT
UID:standup@lull.test
DTSTAMP:20261101T000000Z
DTSTART:20261130T090000Z
DTEND:20261130T091500Z
RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR
SUMMARY:Standup
END:VEVENT
BEGIN:VEVENT
UID:review@lull.test
DTSTAMP:20261101T000000Z
DTSTART:20261130T130000Z
DTEND:20261130T143000Z
SUMMARY:Design review
END:VEVENT
END:VCALENDAR
`

// recView is a view that keeps what it was asked to show.
type recView struct {
	mu     sync.Mutex
	models []Model
	items  []Item
}

func (v *recView) show(m Model, items []Item) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.models = append(v.models, m)
	v.items = items
}

func (v *recView) last() (Model, []Item, int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.models) == 0 {
		return Model{}, nil, 0
	}
	return v.models[len(v.models)-1], v.items, len(v.models)
}

// windows records the window requests the service makes.
type windows struct {
	mu   sync.Mutex
	reqs []winproc.Request
	err  error
}

func (w *windows) show(r winproc.Request) (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.reqs = append(w.reqs, r)
	return w.err == nil, w.err
}

func (w *windows) seen() []winproc.Request {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]winproc.Request(nil), w.reqs...)
}

// rig is a tray over a running service on a fake clock, shown through a
// recView.
type rig struct {
	t       *testing.T
	svc     *service.Service
	clk     *clock.Fake
	view    *recView
	tray    *Tray
	windows *windows
	digests *fake.Sender[notify.Message]
	notices *fake.Sender[notify.Message]
	quits   atomic.Int32
}

func newRig(t *testing.T) *rig {
	t.Helper()
	keyring.MockInit()
	r := &rig{t: t, clk: clock.NewFake(t0), view: &recView{}, windows: &windows{},
		digests: &fake.Sender[notify.Message]{}, notices: &fake.Sender[notify.Message]{}}
	dir := t.TempDir()
	d, err := service.OpenData(service.DataOptions{Dir: dir, Clock: r.clk})
	if err != nil {
		t.Fatal(err)
	}
	st := d.Settings()
	st.Plan.Zone, st.Onboarded = "UTC", true
	if err := d.SaveSettings(st); err != nil {
		t.Fatal(err)
	}
	ics := filepath.Join(t.TempDir(), "week.ics")
	if err := os.WriteFile(ics, []byte(weekICS), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := d.AddSource(context.Background(), service.AddSource{Kind: calendar.SourceFile, Path: ics, Name: "Work"}); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	r.svc, err = service.Start(context.Background(), service.Options{
		DataOptions:  service.DataOptions{Dir: dir, Clock: r.clk},
		Sender:       r.digests,
		NoticeSender: r.notices,
		ShowWindow:   r.windows.show,
		TokenKeyring: &fake.Keyring{},
		NoAPI:        true,
		SyncInterval: -1,
		Logf:         t.Logf,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.svc.Close(); err != nil {
			t.Errorf("close service: %v", err)
		}
	})
	r.tray = newTray(r.svc, r.view, func() { r.quits.Add(1) }, Options{Logf: t.Logf})
	r.tray.start()
	t.Cleanup(r.tray.close)
	r.waitStatus("Not focusing")
	return r
}

// waitStatus waits until the tray shows the status line want.
func (r *rig) waitStatus(want string) Model {
	r.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		m, _, _ := r.view.last()
		if m.Status == want {
			return m
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("tray status %q, want %q", m.Status, want)
		}
	}
}

// waitModel waits until the tray shows a model for which ok holds.
func (r *rig) waitModel(what string, ok func(Model) bool) Model {
	r.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		m, _, _ := r.view.last()
		if ok(m) {
			return m
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("tray shows %+v; want %s", m, what)
		}
	}
}

// click clicks the shown item labelled label, as a person would: only
// when it is there and enabled.
func (r *rig) click(label string) {
	r.t.Helper()
	_, items, _ := r.view.last()
	it := find(items, label)
	if it == nil {
		r.t.Fatalf("no %q in the tray menu %q", label, menuShape(items))
	}
	if it.Disabled {
		r.t.Fatalf("%q is disabled", label)
	}
	r.tray.click(it.Action)
}

func find(items []Item, label string) *Item {
	for i := range items {
		if items[i].Label == label {
			return &items[i]
		}
		if f := find(items[i].Sub, label); f != nil {
			return f
		}
	}
	return nil
}

// TestTrayFollowsFocus: Start focus ▸ 25 min and Stop focus take effect;
// the status line and the items follow, and the minutes count down on the
// service's clock with no event.
func TestTrayFollowsFocus(t *testing.T) {
	r := newRig(t)
	r.click("25 min")
	m := r.waitStatus("Focusing — 25 min left")
	if !m.Focusing || !r.svc.Focus.State().Focusing {
		t.Fatalf("model %+v, service focusing %v", m, r.svc.Focus.State().Focusing)
	}
	if _, items, _ := r.view.last(); !find(items, "Start focus").Disabled || find(items, "Stop focus").Disabled {
		t.Fatalf("while focusing: %q", menuShape(items))
	}
	_, _, shows := r.view.last()
	r.clk.Advance(59 * time.Second)
	time.Sleep(20 * time.Millisecond)
	if m, _, n := r.view.last(); m.Status != "Focusing — 25 min left" || n != shows {
		t.Fatalf("before the minute turned: %q after %d shows (was %d)", m.Status, n, shows)
	}
	r.clk.Advance(time.Second)
	r.waitStatus("Focusing — 24 min left")
	r.clk.Advance(10 * time.Minute)
	r.waitStatus("Focusing — 14 min left")

	r.click("Stop focus")
	m = r.waitModel("not focusing", func(m Model) bool { return !m.Focusing })
	if strings.HasPrefix(m.Status, "Focusing") || r.svc.Focus.State().Focusing {
		t.Fatalf("after Stop focus: %+v", m)
	}
	if _, _, err := r.svc.SyncNow(context.Background()); err != nil { // read the meetings
		t.Fatal(err)
	}
	r.click("Until next meeting")
	r.waitModel("focusing until the meeting", func(m Model) bool { return m.Focusing })
	if end := r.svc.Focus.State().PlannedEnd; !end.Equal(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("until next meeting ends at %v, want the standup at 09:00", end)
	}
}

// TestTrayDigestItem: what is held shows in the Deliver item as it comes,
// and Deliver digest now hands it over.
func TestTrayDigestItem(t *testing.T) {
	r := newRig(t)
	r.click("50 min")
	r.waitModel("focusing", func(m Model) bool { return m.Focusing })
	ns := []notify.Notification{{Source: "ci", Title: "Build failed"}, {Source: "mail", Title: "Lunch?"}}
	if _, err := r.svc.Submitter().Submit(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	r.waitModel("2 held", func(m Model) bool { return m.Held == 2 })
	r.click("Deliver digest now (2 held)")
	r.waitModel("nothing held", func(m Model) bool { return m.Held == 0 })
	if d := r.digests.Sent(); len(d) != 1 || !strings.Contains(d[0].Body, "Build failed") {
		t.Fatalf("digests %+v", d)
	}
	if _, items, _ := r.view.last(); !find(items, "Deliver digest now (none held)").Disabled {
		t.Fatal("Deliver is enabled with nothing held")
	}
}

// TestTrayResume: stopping an accepted block early offers "Resume block —
// N min left", whose minutes count down; it resumes the block to its end.
func TestTrayResume(t *testing.T) {
	r := newRig(t)
	if _, _, err := r.svc.SyncNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.AcceptAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	b, ok := r.svc.NextBlock()
	if !ok {
		t.Fatal("no accepted block")
	}
	r.waitStatus("Next block " + b.Start.Format("15:04"))
	r.clk.Advance(b.Start.Sub(r.clk.Now()) + time.Second) // the block starts focus
	r.waitModel("the block focusing", func(m Model) bool { return m.Focusing })
	r.click("Stop focus")
	r.waitModel("not focusing", func(m Model) bool { return !m.Focusing })
	r.clk.Advance(10 * time.Minute)
	want := resumeLabel(b.End.Sub(r.clk.Now()))
	r.waitModel(want, func(m Model) bool { return m.Resume == want })
	r.clk.Advance(time.Minute)
	next := resumeLabel(b.End.Sub(r.clk.Now()))
	if next == want {
		t.Fatalf("a minute later the label is still %q", want)
	}
	r.waitModel(next, func(m Model) bool { return m.Resume == next })
	r.click(next)
	r.waitModel("focusing again", func(m Model) bool { return m.Focusing && m.Resume == "" })
	if st := r.svc.Focus.State(); st.BlockID != b.ID || !st.PlannedEnd.Equal(b.End) {
		t.Fatalf("resumed %+v, want block %s until %v", st, b.ID, b.End)
	}
}

// TestTrayWindowItems: Open Lull and Weekly report ask the service for the
// window (the report with its tab); tapping the icon is Open; a window that
// cannot start is told as a notice; Quit quits.
func TestTrayWindowItems(t *testing.T) {
	r := newRig(t)
	r.click("Open Lull")
	r.click("Weekly report")
	r.tray.click(Action{Do: Open}) // the icon tapped
	deadline := time.Now().Add(10 * time.Second)
	for len(r.windows.seen()) < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	var got []string // the clicks run at once, in any order
	for _, req := range r.windows.seen() {
		got = append(got, fmt.Sprintf("%+v", req))
	}
	sort.Strings(got)
	if strings.Join(got, " ") != "{Tab: Minimized:false} {Tab: Minimized:false} {Tab:report Minimized:false}" {
		t.Fatalf("window requests %q", got)
	}

	r.windows.mu.Lock()
	r.windows.err = fmt.Errorf("%w: no /opt/lull/lull-window, and none on PATH", winproc.ErrNotInstalled)
	r.windows.mu.Unlock()
	r.click("Open Lull")
	for deadline := time.Now().Add(10 * time.Second); len(r.notices.Sent()) == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no notice about the missing window")
		}
	}
	if n := r.notices.Sent()[0]; n.Title != "Lull cannot open its window" || !strings.Contains(n.Body, "The window is not installed beside lull: no /opt/lull/lull-window") {
		t.Fatalf("notice %+v", n)
	}

	r.click("Quit")
	if r.quits.Load() != 1 {
		t.Fatal("Quit did not quit")
	}
}

// TestTrayRefusalIsTold: a click the state no longer allows (focus started
// by a block or a command while the menu was open) is told in words and
// the menu shows the truth.
func TestTrayRefusalIsTold(t *testing.T) {
	r := newRig(t)
	if _, err := r.svc.Focus.Start(25 * time.Minute); err != nil {
		t.Fatal(err)
	}
	r.tray.click(Action{Do: StartFocus, Length: 50 * time.Minute}) // from a menu shown before
	for deadline := time.Now().Add(10 * time.Second); len(r.notices.Sent()) == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no notice")
		}
	}
	if n := r.notices.Sent()[0]; n.Title != "Focus did not start" || n.Body != "Focus is already on." {
		t.Fatalf("notice %+v", n)
	}
	r.waitStatus("Focusing — 25 min left")
}

// TestNoFyne: the tray, and so the resident process, links no GUI toolkit.
func TestNoFyne(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "fyne.io/fyne/") {
			t.Fatalf("app/tray depends on %s", p)
		}
	}
}

// TestTrayClosedBeforeStart: a quit before the tray was ready (systray
// runs start on a goroutine of its own) leaves nothing running and reads
// nothing from the service.
func TestTrayClosedBeforeStart(t *testing.T) {
	r := newRig(t)
	v := &recView{}
	late := newTray(r.svc, v, func() {}, Options{})
	late.close()
	late.start()
	time.Sleep(50 * time.Millisecond)
	if _, _, n := v.last(); n != 0 {
		t.Fatalf("a tray closed before it started showed %d menus", n)
	}
}

// TestTrayPresentingToggle: the Presenting item turns presenting on and
// off on the service, and the status line and the check mark follow.
func TestTrayPresentingToggle(t *testing.T) {
	r := newRig(t)
	r.click("Presenting")
	r.waitStatus("Presenting — only urgent, VIP and repeats get through")
	if q := r.svc.Quiet(); !q.Presenting {
		t.Fatalf("service not presenting: %+v", q)
	}
	r.click("✓ Presenting")
	r.waitStatus("Not focusing")
	if q := r.svc.Quiet(); q.Presenting {
		t.Fatalf("still presenting: %+v", q)
	}
}
