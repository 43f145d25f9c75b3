//go:build !(linux && cgo && !wayland)

package main

// displayProblem is nil where there is no X display to look for (Windows,
// macOS, Wayland): Fyne reports what goes wrong there itself.
func displayProblem() error { return nil }
