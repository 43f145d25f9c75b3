//go:build linux && cgo && !wayland

package main

/*
#cgo LDFLAGS: -lX11
#include <X11/Xlib.h>

// canOpenDisplay reports whether the X display named by DISPLAY accepts
// a connection, as GLFW's will have to.
static int canOpenDisplay(void) {
	Display *d = XOpenDisplay(NULL);
	if (d == NULL) {
		return 0;
	}
	XCloseDisplay(d);
	return 1;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
)

// displayProblem says why the window cannot open here, or nil: Fyne's
// GLFW panics when it cannot connect to the X display (no DISPLAY, as
// over ssh or in a service, or one that does not answer), so the window
// asks first and says it in words.
func displayProblem() error {
	if C.canOpenDisplay() != 0 {
		return nil
	}
	if d := os.Getenv("DISPLAY"); d != "" {
		return fmt.Errorf("cannot open Lull's window: the display %q does not answer; open Lull from your desktop session", d)
	}
	return errors.New("cannot open Lull's window: there is no display (DISPLAY is not set); open Lull from your desktop session")
}
