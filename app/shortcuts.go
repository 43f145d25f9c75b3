package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// tabKeys are the keys that, with the platform's shortcut modifier (Ctrl,
// or Cmd on macOS), select the tabs in order.
var tabKeys = [...]fyne.KeyName{fyne.Key1, fyne.Key2, fyne.Key3, fyne.Key4, fyne.Key5}

// addShortcuts binds Ctrl+F to the focus toggle, Ctrl+1..5 to the tabs
// and Ctrl+R to Restart Lull while the resident process is stopped.
func addShortcuts(u *UI) {
	c := u.win.Canvas()
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault},
		func(fyne.Shortcut) { u.toggleFocus() })
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierShortcutDefault},
		func(fyne.Shortcut) { u.notice.restartIfStopped() })
	for i, k := range tabKeys {
		c.AddShortcut(&desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault},
			func(fyne.Shortcut) { u.selectTab(i) })
	}
}
