//go:build !linux

package service

import "context"

// newTrayHost: Windows and macOS always have a tray (notification area,
// menu bar).
func newTrayHost(context.Context) TrayHost { return fixedTrayHost(true) }
