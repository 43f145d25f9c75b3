package main

import (
	"syscall"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver"
)

// swMinimize is ShowWindow's SW_MINIMIZE.
const swMinimize = 6

var showWindow = syscall.NewLazyDLL("user32.dll").NewProc("ShowWindow")

// minimizeWindow minimises w to the task bar (Fyne has no call for it).
func minimizeWindow(w fyne.Window) bool {
	nw, ok := w.(driver.NativeWindow)
	if !ok {
		return false
	}
	done := false
	nw.RunNative(func(ctx any) {
		if c, ok := ctx.(driver.WindowsWindowContext); ok && c.HWND != 0 {
			showWindow.Call(c.HWND, swMinimize)
			done = true
		}
	})
	return done
}
