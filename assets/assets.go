// Package assets holds Lull's icons, embedded in the binary.
package assets

import _ "embed"

// Icon is the application icon (512×512 PNG), also named in FyneApp.toml.
//
//go:embed icon.png
var Icon []byte

// TrayIdle is the tray icon while not focusing: a neutral grey that reads
// on light and dark panels.
//
//go:embed tray-idle.png
var TrayIdle []byte

// TrayFocusing is the tray icon while focusing: amber, visible on both
// light and dark panels.
//
//go:embed tray-focusing.png
var TrayFocusing []byte
