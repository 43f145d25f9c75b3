package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// residentTargets are the platforms the resident process must build for
// without cgo, tray included: on Linux D-Bus, on Windows the Win32 API
// through syscalls (fyne.io/systray), on macOS AppKit through the
// Objective-C runtime (app/tray's purego tray).
var residentTargets = []struct{ goos, goarch string }{
	{"linux", "amd64"},
	{"windows", "amd64"},
	{"darwin", "amd64"},
	{"darwin", "arm64"},
}

// TestResidentLinksNoGUIToolkit: `lull` (the command line and the resident
// process) depends on no Fyne package on any target, and builds with
// CGO_ENABLED=0, so it costs what a tray icon costs and a crash of the
// GUI cannot take focus and holding down.
func TestResidentLinksNoGUIToolkit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command for several platforms")
	}
	for _, tg := range residentTargets {
		t.Run(tg.goos+"/"+tg.goarch, func(t *testing.T) {
			env := append(os.Environ(), "GOOS="+tg.goos, "GOARCH="+tg.goarch, "CGO_ENABLED=0")
			list := exec.Command("go", "list", "-deps", ".")
			list.Env = env
			out, err := list.CombinedOutput()
			if err != nil {
				t.Fatalf("go list: %v\n%s", err, out)
			}
			for _, p := range strings.Fields(string(out)) {
				if strings.HasPrefix(p, "fyne.io/fyne/") {
					t.Errorf("cmd/lull depends on %s", p)
				}
			}
			build := exec.Command("go", "build", "-o", os.DevNull, ".")
			build.Env = env
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("CGO_ENABLED=0 go build: %v\n%s", err, out)
			}
		})
	}
}
