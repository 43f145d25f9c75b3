package app

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lullapp/lull/internal/clock"
)

// noTrayGrace is how long after start Lull waits for a tray host before it
// tells the user there is none: at login the panel often starts a few
// seconds after Lull, and a notice then would be wrong.
const noTrayGrace = 10 * time.Second

// TrayHost is the desktop's side of the tray: on Linux, whoever owns
// org.kde.StatusNotifierWatcher on the session bus (the panel). Without
// one, a tray icon is shown nowhere, and a window hidden "to the tray"
// could not be found again.
type TrayHost interface {
	// Present reports whether tray icons are shown now.
	Present() bool
	// Watch calls f, on any goroutine, whenever Present changes, until
	// stop is called.
	Watch(f func(present bool)) (stop func())
}

// The texts of the no-tray notice.
const (
	noTrayBanner  = "This desktop shows no tray icons, so Lull has none. Closing this window minimises Lull; it keeps holding notifications and starting focus until you quit it."
	noTrayTitle   = "Lull is running without a tray icon"
	noTrayMessage = "This desktop has no system tray. Find Lull in the task bar: closing its window minimises it."
	noTrayAsk     = "This desktop shows no tray icons, and Lull could not minimise its window. Keep Lull open, or quit it? Quitting stops holding notifications and starting focus."
)

// noTray is the window's part of a desktop without a tray: a banner above
// the tabs, one notification, and closing the window minimises it.
type noTray struct {
	ui     *UI
	banner *fyne.Container
	quit   *widget.Button
	// present is the tray host's state as last told (UI goroutine only);
	// told says the notification went out this run.
	present bool
	told    bool
	stop    func()
	grace   clock.Timer
}

func newNoTray(u *UI) *noTray {
	n := &noTray{ui: u, present: true}
	text := widget.NewLabel(noTrayBanner)
	text.Wrapping = fyne.TextWrapWord
	text.Importance = widget.WarningImportance
	n.quit = widget.NewButtonWithIcon("Quit Lull", theme.LogoutIcon(), u.quit)
	n.banner = container.NewBorder(nil, widget.NewSeparator(), widget.NewIcon(theme.WarningIcon()), container.NewCenter(n.quit), text)
	n.banner.Hide()
	return n
}

// start reads the tray host and follows it; the notification goes out once
// noTrayGrace after start if there is still no tray then.
func (n *noTray) start(h TrayHost) {
	if h == nil {
		return
	}
	n.set(h.Present())
	n.stop = h.Watch(func(p bool) {
		n.ui.bridge.do(func() {
			if !n.ui.bridge.isClosed() {
				n.set(p)
			}
		})
	})
	n.grace = n.ui.svc.Clock.AfterFunc(noTrayGrace, func() { n.ui.bridge.do(n.tell) })
}

// set shows or hides the banner for the tray host's state p.
func (n *noTray) set(p bool) {
	n.present = p
	if p {
		n.banner.Hide()
	} else {
		n.banner.Show()
	}
	n.ui.win.Content().Refresh()
}

// tell sends the one notification of this run, if there is no tray; a
// hidden window is shown minimised, so the task bar has Lull.
func (n *noTray) tell() {
	if n.present || n.told || n.ui.bridge.isClosed() {
		return
	}
	n.told = true
	if f := n.ui.opts.Notify; f != nil {
		f(noTrayTitle, noTrayMessage)
	}
	if !n.ui.shown {
		n.ui.show()
		n.ui.minimize()
	}
}

// close ends the watch.
func (n *noTray) close() {
	if n.stop != nil {
		n.stop()
	}
	if n.grace != nil {
		n.grace.Stop()
	}
}

// closeWindow is what the window's close button does: hide to the tray
// when there is one; without one, minimise, or when that is not possible,
// ask whether to keep Lull open or quit.
func (u *UI) closeWindow() {
	if u.noTray.present {
		u.hide()
		return
	}
	if u.minimize() {
		return
	}
	ask := widget.NewLabel(noTrayAsk)
	ask.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm("No tray on this desktop", "Keep Lull open", "Quit Lull", ask, func(keep bool) {
		if !keep {
			u.quit()
		}
	}, u.win)
	d.Resize(fyne.NewSize(420, 0))
	d.Show()
}

// minimize minimises the window as the platform allows (Options.Minimize);
// it reports whether it could.
func (u *UI) minimize() bool {
	return u.opts.Minimize != nil && u.opts.Minimize(u.win)
}
