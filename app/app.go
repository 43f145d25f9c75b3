// Package app is Lull's window: the Fyne UI of the window process
// (lull-window), with its tabs Today, Plan, Digest, Report and Settings.
//
// The window is a client of the resident process (`lull --hidden`) over
// the local API: everything it shows it reads through a Backend (the typed
// client, *api.Client), everything a user does there it asks the resident
// to do, and it keeps no state of its own, so it can come and go (it ends
// when its window closes) and a crash of it stops neither focus nor
// holding. The resident's event stream tells it what changed; the bridge is
// the one place where those events, and the answers of reads done off the
// UI goroutine, become widget updates on the UI goroutine.
//
// The package never creates the fyne.App itself (cmd/lull-window does), so
// its tests run headless on fyne.io/fyne/v2/test, against a real resident
// service and local API in the test process.
package app

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lullapp/lull/assets"
	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/hook"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/localapi"
	"github.com/lullapp/lull/notify"
)

// Backend is the running Lull as the window reaches it: exactly the calls
// of the local API's typed client (*api.Client) the window makes.
type Backend interface {
	Status(ctx context.Context) (api.Status, error)
	Events(ctx context.Context) (<-chan api.Event, error)
	Quit(ctx context.Context) error

	Focus(ctx context.Context) (focus.State, error)
	StartFocus(ctx context.Context, spec string) (focus.State, error)
	StopFocus(ctx context.Context) (focus.Session, error)
	ResumeFocus(ctx context.Context) (focus.State, error)
	Sessions(ctx context.Context, r api.Range) ([]focus.Session, error)

	Held(ctx context.Context) ([]notify.Item, error)
	Breakthroughs(ctx context.Context, r api.Range) ([]notify.Item, error)
	Digests(ctx context.Context, limit int) ([]notify.Digest, error)
	DeliverDigest(ctx context.Context) (api.DigestNow, error)
	MarkRead(ctx context.Context, digest, item string) error
	MarkAllRead(ctx context.Context) (int, error)

	Plan(ctx context.Context) (api.PlanResult, error)
	Replan(ctx context.Context, req api.PlanRequest) (api.PlanResult, error)
	AcceptAll(ctx context.Context) (int, error)
	Accept(ctx context.Context, id string) (calendar.Block, error)
	Skip(ctx context.Context, id string) (calendar.Block, error)
	Busy(ctx context.Context, r api.Range) ([]calendar.Interval, error)

	Calendars(ctx context.Context) ([]calendar.SourceInfo, error)
	AddCalendar(ctx context.Context, req api.AddCalendar) (calendar.SourceConfig, error)
	ChangeCalendar(ctx context.Context, id string, ch api.CalendarChange) (calendar.SourceConfig, error)
	RemoveCalendar(ctx context.Context, id string) error
	SyncCalendars(ctx context.Context) (api.SyncReport, error)
	DiscoverCalDAV(ctx context.Context, req api.DiscoverCalDAV) ([]calendar.CalDAVCalendar, error)
	SyncStatus(ctx context.Context) (api.SyncStatus, error)
	SyncDevices(ctx context.Context) (api.SyncStatus, error)
	LogCalendars(ctx context.Context) ([]api.LogCalendar, error)
	PickLogCalendar(ctx context.Context, req api.PickLogCalendar) (api.LogCalendar, error)

	Settings(ctx context.Context) (api.Settings, error)
	SaveSettings(ctx context.Context, st api.Settings) (api.Settings, error)

	WeekReport(ctx context.Context, week string) (*api.WeekReport, error)
	Coach(ctx context.Context, week string) (api.Coach, error)
	CoachApply(ctx context.Context, id, week string) (api.CoachApplied, error)
	CoachDismiss(ctx context.Context, id, week string) error
	Report(ctx context.Context, req api.ReportRequest) ([]byte, error)
	Export(ctx context.Context, req api.ExportRequest) ([]byte, error)

	Hooks(ctx context.Context) (api.Hooks, error)
	AddHook(ctx context.Context, req api.AddHook) (hook.Hook, error)
	RemoveHook(ctx context.Context, id string) (hook.Hook, error)
	TestHook(ctx context.Context, id string) (hook.Result, error)
}

var _ Backend = (*api.Client)(nil)

// requestTimeout bounds one read or change the window asks of the
// resident: a resident busy with a flood answers within seconds, and after
// this the view says what failed instead of waiting for ever.
const requestTimeout = 30 * time.Second

