//go:build !linux

package main

import (
	"context"

	"github.com/lullapp/lull/app"
)

// newTrayHost: Windows and macOS always have a tray (notification area,
// menu bar).
func newTrayHost(context.Context) app.TrayHost { return fixedTrayHost(true) }
