//go:build !windows && !(linux && cgo && !wayland)

package main

import "fyne.io/fyne/v2"

// minimizeWindow cannot minimise here (Wayland has no request for it that
// Fyne exposes; macOS always has the menu bar's tray): the caller falls
// back to asking the user.
func minimizeWindow(fyne.Window) bool { return false }
