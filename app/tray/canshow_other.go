//go:build !linux && !darwin

package tray

// canShow: Windows always has a notification area.
func canShow() bool { return true }
