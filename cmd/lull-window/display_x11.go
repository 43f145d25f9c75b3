//go:build linux && cgo && !wayland

package main

/*
#cgo LDFLAGS: -lX11
#include <X11/Xlib.h>
#include <X11/Xatom.h>

static int badWindow;

static int noteError(Display *d, XErrorEvent *e) {
	badWindow = 1;
	return 0;
}

// clearStaleWMCheck deletes the root window's _NET_SUPPORTING_WM_CHECK
// when the window it names no longer exists (the window manager that set
// it died or was killed) and says whether it did. GLFW 3.3's EWMH check
// reads that window's property, gets BadWindow and returns without
// releasing its X error handler; its next grab (creating the window)
// then fails an assertion and aborts the process (glfw issue 2601, fixed
// upstream by PR 2593, not in the go-gl/glfw Fyne uses). The property is
// the dead manager's and means nothing without it; a new manager sets it
// again.
static int clearStaleWMCheck(void) {
	Display *d = XOpenDisplay(NULL);
	if (d == NULL) {
		return 0;
	}
	int cleared = 0;
	Atom check = XInternAtom(d, "_NET_SUPPORTING_WM_CHECK", True);
	if (check != None) {
		Window root = DefaultRootWindow(d);
		Atom type;
		int format;
		unsigned long n = 0, after;
		unsigned char *data = NULL;
		if (XGetWindowProperty(d, root, check, 0, 1, False, XA_WINDOW, &type, &format, &n, &after, &data) == Success &&
			data != NULL && n == 1 && format == 32) {
			Window w = *(Window *)data;
			XWindowAttributes wa;
			XSync(d, False);
			badWindow = 0;
			XErrorHandler old = XSetErrorHandler(noteError);
			Status ok = XGetWindowAttributes(d, w, &wa);
			XSync(d, False);
			XSetErrorHandler(old);
			if (!ok || badWindow) {
				XDeleteProperty(d, root, check);
				XSync(d, False);
				cleared = 1;
			}
		}
		if (data != NULL) {
			XFree(data);
		}
	}
	XCloseDisplay(d);
	return cleared;
}

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
// It also clears a dead window manager's stale EWMH check, which would
// make GLFW abort the window (clearStaleWMCheck).
func displayProblem() error {
	if C.canOpenDisplay() != 0 {
		if C.clearStaleWMCheck() != 0 {
			fmt.Fprintln(os.Stderr, "lull-window: the window manager that was running has gone; cleared its stale _NET_SUPPORTING_WM_CHECK")
		}
		return nil
	}
	if d := os.Getenv("DISPLAY"); d != "" {
		return fmt.Errorf("cannot open Lull's window: the display %q does not answer; open Lull from your desktop session", d)
	}
	return errors.New("cannot open Lull's window: there is no display (DISPLAY is not set); open Lull from your desktop session")
}
