package app

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/lullapp/lull/assets"
	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/human"
)

// The tray icons: grey while idle, amber while focusing.
var (
	trayIdleIcon     = fyne.NewStaticResource("tray-idle.png", assets.TrayIdle)
	trayFocusingIcon = fyne.NewStaticResource("tray-focusing.png", assets.TrayFocusing)
)

// trayLengths are the lengths offered under "Start focus".
var trayLengths = []time.Duration{25 * time.Minute, 50 * time.Minute, 90 * time.Minute}

// trayModel is everything the tray menu shows; the menu is rebuilt whole
// when it changes.
type trayModel struct {
	Status   string
	Focusing bool
	Held     int
	// Resume labels the item that resumes a block stopped early
	// ("Resume block — 40 min left"); "" when there is none.
	Resume string
}

// trayStatus is the tray's first line: the focus status while focusing,
// else when the next accepted block starts, else "Not focusing".
func trayStatus(st focus.State, next *calendar.Block, now time.Time, loc *time.Location) string {
	if st.Focusing {
		return focus.StatusLine(st, now)
	}
	if next != nil && next.Start.After(now) {
		return "Next block " + whenLabel(next.Start, now, loc)
	}
	return "Not focusing"
}

// whenLabel names a coming time briefly: "14:00" today, "Tue 14:00" within
// the week, "Tue 8 Dec 14:00" beyond.
func whenLabel(t, now time.Time, loc *time.Location) string {
	t, now = t.In(loc), now.In(loc)
	ty, tm, td := t.Date()
	ny, nm, nd := now.Date()
	today := time.Date(ny, nm, nd, 0, 0, 0, 0, loc)
	day := time.Date(ty, tm, td, 0, 0, 0, 0, loc)
	switch {
	case day.Equal(today):
		return t.Format("15:04")
	case day.After(today) && day.Before(today.AddDate(0, 0, 7)):
		return t.Format("Mon 15:04")
	default:
		return t.Format("Mon 2 Jan 15:04")
	}
}

// deliverLabel is the tray's digest item: "Deliver digest now (3 held)".
func deliverLabel(held int) string {
	if held == 0 {
		return "Deliver digest now (none held)"
	}
	return fmt.Sprintf("Deliver digest now (%d held)", held)
}

// lengthLabel names a focus length in minutes: "25 min", "90 min".
func lengthLabel(d time.Duration) string {
	return fmt.Sprintf("%d min", int(d/time.Minute))
}

// resumeLabel names the resume item and button: "Resume block — 40 min
// left", the time left rounded up as the status line rounds it.
func resumeLabel(left time.Duration) string {
	mins := (max(left, 0) + time.Minute - 1) / time.Minute
	return "Resume block — " + human.Duration(mins*time.Minute) + " left"
}

// trayActions are what the menu items do.
type trayActions struct {
	Start        func(time.Duration)
	UntilMeeting func()
	Stop         func()
	Resume       func()
	Deliver      func()
	Open         func()
	Report       func()
	Quit         func()
}

// trayMenu builds the tray menu for m.
func trayMenu(m trayModel, act trayActions) *fyne.Menu {
	status := fyne.NewMenuItem(m.Status, nil)
	status.Disabled = true

	var starts []*fyne.MenuItem
	for _, d := range trayLengths {
		starts = append(starts, fyne.NewMenuItem(lengthLabel(d), func() { act.Start(d) }))
	}
	starts = append(starts, fyne.NewMenuItem("Until next meeting", act.UntilMeeting))
	start := fyne.NewMenuItem("Start focus", nil)
	start.ChildMenu = fyne.NewMenu("", starts...)
	start.Disabled = m.Focusing

	stop := fyne.NewMenuItem("Stop focus", act.Stop)
	stop.Disabled = !m.Focusing
	focusItems := []*fyne.MenuItem{start, stop}
	if m.Resume != "" {
		focusItems = append(focusItems, fyne.NewMenuItem(m.Resume, act.Resume))
	}

	deliver := fyne.NewMenuItem(deliverLabel(m.Held), act.Deliver)
	deliver.Disabled = m.Held == 0

	quit := fyne.NewMenuItem("Quit", act.Quit)
	quit.IsQuit = true

	items := append([]*fyne.MenuItem{status, fyne.NewMenuItemSeparator()}, focusItems...)
	return fyne.NewMenu("Lull", append(items,
		deliver,
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Open Lull", act.Open),
		fyne.NewMenuItem("Weekly report", act.Report),
		fyne.NewMenuItemSeparator(),
		quit,
	)...)
}

// tray keeps the system tray menu and icon in step with the service.
type tray struct {
	ui   *UI
	desk desktop.App

	model trayModel
	built bool
	menu  *fyne.Menu
}

func newTray(u *UI, d desktop.App) *tray { return &tray{ui: u, desk: d} }

// current reads the tray's model from the service.
func (t *tray) current() trayModel {
	u := t.ui
	st := u.svc.Focus.State()
	var next *calendar.Block
	if b, ok := u.svc.NextBlock(); ok {
		next = &b
	}
	m := trayModel{
		Status:   trayStatus(st, next, u.now(), u.svc.Location()),
		Focusing: st.Focusing,
		Held:     u.digest.heldTotal(),
	}
	if b, ok := u.svc.Focus.Resumable(); ok && !st.Focusing {
		m.Resume = resumeLabel(b.End.Sub(u.now()))
	}
	return m
}

// refresh rebuilds the menu, and swaps the icon, only when what they show
// changed.
func (t *tray) refresh() {
	m := t.current()
	if t.built && m == t.model {
		return
	}
	if !t.built || m.Focusing != t.model.Focusing {
		icon := trayIdleIcon
		if m.Focusing {
			icon = trayFocusingIcon
		}
		t.desk.SetSystemTrayIcon(icon)
	}
	t.model, t.built = m, true
	u := t.ui
	t.menu = trayMenu(m, trayActions{
		Start:        u.startFocus,
		UntilMeeting: u.startUntilMeeting,
		Stop:         u.stopFocus,
		Resume:       u.resumeFocus,
		Deliver:      u.deliverNow,
		Open:         u.show,
		Report:       u.showReport,
		Quit:         u.quit,
	})
	t.desk.SetSystemTrayMenu(t.menu)
}
