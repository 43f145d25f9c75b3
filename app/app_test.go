package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"github.com/zalando/go-keyring"

	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/fake"
	"github.com/lullapp/lull/notify"
)

// uiT0 is when every UI test starts: Monday 30 Nov 2026, 08:00 UTC, the
// first day of testdata/week.ics.
var uiT0 = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

// sentLog records the OS notifications the service shows.
type sentLog = fake.Sender[notify.Message]

// recApp is a test app whose windows record what the UI does to them.
type recApp struct{ fyne.App }

// NewWindow records what the UI does to its window.
func (a *recApp) NewWindow(title string) fyne.Window {
	return &recWindow{Window: a.App.NewWindow(title)}
}

// recWindow is a test window that remembers whether it is shown and what
// closing it does.
type recWindow struct {
	fyne.Window
	mu        sync.Mutex
	shown     bool
	intercept func()
}

func (w *recWindow) Show() {
	w.mu.Lock()
	w.shown = true
	w.mu.Unlock()
	w.Window.Show()
}

func (w *recWindow) Hide() {
	w.mu.Lock()
	w.shown = false
	w.mu.Unlock()
	w.Window.Hide()
}

func (w *recWindow) SetCloseIntercept(f func()) {
	w.mu.Lock()
	w.intercept = f
	w.mu.Unlock()
	w.Window.SetCloseIntercept(f)
}

func (w *recWindow) isShown() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.shown
}

// close is what the window manager's close button does.
func (w *recWindow) close() {
	w.mu.Lock()
	f := w.intercept
	w.mu.Unlock()
	if f != nil {
		f()
		return
	}
	w.Window.Close()
}

// fakeTrayHost is a desktop whose tray host comes and goes on request.
type fakeTrayHost struct {
	mu       sync.Mutex
	present  bool
	watchers map[int]func(bool)
	next     int
}

func (f *fakeTrayHost) Present() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.present
}

func (f *fakeTrayHost) Watch(fn func(bool)) func() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.watchers == nil {
		f.watchers = map[int]func(bool){}
	}
	id := f.next
	f.next++
	f.watchers[id] = fn
	return func() {
		f.mu.Lock()
		delete(f.watchers, id)
		f.mu.Unlock()
	}
}

func (f *fakeTrayHost) set(p bool) {
	f.mu.Lock()
	f.present = p
	var fs []func(bool)
	for _, w := range f.watchers {
		fs = append(fs, w)
	}
	f.mu.Unlock()
	for _, w := range fs {
		w(p)
	}
}

// lull is a resident service in the test process, on a fake clock, with
// its local API on loopback: what the window is a client of.
type lull struct {
	svc  *service.Service
	clk  *clock.Fake
	sent *sentLog
	tray *fakeTrayHost
	// quits counts POST /v1/quit (Options.Quit).
	quits *atomic.Int32
}

// lullSetup says how startLull sets the resident up.
type lullSetup struct {
	now  time.Time
	zone string
	// edit changes the settings before start.
	edit func(*service.Settings)
	// calendar adds testdata/week.ics as "Work" (not yet synced).
	calendar bool
	// noTray starts it on a desktop without a tray.
	noTray bool
}

