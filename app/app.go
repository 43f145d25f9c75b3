// Package app is Lull's Fyne user interface: the tray menu and the main
// window's tabs (Today, Plan, Digest, Report, Settings) over the running
// service. It holds no domain logic; everything a user does here goes
// through app/service, and the bridge is the one place where service events
// become widget updates on the UI goroutine.
//
// The package never creates the fyne.App itself (cmd/lull does), so its tests
// run headless on fyne.io/fyne/v2/test.
package app

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/assets"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/clock"
)

// Options configure the UI.
type Options struct {
	// Quit is what the tray's Quit item does (default: the app's Quit).
	Quit func()
	// Park, when positive, lets Fyne's event loop sleep while the window
	// is hidden to the tray, waking every Park instead of 60 times a
	// second; a tray menu click then waits up to Park (see parker). Zero
	// never parks: the headless test driver runs fyne.Do at once.
	Park time.Duration

	// Tray is the desktop's tray host; nil assumes one whenever the app
	// has a system tray. Without a host, the window says so, Lull notifies
	// once and closing the window minimises it instead of hiding it where
	// nobody could find it.
	Tray TrayHost
	// Minimize minimises a window as the platform allows and reports
	// whether it could (cmd/lull: X11 iconify, Windows SW_MINIMIZE). Nil:
	// never.
	Minimize func(fyne.Window) bool
	// Notify shows one OS notification from Lull itself (the no-tray
	// notice). Nil shows none.
	Notify func(title, body string)

	// post replaces fyne.Do as the way onto the UI goroutine (tests queue
	// the work and run it on the test goroutine, as a real driver would).
	post func(func())
}

// trayHold is how long the event loop stays awake after the tray menu
// opens, so that the click which follows is not parked.
const trayHold = 10 * time.Second

// The tabs, in order; Ctrl+1..5 select them.
const (
	tabToday = iota
	tabPlan
	tabDigest
	tabReport
	tabSettings
)

// tabLabels are the tab titles, indexed by the tab constants.
var tabLabels = [...]string{"Today", "Plan", "Digest", "Report", "Settings"}

// UI is Lull's window and tray over one running service.
type UI struct {
	app  fyne.App
	svc  *service.Service
	opts Options
	win  fyne.Window

	tabs     *container.AppTabs
	today    *todayTab
	plan     *planTab
	digest   *digestTab
	report   *reportTab
	settings *settingsTab
	tray     *tray // nil when the app has no system tray
	noTray   *noTray
	// shown says the window is shown (not hidden to the tray).
	shown bool

	bridge *bridge
	park   *parker // nil unless Options.Park
	// ctx is cancelled by Close, ending background work started here.
	ctx    context.Context
	cancel context.CancelFunc
	// problem is the open "something failed in the background" dialog, so
	// a burst of failures shows one dialog, not a stack.
	problem dialog.Dialog
}

// New builds the window "Lull" and, when a is a desktop app, the tray
// menu; it subscribes to svc's events until Close. The window is not shown.
func New(a fyne.App, svc *service.Service, opts Options) *UI {
	if opts.Quit == nil {
		opts.Quit = a.Quit
	}
	u := &UI{app: a, svc: svc, opts: opts}
	u.ctx, u.cancel = context.WithCancel(context.Background())
	u.bridge = newBridge(u, opts.post)
	if opts.Park > 0 {
		u.park = newParker(clock.Real{}, opts.Park, fyne.Do)
	}

	icon := fyne.NewStaticResource("icon.png", assets.Icon)
	if a.Icon() == nil {
		a.SetIcon(icon)
	}
	u.win = a.NewWindow("Lull")
	u.win.SetIcon(icon)
	u.win.Resize(fyne.NewSize(760, 580))

	u.today = newTodayTab(u)
	u.plan = newPlanTab(u)
	u.digest = newDigestTab(u)
	u.report = newReportTab(svc, u.win)
	u.settings = newSettingsTab(svc, u.win)
	u.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(tabLabels[tabToday], theme.HomeIcon(), u.today.content),
		container.NewTabItemWithIcon(tabLabels[tabPlan], theme.GridIcon(), u.plan.content),
		container.NewTabItemWithIcon(tabLabels[tabDigest], theme.MailComposeIcon(), u.digest.content),
		container.NewTabItemWithIcon(tabLabels[tabReport], theme.DocumentIcon(), u.report.Content()),
		container.NewTabItemWithIcon(tabLabels[tabSettings], theme.SettingsIcon(), u.settings.Content()),
	)
	u.tabs.OnSelected = func(*container.TabItem) { u.refreshSelected() }
	u.noTray = newNoTray(u)
	u.win.SetContent(container.NewBorder(u.noTray.banner, nil, nil, nil, u.tabs))
	u.win.SetMaster()
	addShortcuts(u)

	if d, ok := a.(desktop.App); ok {
		u.tray = newTray(u, d)
		d.SetSystemTrayWindow(u.win)
		u.win.SetCloseIntercept(u.closeWindow)
	}

	u.refreshAll()
	u.bridge.start()
	if u.tray != nil {
		u.noTray.start(opts.Tray)
	}
	maybeOnboard(svc, u.win)
	u.park.hide() // until ShowWindow
	return u
}

// Window is the main window.
func (u *UI) Window() fyne.Window { return u.win }

// setBusy shows and runs p while long work is under way, and stops and
// hides it afterwards.
func setBusy(p *widget.ProgressBarInfinite, on bool) {
	if on {
		p.Show()
		p.Start()
		return
	}
	p.Stop()
	p.Hide()
}

