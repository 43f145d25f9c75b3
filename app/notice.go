package app

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lullapp/lull/internal/localapi"
)

// The texts of the notice above the tabs and of the close dialog.
const (
	// noTrayBanner: the desktop shows no tray icons (the resident says so:
	// api.Status.TrayAvailable, api.EventTray).
	noTrayBanner = "This desktop shows no tray icons, so Lull has none. Closing this window minimises Lull; it keeps holding notifications and starting focus until you quit it."
	noTrayAsk    = "This desktop shows no tray icons, and Lull could not minimise its window. Keep Lull open, or quit it? Quitting stops holding notifications and starting focus."
	// stoppedText: the resident process stopped (killed, crashed).
	stoppedText = "Lull stopped running: focus and holding notifications wait until it runs again. Nothing it had taken in is lost."
	// startingText: Restart Lull was clicked; the window waits for it.
	startingText = "Starting Lull…"
)

// notice is the line above the tabs: empty while Lull runs with a tray;
// on a desktop without one, that it has none and how to quit it; when the
// resident process stopped, that it did, with Restart Lull.
type notice struct {
	ui      *UI
	box     *fyne.Container
	text    *widget.Label
	quit    *widget.Button
	restart *widget.Button
	// tray is the desktop's tray as last told, running whether the
	// resident answers, starting that Restart Lull was clicked and the
	// window waits for it (UI goroutine only).
	tray, running, starting bool
	// failed says why the last restart failed ("" if it did not).
	failed string
}

func newNotice(u *UI) *notice {
	n := &notice{ui: u, tray: true, running: true}
	n.text = widget.NewLabel("")
	n.text.Wrapping = fyne.TextWrapWord
	n.text.Importance = widget.WarningImportance
	n.quit = widget.NewButtonWithIcon("Quit Lull", theme.LogoutIcon(), u.quitLull)
	n.restart = widget.NewButtonWithIcon("Restart Lull", theme.ViewRefreshIcon(), n.onRestart)
	n.restart.Importance = widget.HighImportance
	n.box = container.NewBorder(nil, widget.NewSeparator(), widget.NewIcon(theme.WarningIcon()),
		container.NewCenter(container.NewHBox(n.quit, n.restart)), n.text)
	n.update()
	return n
}

// setTray follows the desktop's tray: present or not.
func (n *notice) setTray(present bool) {
	if present != n.tray {
		if present {
			n.ui.opts.Logf("the desktop shows tray icons: closing the window ends it")
		} else {
			n.ui.opts.Logf("no tray on this desktop: closing the window minimises it")
		}
	}
	n.tray = present
	n.update()
}

// setRunning follows the resident: it answers (its event stream is
// connected) or it stopped.
func (n *notice) setRunning(running bool) {
	if running != n.running {
		if running {
			n.ui.opts.Logf("Lull runs again")
		} else {
			n.ui.opts.Logf("Lull stopped running")
		}
	}
	n.running = running
	if running {
		n.starting, n.failed = false, ""
	}
	n.update()
}

// lost is told that the event stream broke: the resident may have stopped,
// or only the connection (the client reconnects). The notice says Lull
// stopped only when the resident does not answer either.
func (n *notice) lost() {
	u := n.ui
	u.bridge.run(func() error {
		ctx, cancel := u.call()
		defer cancel()
		_, err := u.api.Status(ctx)
		return err
	}, func(err error) {
		if err != nil && !u.bridge.isClosed() {
			n.setRunning(false)
		}
	})
}

// restartIfStopped is Restart Lull's shortcut: it restarts the resident
// only while the notice offers to (a running Lull is left alone).
func (n *notice) restartIfStopped() {
	if !n.running {
		n.onRestart()
	}
}

// onRestart starts the resident again; the event stream finds it by
// itself and the notice goes once it is connected.
func (n *notice) onRestart() {
	u := n.ui
	if u.opts.Restart == nil || n.starting {
		return
	}
	n.starting, n.failed = true, ""
	n.update()
	u.opts.Logf("restarting Lull")
	u.bridge.run(u.opts.Restart, func(err error) {
		if err != nil {
			u.opts.Logf("Lull could not be started: %v", err)
			n.starting, n.failed = false, "Lull could not be started: "+err.Error()
			n.update()
		}
	})
}

// update shows what the notice says now.
func (n *notice) update() {
	switch {
	case !n.running:
		text := stoppedText
		switch {
		case n.starting:
			text = startingText
		case n.failed != "":
			text = n.failed
		}
		n.text.SetText(text)
		n.quit.Hide()
		if n.ui.opts.Restart != nil {
			n.restart.Show()
		} else {
			n.restart.Hide()
		}
		if n.starting {
			n.restart.Disable()
		} else {
			n.restart.Enable()
		}
		n.box.Show()
	case !n.tray:
		n.text.SetText(noTrayBanner)
		n.quit.Show()
		n.restart.Hide()
		n.box.Show()
	default:
		n.box.Hide()
	}
	if c := n.ui.win.Content(); c != nil {
		c.Refresh()
	}
}

// closeWindow is what the window's close button does: with a tray, end the
// window process (the resident goes on in the tray); without one,
// minimise, or when that is not possible, ask whether to keep Lull open or
// quit it.
func (u *UI) closeWindow() {
	if u.notice.tray {
		u.opts.Quit()
		return
	}
	if u.minimize() {
		return
	}
	ask := widget.NewLabel(noTrayAsk)
	ask.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm("No tray on this desktop", "Keep Lull open", "Quit Lull", ask, func(keep bool) {
		if !keep {
			u.quitLull()
		}
	}, u.win)
	d.Resize(fyne.NewSize(420, 0))
	d.Show()
}

// quitLull stops Lull, the resident process with it (Quit Lull where there
// is no tray), then ends the window process. A resident that no longer
// answers has stopped already.
func (u *UI) quitLull() {
	u.bridge.run(func() error {
		ctx, cancel := u.call()
		defer cancel()
		return u.api.Quit(ctx)
	}, func(err error) {
		if err != nil && !errors.Is(err, localapi.ErrNotRunning) {
			u.showError(err)
			return
		}
		u.opts.Quit()
	})
}