// startLull starts the resident service with its API, closed when the
// test ends.
func startLull(t testing.TB, ls lullSetup) *lull {
	t.Helper()
	keyring.MockInit()
	l := &lull{clk: clock.NewFake(ls.now), sent: &sentLog{}, tray: &fakeTrayHost{present: !ls.noTray}, quits: &atomic.Int32{}}
	dir := t.TempDir()
	d, err := service.OpenData(service.DataOptions{Dir: dir, Clock: l.clk, Secrets: calendar.Keyring{}})
	if err != nil {
		t.Fatal(err)
	}
	st := d.Settings()
	st.Plan.Zone = ls.zone
	if ls.edit != nil {
		ls.edit(&st)
	}
	if err := d.SaveSettings(st); err != nil {
		t.Fatal(err)
	}
	if ls.calendar {
		ics, err := filepath.Abs(filepath.Join("testdata", "week.ics"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.AddSource(context.Background(), service.AddSource{Kind: calendar.SourceFile, Path: ics, Name: "Work"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	l.start(t, dir)
	return l
}

// start starts the resident service on the data in dir (again, after it
// stopped: a restart), closed when the test ends.
func (l *lull) start(t testing.TB, dir string) {
	t.Helper()
	svc, err := service.Start(context.Background(), service.Options{
		DataOptions:  service.DataOptions{Dir: dir, Clock: l.clk, Secrets: calendar.Keyring{}},
		SyncInterval: -1, Sender: l.sent, Logf: t.Logf,
		TokenKeyring: &fake.Keyring{}, TrayHost: l.tray,
		Quit: func() { l.quits.Add(1) },
	})
	if err != nil {
		t.Fatal(err)
	}
	l.svc = svc
	t.Cleanup(func() {
		if err := svc.Close(); err != nil {
			t.Errorf("close service: %v", err)
		}
	})
}

// harness is a window over a resident service (lull) on a fake clock,
// reached through the real local API and its typed client, as the window
// process reaches the resident.
type harness struct {
	t testing.TB
	*lull
	app *recApp
	ui  *UI
	cl  *api.Client
	// quits counts what closing the window ended (Options.Quit).
	quits int
	// uiQueue holds what the bridge posts to the UI goroutine: this test's
	// goroutine, when wait drains it.
	uiQueue chan func()
}

// newHarness is a window over Lull at uiT0 in UTC, with the file calendar
// testdata/week.ics added (not yet synced) and the onboarding done.
func newHarness(t testing.TB) *harness {
	t.Helper()
	return newHarnessWith(t, nil)
}

// newHarnessWith is newHarness with settings changed by edit first.
func newHarnessWith(t testing.TB, edit func(*service.Settings)) *harness {
	t.Helper()
	return newHarnessOpts(t, edit, Options{})
}

// newHarnessOpts is newHarnessWith with the UI built with opts.
func newHarnessOpts(t testing.TB, edit func(*service.Settings), uiOpts Options) *harness {
	t.Helper()
	l := startLull(t, lullSetup{now: uiT0, zone: "UTC", calendar: true, edit: func(st *service.Settings) {
		st.Onboarded = true
		if edit != nil {
			edit(st)
		}
	}})
	return attach(t, l, uiOpts)
}

// attach builds the window over l (its clock, the harness's Quit and UI
// queue), closed before l when the test ends.
func attach(t testing.TB, l *lull, uiOpts Options) *harness {
	t.Helper()
	h := &harness{t: t, lull: l, uiQueue: make(chan func(), 4096)}
	var err error
	if h.cl, err = api.Dial(l.svc.Dir); err != nil {
		t.Fatal(err)
	}
	h.app = &recApp{App: test.NewTempApp(t)}
	// The test driver's fyne.Do runs f at once on the calling goroutine;
	// a real driver runs it on the UI goroutine. Queue it like the latter.
	uiOpts.Clock = l.clk
	uiOpts.Quit = func() { h.quits++ }
	uiOpts.post = func(f func()) { h.uiQueue <- f }
	h.ui = New(h.app, h.cl, uiOpts)
	t.Cleanup(func() {
		h.wait()
		h.ui.Close()
	})
	h.ui.win.Resize(fyne.NewSize(760, 580))
	h.wait()
	return h
}

// sync reads the calendar and plans, as the periodic sync would.
func (h *harness) sync() {
	h.t.Helper()
	if _, _, err := h.svc.SyncNow(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	h.wait()
}

// advance moves the fake clock and lets the UI react.
func (h *harness) advance(d time.Duration) {
	h.clk.Advance(d)
	h.wait()
}

// eventWait is how long the harness waits for an event to come through
// the stream: on a loaded machine a moment, and a test that waits this long
// has lost one.
const eventWait = 30 * time.Second

// heard waits until the window has been told of every event the service
// emitted so far (its application is queued for the UI goroutine); a
// service that stopped (its last events went nowhere) is not waited for.
func (h *harness) heard() {
	h.t.Helper()
	h.svc.Flush()
	seq := h.svc.EventSeq()
	if h.ui.bridge.waitSeq(seq, 0) || h.ui.bridge.isClosed() {
		return
	}
	if _, err := h.cl.Status(context.Background()); err != nil {
		return // stopped
	}
	if !h.ui.bridge.waitSeq(seq, eventWait) && !h.ui.bridge.isClosed() {
		h.t.Fatalf("the window heard of no event %d within %s", seq, eventWait)
	}
}

// wait lets the window hear of every event, finish the requests it
// started, and runs everything posted to the UI goroutine, until nothing
// more happens.
func (h *harness) wait() {
	h.t.Helper()
	for {
		h.heard()
		seq := h.svc.EventSeq()
		h.ui.bridge.wait()
		ran := false
		for drained := false; !drained; {
			select {
			case f := <-h.uiQueue:
				f()
				ran = true
			default:
				drained = true
			}
		}
		if !ran && h.svc.EventSeq() == seq {
			return
		}
	}
}

// until runs the UI's work until cond holds, failing after eventWait: for
// what no event of the service announces (the resident stopping, another
// one starting).
func (h *harness) until(what string, cond func() bool) {
	h.t.Helper()
	for deadline := time.Now().Add(eventWait); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			h.t.Fatalf("%s: not within %s", what, eventWait)
		}
		h.ui.bridge.wait()
		for drained := false; !drained; {
			select {
			case f := <-h.uiQueue:
				f()
			default:
				drained = true
			}
		}
	}
}

// hold submits API notifications, which are held for the digest.
func (h *harness) hold(source string, titles ...string) {
	h.t.Helper()
	var ns []notify.Notification
	for _, title := range titles {
		ns = append(ns, notify.Notification{Source: source, Title: title, Priority: notify.PriorityNormal, Origin: notify.OriginAPI})
	}
	if _, err := h.svc.Notify.Submit(context.Background(), ns); err != nil {
		h.t.Fatal(err)
	}
}

func TestNewBuildsWindowAndTabs(t *testing.T) {
	h := newHarness(t)
	if got := h.ui.Window().Title(); got != "Lull" {
		t.Errorf("title %q, want Lull", got)
	}
	labels := tabTexts(h.ui.tabs)
	want := []string{"Today", "Plan", "Digest", "Report", "Settings"}
	if len(labels) != len(want) {
		t.Fatalf("tabs %q, want %q", labels, want)
	}
	for i := range want {
		if labels[i] != want[i] {
			t.Errorf("tab %d is %q, want %q", i, labels[i], want[i])
		}
	}
	if h.ui.today.status.Text != "Not focusing" {
		t.Errorf("Today status %q", h.ui.today.status.Text)
	}
	if h.ui.notice.box.Visible() {
		t.Error("a notice above the tabs while Lull runs with a tray")
	}
}

func TestServiceEventsReachTheViews(t *testing.T) {
	h := newHarness(t)
	// Focus started elsewhere (the command line, a block) shows up.
	if _, err := h.svc.Focus.Start(90 * time.Minute); err != nil {
		t.Fatal(err)
	}
	h.wait()
	if got := h.ui.today.status.Text; got != "Focusing — 1 h 30 min left" {
		t.Errorf("Today status %q", got)
	}
	// A plan made by the periodic sync shows up in the Plan tab.
	if len(h.ui.plan.rows) != 0 {
		t.Fatal("blocks before any sync")
	}
	h.sync()
	if len(h.ui.plan.rows) == 0 {
		t.Error("the plan event did not refresh the Plan tab")
	}
	// Settings changed elsewhere (the command line) show at once.
	st := h.svc.Settings()
	st.Plan.HorizonDays = 7
	if err := h.svc.SaveSettings(st); err != nil {
		t.Fatal(err)
	}
	h.wait()
	if !strings.HasPrefix(h.ui.plan.summary.Text, "Next 7 days: ") {
		t.Errorf("plan summary %q after the horizon changed", h.ui.plan.summary.Text)
	}
	// After Close, events no longer touch the UI.
	h.ui.Close()
	if _, err := h.svc.Focus.Stop(); err != nil {
		t.Fatal(err)
	}
	h.wait()
	if got := h.ui.today.status.Text; got != "Focusing — 1 h 30 min left" {
		t.Errorf("closed UI still updated: %q", got)
	}
}

// TestShowRequestsAndClose: the resident's show events (a second `lull`,
// the tray, a digest click) show the window on the tab they name, from any
// goroutine; with a tray, closing the window ends the window process (the
// resident stays).
func TestShowRequestsAndClose(t *testing.T) {
	h := newHarness(t)
	w := h.ui.win.(*recWindow)
	if w.isShown() {
		t.Fatal("New showed the window")
	}
	h.ui.selectTab(tabPlan)
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.ui.ShowWindow("")
	}()
	<-done
	if w.isShown() {
		t.Fatal("ShowWindow touched the window off the UI goroutine")
	}
	h.wait()
	if !w.isShown() {
		t.Fatal("ShowWindow from another goroutine did not show the window")
	}
	if h.ui.tabs.SelectedIndex() != tabPlan {
		t.Error("showing the window changed the tab")
	}
	// A second `lull` asks the running window to show itself.
	h.ui.win.Hide()
	if err := h.cl.ShowWindow(t.Context()); err != nil {
		t.Fatal(err)
	}
	h.wait()
	if !w.isShown() || h.ui.tabs.SelectedIndex() != tabPlan {
		t.Errorf("show request: shown %v, tab %d", w.isShown(), h.ui.tabs.SelectedIndex())
	}
	// Clicking a digest notification shows the Digest tab; the tray's
	// Weekly report the Report tab.
	h.svc.RequestShowDigest()
	h.wait()
	if h.ui.tabs.SelectedIndex() != tabDigest {
		t.Errorf("digest click: tab %d", h.ui.tabs.SelectedIndex())
	}
	if err := h.svc.ShowWindow("report"); err != nil {
		t.Fatal(err)
	}
	h.wait()
	if h.ui.tabs.SelectedIndex() != tabReport {
		t.Errorf("weekly report: tab %d", h.ui.tabs.SelectedIndex())
	}
	// Closing the window ends the window process; the resident is not
	// asked to quit.
	w.close()
	h.wait()
	if h.quits != 1 || h.lull.quits.Load() != 0 {
		t.Errorf("close with a tray: window quits %d, resident quits %d; want 1 and 0", h.quits, h.lull.quits.Load())
	}
}

func TestShortcuts(t *testing.T) {
	h := newHarness(t)
	c := h.ui.win.Canvas().(interface{ TypedShortcut(fyne.Shortcut) })
	for i := range tabLabels {
		c.TypedShortcut(&desktop.CustomShortcut{KeyName: tabKeys[i], Modifier: fyne.KeyModifierShortcutDefault})
		if got := h.ui.tabs.Selected().Text; got != tabLabels[i] {
			t.Errorf("Ctrl+%d selected %q, want %q", i+1, got, tabLabels[i])
		}
	}
	toggle := &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}
	c.TypedShortcut(toggle)
	h.wait()
	if !h.svc.Focus.State().Focusing {
		t.Fatal("Ctrl+F did not start focus")
	}
	c.TypedShortcut(toggle)
	h.wait()
	if h.svc.Focus.State().Focusing {
		t.Fatal("Ctrl+F did not stop focus")
	}
}

// texts lists every text drawn inside o, in tree order.
func texts(o fyne.CanvasObject) []string {
	var out []string
	for _, obj := range test.LaidOutObjects(o) {
		if txt, ok := obj.(*canvas.Text); ok && txt.Visible() && txt.Text != "" {
			out = append(out, txt.Text)
		}
	}
	return out
}

// tabTexts lists the tab bar's labels (helps failure messages).
func tabTexts(tabs *container.AppTabs) []string {
	var out []string
	for _, it := range tabs.Items {
		out = append(out, it.Text)
	}
	return out
}

// driverShortcut hands s over as Fyne's desktop driver does
// (glfw window.triggersShortcut): to the focused widget when it handles
// shortcuts, and to the window only otherwise.
func driverShortcut(c fyne.Canvas, s fyne.Shortcut) {
	if f, ok := c.Focused().(fyne.Shortcutable); ok {
		f.TypedShortcut(s)
		return
	}
	c.(fyne.Shortcutable).TypedShortcut(s)
}

// TestShortcutsFromATextField: Ctrl+1…5 and Ctrl+F work while the cursor
// is in a text field, and the field keeps its own shortcuts.
func TestShortcutsFromATextField(t *testing.T) {
	h := newHarness(t)
	h.ui.selectTab(tabSettings)
	h.wait()
	c := h.ui.win.Canvas()
	e := h.ui.settings.entries["vip"]
	c.Focus(e) // as a click in the field does
	if c.Focused() != e {
		t.Fatal("the field did not take the focus")
	}
	for i := range tabLabels {
		driverShortcut(c, &desktop.CustomShortcut{KeyName: tabKeys[i], Modifier: fyne.KeyModifierShortcutDefault})
		if got := h.ui.tabs.Selected().Text; got != tabLabels[i] {
			t.Errorf("Ctrl+%d in a field selected %q, want %q", i+1, got, tabLabels[i])
		}
	}
	driverShortcut(c, &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault})
	h.wait()
	if !h.svc.Focus.State().Focusing {
		t.Error("Ctrl+F in a field did not start focus")
	}
	e.SetText("PagerDuty")
	driverShortcut(c, &fyne.ShortcutSelectAll{})
	if e.SelectedText() != "PagerDuty" {
		t.Errorf("Ctrl+A in the field selected %q", e.SelectedText())
	}
}

// TestReportRequestStartsAtTop: the tray's Weekly report opens the Report
// at its top, however far it was scrolled before.
func TestReportRequestStartsAtTop(t *testing.T) {
	h := newHarness(t)
	h.ui.win.Resize(fyne.NewSize(760, 400))
	h.ui.selectTab(tabReport)
	h.wait()
	h.ui.report.scroll.ScrollToBottom()
	if h.ui.report.scroll.Offset.Y <= 0 {
		t.Fatal("the report does not scroll in a 400 px window")
	}
	h.ui.selectTab(tabToday)
	if err := h.svc.ShowWindow("report"); err != nil {
		t.Fatal(err)
	}
	h.wait()
	if h.ui.tabs.SelectedIndex() != tabReport || h.ui.report.scroll.Offset.Y != 0 {
		t.Errorf("tab %d, offset %v: want the Report at its top", h.ui.tabs.SelectedIndex(), h.ui.report.scroll.Offset.Y)
	}
}

// TestUserErrorInWords: an error from the domain reaches the window with
// its durations in words, and still is what it was for errors.Is.
func TestUserErrorInWords(t *testing.T) {
	err := userError(fmt.Errorf("start focus: %w: \"30h\": at most 24h0m0s", focus.ErrBadDuration))
	if got := err.Error(); got != `start focus: bad duration: "30h": at most 24 h` {
		t.Errorf("shown as %q", got)
	}
	if !errors.Is(err, focus.ErrBadDuration) {
		t.Error("the rewording lost the sentinel")
	}
	if userError(context.Canceled) != nil {
		t.Error("a cancellation is shown")
	}
}