// ShowWindow shows and raises the window; it is safe from any goroutine.
// It is also what tapping the tray icon should do (cmd/lull sets it), so
// that the window is shown at once while the event loop is parked.
func (u *UI) ShowWindow() { u.bridge.do(u.show) }

// TrayOpened tells the UI that the tray menu has just opened: the event
// loop stays awake for a while, so the click that follows runs at once
// even while the window is hidden. It is safe from any goroutine.
func (u *UI) TrayOpened() { u.park.hold(trayHold) }

// Quit quits the app as the tray's Quit item does; it is safe from any
// goroutine.
func (u *UI) Quit() {
	u.park.stop()
	u.bridge.do(u.opts.Quit)
}

// Close stops listening to the service and cancels background work.
func (u *UI) Close() {
	u.park.stop()
	u.cancel()
	u.noTray.close()
	u.bridge.close()
}

// quit is the tray's Quit item: parking stops first, so the loop sees
// the quit at once.
func (u *UI) quit() {
	u.park.stop()
	u.opts.Quit()
}

// hide hides the window to the tray (closing it does this) and parks the
// event loop.
func (u *UI) hide() {
	u.shown = false
	u.win.Hide()
	u.park.hide()
}

func (u *UI) show() {
	u.shown = true
	u.park.show()
	u.win.Show()
	u.win.RequestFocus()
	u.refreshSelected()
}

// selectTab shows tab i (one of the tab constants).
func (u *UI) selectTab(i int) {
	if i < 0 || i >= len(u.tabs.Items) {
		return
	}
	if u.tabs.SelectedIndex() == i {
		u.refreshSelected()
		return
	}
	u.tabs.SelectIndex(i) // OnSelected refreshes it
}

// showReport opens the window on this week's report, from its top.
func (u *UI) showReport() {
	u.show()
	u.selectTab(tabReport)
	u.report.ShowWeek(u.svc.FocusConfig().WeekOf(u.svc.Clock.Now()))
	u.report.scroll.ScrollToTop()
}

// refreshAll brings every view up to date with the service.
func (u *UI) refreshAll() {
	u.today.refresh()
	u.plan.refresh()
	u.digest.refresh()
	u.refreshTray()
}

// refreshSelected refreshes the visible tab (Report and Settings only when
// shown: they read more) and the figures the service does not announce.
func (u *UI) refreshSelected() {
	switch u.tabs.SelectedIndex() {
	case tabToday:
		u.today.refresh()
	case tabPlan:
		u.plan.refresh()
	case tabDigest:
		u.digest.refresh()
	case tabReport:
		u.report.Refresh()
	case tabSettings:
		u.settings.Refresh()
	}
	u.refreshTray()
}

// refreshClock is the once-a-minute update while focusing: the remaining
// time, today's focus, and the held count (read in the background: not
// every way in announces what it held).
func (u *UI) refreshClock() {
	u.today.refresh()
	u.digest.refresh()
	u.refreshTray()
}

func (u *UI) refreshTray() {
	if u.tray != nil {
		u.tray.refresh()
	}
}

// apply updates the views the merged events concern. It runs on the UI
// goroutine.
func (u *UI) apply(p pendingEvents) {
	focusChanged, planChanged := p.has(service.FocusChanged), p.has(service.PlanChanged)
	if planChanged {
		u.plan.refresh()
		if u.tabs.SelectedIndex() == tabReport {
			u.report.Refresh()
		}
	}
	if focusChanged || planChanged {
		u.today.refresh()
		u.refreshTray()
	}
	if focusChanged {
		u.bridge.arm(p.focus, u.now())
	}
	if focusChanged || p.has(service.HeldChanged) {
		// The read shows the held count on Today and the tray too.
		u.digest.refresh()
	}
	if p.has(service.CalendarsChanged) {
		u.plan.refreshSources()
		if u.tabs.SelectedIndex() == tabSettings {
			u.settings.Refresh()
		}
	}
	if p.has(service.ShowWindow) || p.has(service.ShowDigest) {
		u.show()
	}
	if p.has(service.ShowDigest) {
		u.selectTab(tabDigest)
	}
	if p.has(service.Problem) {
		u.showProblem(p.err)
	}
}

// showError shows err as a dialog over the window, in words for people.
func (u *UI) showError(err error) {
	if err = userError(err); err != nil {
		dialog.ShowError(err, u.win)
	}
}

// userError rewords the errors a user can cause by acting on a state that
// just changed (a block started focus, another window stopped it); others
// keep their own message. Cancellation by Close is not shown.
func userError(err error) error {
	switch {
	case err == nil, errors.Is(err, context.Canceled):
		return nil
	case errors.Is(err, focus.ErrAlreadyFocusing):
		return errors.New("Focus is already on.")
	case errors.Is(err, focus.ErrNotFocusing):
		return errors.New("Focus is not on.")
	case errors.Is(err, focus.ErrNoFreeTime):
		return errors.New("Your next meeting starts in less than a minute: there is no time to focus before it.")
	}
	return plainError{err}
}

// plainError shows an error from the domain in words: Go durations
// ("24h0m0s") written as people write them, the rest as it is; errors.Is
// and As still see the original.
type plainError struct{ err error }

func (e plainError) Error() string { return plainDurations(e.err.Error()) }
func (e plainError) Unwrap() error { return e.err }

// showProblem shows a background failure, once while its dialog is open.
func (u *UI) showProblem(err error) {
	if err == nil || u.problem != nil {
		return
	}
	d := dialog.NewError(plainError{err}, u.win)
	d.SetOnClosed(func() { u.problem = nil })
	u.problem = d
	d.Show()
}

// now is the service's clock, so the UI and the engine agree on the time.
func (u *UI) now() time.Time { return u.svc.Clock.Now() }