// narrowWidth is the narrowest window, in pixels, that every tab fits:
// nothing clipped, and no tab's minimum size widening the window. It is
// Lull beside another window on a 1024 px screen (half of it, less the
// window frames); labels, placeholders, charts and forms are kept short or
// wrapping for it.
const narrowWidth = 500

// Options configure the UI.
type Options struct {
	// Clock is "now" for the window (default: the real clock; tests pass
	// the resident's fake clock so both agree on the time).
	Clock clock.Clock
	// Quit ends the window process: what closing the window does while the
	// desktop has a tray (default: the app's Quit).
	Quit func()
	// Minimize minimises a window as the platform allows and reports
	// whether it could (cmd/lull-window: X11 iconify, Windows
	// SW_MINIMIZE): what closing the window does on a desktop without a
	// tray, where a closed window could not be found again. Nil: never.
	Minimize func(fyne.Window) bool
	// Restart starts the resident process again (`lull --hidden`,
	// detached) after it stopped; the window then finds it by itself.
	// Nil: the window offers no Restart.
	Restart func() error
	// Lull locates the lull binary, which "Start Lull when I log in" runs
	// with --hidden (default: none, and the setting says why).
	Lull func() (string, error)
	// Logf receives what happened to the window's link with the resident
	// (it stopped, it runs again, the desktop's tray came or went), for
	// the window's log. Nil: none.
	Logf func(format string, args ...any)

	// post replaces fyne.Do as the way onto the UI goroutine (tests queue
	// the work and run it on the test goroutine, as a real driver would).
	post func(func())
}

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

// UI is Lull's window over one running resident process.
type UI struct {
	app   fyne.App
	api   Backend
	clock clock.Clock
	opts  Options
	win   fyne.Window

	tabs     *container.AppTabs
	today    *todayTab
	plan     *planTab
	digest   *digestTab
	report   *reportTab
	settings *settingsTab
	// notice is the line above the tabs: no tray on this desktop, or the
	// resident process stopped.
	notice *notice

	bridge *bridge
	// shownFocus and shownQuiet are the latest focus and quiet states the
	// events told of: what the once-a-minute clock counts down.
	shownFocus focus.State
	shownQuiet api.Quiet
	// ctx is cancelled by Close, ending the event stream and the requests
	// under way.
	ctx    context.Context
	cancel context.CancelFunc
	// problem is the open "something failed in the background" dialog, so
	// a burst of failures shows one dialog, not a stack.
	problem dialog.Dialog
	// onboarding is the first-run wizard, once shown.
	onboarding *onboarding
}

// New builds the window "Lull" over b and follows the resident's events
// until Close. The window is not shown.
func New(a fyne.App, b Backend, opts Options) *UI {
	if opts.Quit == nil {
		opts.Quit = a.Quit
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	u := &UI{app: a, api: b, clock: opts.Clock, opts: opts}
	u.ctx, u.cancel = context.WithCancel(context.Background())
	u.bridge = newBridge(opts.post)
	u.bridge.apply = u.apply

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
	u.report = newReportTab(u)
	u.settings = newSettingsTab(u)
	u.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(tabLabels[tabToday], theme.HomeIcon(), u.today.content),
		container.NewTabItemWithIcon(tabLabels[tabPlan], theme.GridIcon(), u.plan.content),
		container.NewTabItemWithIcon(tabLabels[tabDigest], theme.MailComposeIcon(), u.digest.content),
		container.NewTabItemWithIcon(tabLabels[tabReport], theme.DocumentIcon(), u.report.Content()),
		container.NewTabItemWithIcon(tabLabels[tabSettings], theme.SettingsIcon(), u.settings.Content()),
	)
	u.tabs.OnSelected = func(*container.TabItem) { u.refreshSelected() }
	u.notice = newNotice(u)
	u.win.SetContent(container.NewBorder(u.notice.box, nil, nil, nil, u.tabs))
	u.win.SetMaster()
	u.win.SetCloseIntercept(u.closeWindow)
	addShortcuts(u)

	u.refreshAll()
	u.bridge.start(u.ctx, b.Events)
	maybeOnboard(u)
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

// ShowWindow shows and raises the window on tab (winproc.TabDigest,
// winproc.TabReport, or "" to leave the tab); it is safe from any
// goroutine.
func (u *UI) ShowWindow(tab string) { u.bridge.do(func() { u.showTab(tab) }) }

// Close stops following the resident and cancels the requests under way.
func (u *UI) Close() {
	u.cancel()
	u.bridge.close()
}

func (u *UI) show() {
	u.win.Show()
	u.win.RequestFocus()
	u.refreshSelected()
}

// showTab shows the window on tab: "report" (this week's report, from its
// top), "digest", or "" (as it was).
func (u *UI) showTab(tab string) {
	switch tab {
	case "report":
		u.showReport()
	case "digest":
		u.show()
		u.selectTab(tabDigest)
	default:
		u.show()
	}
}

// minimize minimises the window as the platform allows (Options.Minimize);
// it reports whether it could.
func (u *UI) minimize() bool {
	return u.opts.Minimize != nil && u.opts.Minimize(u.win)
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
	u.report.ShowWeek(focus.Week{})
	u.report.scroll.ScrollToTop()
}

// refreshAll asks every view for a fresh read of the resident's state.
func (u *UI) refreshAll() {
	u.today.refresh()
	u.plan.refresh()
	u.digest.refresh()
	switch u.tabs.SelectedIndex() {
	case tabReport:
		u.report.Refresh()
	case tabSettings:
		u.settings.Refresh()
	}
}

// refreshSelected refreshes the visible tab (Report and Settings only when
// shown: they read more).
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
}

