package app

import (
	"context"
	"errors"
	"fmt"
	"github.com/lullapp/lull/focus"
	"path/filepath"
	"sync"
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
	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/fake"
	"github.com/lullapp/lull/notify"
)

// uiT0 is when every UI test starts: Monday 30 Nov 2026, 08:00 UTC, the
// first day of testdata/week.ics.
var uiT0 = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

// sentLog records the OS notifications the service shows.
type sentLog = fake.Sender[notify.Message]

// trayApp is a test app with a system tray that records what it is given.
type trayApp struct {
	fyne.App
	mu    sync.Mutex
	menu  *fyne.Menu
	menus int
	icon  fyne.Resource
	win   fyne.Window
}

var _ desktop.App = (*trayApp)(nil)

func (a *trayApp) SetSystemTrayMenu(m *fyne.Menu) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.menu = m
	a.menus++
}

func (a *trayApp) SetSystemTrayIcon(r fyne.Resource) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.icon = r
}

func (a *trayApp) SetSystemTrayWindow(w fyne.Window) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.win = w
}

func (a *trayApp) state() (*fyne.Menu, fyne.Resource, int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.menu, a.icon, a.menus
}

// NewWindow records what the UI does to its window.
func (a *trayApp) NewWindow(title string) fyne.Window {
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

// harness is a UI over a real service on a fake clock, in UTC, with the
// file calendar testdata/week.ics added (not yet synced).
type harness struct {
	t     testing.TB
	svc   *service.Service
	clk   *clock.Fake
	sent  *sentLog
	app   *trayApp
	ui    *UI
	quits int
	// ui runs what the bridge posts to the UI goroutine: this test's
	// goroutine, when wait drains it.
	uiQueue chan func()
}

// newHarness starts the service and builds the UI; both are closed when
// the test ends.
func newHarness(t testing.TB) *harness {
	t.Helper()
	return newHarnessWith(t, nil)
}

// newHarnessWith is newHarness with settings changed by edit first.
func newHarnessWith(t testing.TB, edit func(*service.Settings)) *harness {
	t.Helper()
	return newHarnessOpts(t, edit, Options{})
}

// newHarnessOpts is newHarnessWith with the UI built with opts (Quit and
// the UI queue are the harness's own).
func newHarnessOpts(t testing.TB, edit func(*service.Settings), uiOpts Options) *harness {
	t.Helper()
	keyring.MockInit()
	h := &harness{t: t, clk: clock.NewFake(uiT0), sent: &sentLog{}}
	dir := t.TempDir()
	opts := service.DataOptions{Dir: dir, Clock: h.clk, Secrets: calendar.Keyring{}}
	d, err := service.OpenData(opts)
	if err != nil {
		t.Fatal(err)
	}
	st := d.Settings()
	st.Plan.Zone = "UTC"
	st.Onboarded = true
	if edit != nil {
		edit(&st)
	}
	if err := d.SaveSettings(st); err != nil {
		t.Fatal(err)
	}
	ics, err := filepath.Abs(filepath.Join("testdata", "week.ics"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.AddSource(context.Background(), service.AddSource{Kind: calendar.SourceFile, Path: ics, Name: "Work"}); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	h.svc, err = service.Start(context.Background(), service.Options{
		DataOptions: opts, NoAPI: true, SyncInterval: -1, Sender: h.sent, Logf: t.Logf,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := h.svc.Close(); err != nil {
			t.Errorf("close service: %v", err)
		}
	})
	h.app = &trayApp{App: test.NewTempApp(t)}
	// The test driver's fyne.Do runs f at once on the calling goroutine;
	// a real driver runs it on the UI goroutine. Queue it like the latter.
	h.uiQueue = make(chan func(), 4096)
	uiOpts.Quit = func() { h.quits++ }
	uiOpts.post = func(f func()) { h.uiQueue <- f }
	h.ui = New(h.app, h.svc, uiOpts)
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

// wait lets background work started by the UI finish and runs everything
// posted to the UI goroutine (service events, clock ticks, job results).
func (h *harness) wait() {
	for {
		h.svc.Flush()
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
		if !ran {
			return
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

func TestNewBuildsWindowTabsAndTray(t *testing.T) {
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
	menu, icon, _ := h.app.state()
	if menu == nil || icon != trayIdleIcon {
		t.Fatalf("tray menu %v, icon %v: want a menu and the idle icon", menu, icon)
	}
	if h.app.win != h.ui.win {
		t.Error("the tray does not control the main window")
	}
	if menu.Items[0].Label != "Not focusing" {
		t.Errorf("tray status %q", menu.Items[0].Label)
	}
}

func TestNewWithoutTray(t *testing.T) {
	h := newHarness(t)
	// A second UI on a plain test app (no desktop.App): no tray, no panic.
	u := New(test.NewTempApp(t), h.svc, Options{})
	defer u.Close()
	if u.tray != nil {
		t.Error("a tray was built on an app without one")
	}
}

// menuItem finds a top-level tray item by label.
func menuItem(t *testing.T, m *fyne.Menu, label string) *fyne.MenuItem {
	t.Helper()
	for _, it := range m.Items {
		if it.Label == label {
			return it
		}
	}
	var got []string
	for _, it := range m.Items {
		got = append(got, it.Label)
	}
	t.Fatalf("no tray item %q in %q", label, got)
	return nil
}

func TestTrayActionsDriveTheService(t *testing.T) {
	h := newHarness(t)
	h.ui.win.Hide()
	menu, _, _ := h.app.state()
	start := menuItem(t, menu, "Start focus")
	start.ChildMenu.Items[0].Action() // 25 min
	h.wait()
	st := h.svc.Focus.State()
	if !st.Focusing || st.PlannedEnd.Sub(st.Start) != 25*time.Minute {
		t.Fatalf("after Start focus ▸ 25 min: %+v", st)
	}
	menu, icon, _ := h.app.state()
	if icon != trayFocusingIcon {
		t.Error("tray icon did not switch to focusing")
	}
	if got := menu.Items[0].Label; got != "Focusing — 25 min left" {
		t.Errorf("status %q", got)
	}
	menuItem(t, menu, "Stop focus").Action()
	h.wait()
	if h.svc.Focus.State().Focusing {
		t.Fatal("Stop focus did not stop")
	}
	menu, icon, _ = h.app.state()
	if icon != trayIdleIcon {
		t.Error("tray icon did not switch back to idle")
	}

	menuItem(t, menu, "Weekly report").Action()
	if h.ui.tabs.SelectedIndex() != tabReport {
		t.Errorf("Weekly report selected tab %d", h.ui.tabs.SelectedIndex())
	}
	h.ui.selectTab(tabToday)
	menuItem(t, menu, "Open Lull").Action()
	if h.ui.tabs.SelectedIndex() != tabToday {
		t.Error("Open Lull changed the tab")
	}
	quit := menu.Items[len(menu.Items)-1]
	if quit.Label != "Quit" || !quit.IsQuit {
		t.Fatalf("last item %q (IsQuit %v), want Quit", quit.Label, quit.IsQuit)
	}
	quit.Action()
	if h.quits != 1 {
		t.Errorf("Quit called Options.Quit %d times", h.quits)
	}
}

func TestTrayMenuRebuiltOnlyOnChange(t *testing.T) {
	h := newHarness(t)
	_, _, n := h.app.state()
	h.ui.refreshTray()
	h.ui.refreshTray()
	if _, _, m := h.app.state(); m != n {
		t.Errorf("menu rebuilt %d times without a change", m-n)
	}
	h.hold("Mail", "Invoice")
	// The held count is read in the background, then shown.
	h.ui.digest.refresh()
	h.wait()
	menu, _, m := h.app.state()
	if m != n+1 {
		t.Errorf("menu rebuilt %d times after a change, want 1", m-n)
	}
	if it := menuItem(t, menu, "Deliver digest now (1 held)"); it.Disabled {
		t.Error("deliver is disabled with 1 held")
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
	menu, _, _ := h.app.state()
	if got := menu.Items[0].Label; got != "Focusing — 1 h 30 min left" {
		t.Errorf("tray status %q", got)
	}
	// A plan made by the periodic sync shows up in the Plan tab.
	if len(h.ui.plan.rows) != 0 {
		t.Fatal("blocks before any sync")
	}
	h.sync()
	if len(h.ui.plan.rows) == 0 {
		t.Error("PlanChanged did not refresh the Plan tab")
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

func TestShowWindowAndCloseToTray(t *testing.T) {
	h := newHarness(t)
	w := h.ui.win.(*recWindow)
	if w.isShown() {
		t.Fatal("New showed the window")
	}
	h.ui.selectTab(tabPlan)
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.ui.ShowWindow()
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
	// Closing hides to the tray, it does not quit.
	w.close()
	if w.isShown() || h.quits != 0 {
		t.Fatalf("close: shown %v, quits %d; want hidden, no quit", w.isShown(), h.quits)
	}
	// A second `lull` asks the running one to show its window.
	h.svc.RequestShow()
	h.wait()
	if !w.isShown() {
		t.Error("RequestShow did not show the window")
	}
	// Clicking a digest notification shows the window on the Digest tab.
	w.close()
	h.svc.RequestShowDigest()
	h.wait()
	if !w.isShown() || h.ui.tabs.SelectedIndex() != tabDigest {
		t.Errorf("digest click: shown %v, tab %d; want the Digest tab shown", w.isShown(), h.ui.tabs.SelectedIndex())
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

// TestReportFromTrayStartsAtTop: Weekly report in the tray opens the
// Report at its top, however far it was scrolled before.
func TestReportFromTrayStartsAtTop(t *testing.T) {
	h := newHarness(t)
	h.ui.win.Resize(fyne.NewSize(760, 400))
	h.ui.selectTab(tabReport)
	h.ui.report.scroll.ScrollToBottom()
	if h.ui.report.scroll.Offset.Y <= 0 {
		t.Fatal("the report does not scroll in a 400 px window")
	}
	h.ui.selectTab(tabToday)
	menu, _, _ := h.app.state()
	menuItem(t, menu, "Weekly report").Action()
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