// refreshClock is the once-a-minute update while focusing: the remaining
// time, today's focus, and the held count (not every way in announces what
// it held).
func (u *UI) refreshClock() {
	u.today.refresh()
	u.digest.refresh()
}

// apply updates the views the merged events concern. It runs on the UI
// goroutine.
func (u *UI) apply(p pendingEvents) {
	switch p.link {
	case api.EventConnected:
		// Events may have been missed before: read everything again.
		u.notice.setRunning(true)
		u.refreshAll()
	case api.EventDisconnected:
		u.notice.lost()
	}
	if p.tray != nil {
		u.notice.setTray(*p.tray)
	}
	focusChanged, planChanged := p.has(api.EventFocus), p.has(api.EventPlan)
	if planChanged {
		u.plan.refresh()
		if u.tabs.SelectedIndex() == tabReport {
			u.report.Refresh()
		}
	}
	if focusChanged || planChanged || p.has(api.EventMeeting) || p.has(api.EventPresenting) {
		u.today.refresh()
	}
	if p.focus != nil {
		u.shownFocus = *p.focus
	}
	if p.quiet != nil {
		u.shownQuiet = *p.quiet
	}
	if p.focus != nil || p.quiet != nil {
		u.bridge.arm(u.clock, countdown(u.shownFocus, u.shownQuiet, u.now()), u.now(), u.refreshClock)
	}
	if focusChanged || p.has(api.EventHeld) || p.has(api.EventDigest) {
		// The read shows the held count on Today too.
		u.digest.refresh()
	}
	if p.has(api.EventCalendars) {
		u.plan.refreshSources()
		if u.tabs.SelectedIndex() == tabSettings {
			u.settings.Refresh()
		}
	}
	if p.has(api.EventSettings) {
		// The zone, the goal, the hours and the digest times show
		// everywhere; the Settings tab keeps what is being typed.
		u.today.refresh()
		u.plan.refresh()
		u.digest.refresh()
		switch u.tabs.SelectedIndex() {
		case tabReport:
			u.report.Refresh()
		case tabSettings:
			u.settings.Refresh()
		}
	}
	if p.show {
		u.showTab(p.tab)
	}
	if p.problem != "" {
		u.showProblem(errors.New(p.problem))
	}
}

// showError shows err as a dialog over the window, in words for people.
func (u *UI) showError(err error) {
	if err = userError(err); err != nil {
		dialog.ShowError(err, u.win)
	}
}

// userError rewords the errors a user can cause by acting on a state that
// just changed (a block started focus, the command line stopped it) or
// while Lull is not running; others keep their own message. Cancellation
// by Close is not shown.
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
	case errors.Is(err, localapi.ErrNotRunning):
		return errors.New(stoppedText)
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

// now is the window's clock (the resident's, in tests).
func (u *UI) now() time.Time { return u.clock.Now() }

// call is the context of one request to the resident: the UI's, bounded
// by requestTimeout.
func (u *UI) call() (context.Context, context.CancelFunc) {
	return context.WithTimeout(u.ctx, requestTimeout)
}

// countdown is the state whose time left the window counts down by the
// minute: the focus session, else a meeting ("In a meeting — 20 min
// left"), as a session ending with it; none while presenting or idle.
func countdown(st focus.State, q api.Quiet, now time.Time) focus.State {
	if st.Focusing || !q.Meeting || q.Presenting || !q.MeetingEnd.After(now) {
		return st
	}
	return focus.State{Focusing: true, Start: now, PlannedEnd: q.MeetingEnd}
}
