//go:build e2e && linux && cgo

// Package e2e holds Lull's end-to-end tests (files with the e2e build tag)
// and, here, the few X11 requests they need that xdotool cannot make.
package e2e

/*
#cgo LDFLAGS: -lX11
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/Xatom.h>

// leaveStaleWMCheck does what a window manager killed with SIGKILL
// leaves behind: the root window's _NET_SUPPORTING_WM_CHECK names its
// check window, which is gone. It returns that window's ID, or 0.
static unsigned long leaveStaleWMCheck(void) {
	Display *d = XOpenDisplay(NULL);
	if (d == NULL) return 0;
	Window root = DefaultRootWindow(d);
	Window w = XCreateSimpleWindow(d, root, 0, 0, 1, 1, 0, 0, 0);
	Atom check = XInternAtom(d, "_NET_SUPPORTING_WM_CHECK", False);
	XChangeProperty(d, root, check, XA_WINDOW, 32, PropModeReplace, (unsigned char *)&w, 1);
	XChangeProperty(d, w, check, XA_WINDOW, 32, PropModeReplace, (unsigned char *)&w, 1);
	XDestroyWindow(d, w);
	XSync(d, False);
	XCloseDisplay(d);
	return w;
}

// wmCheck is the window the root's _NET_SUPPORTING_WM_CHECK names, or 0.
static unsigned long wmCheck(void) {
	Display *d = XOpenDisplay(NULL);
	if (d == NULL) return 0;
	unsigned long w = 0;
	Atom check = XInternAtom(d, "_NET_SUPPORTING_WM_CHECK", True), type;
	int format;
	unsigned long n = 0, after;
	unsigned char *data = NULL;
	if (check != None && XGetWindowProperty(d, DefaultRootWindow(d), check, 0, 1, False, XA_WINDOW,
			&type, &format, &n, &after, &data) == Success && data != NULL && n == 1) {
		w = *(Window *)data;
	}
	if (data != NULL) XFree(data);
	XCloseDisplay(d);
	return w;
}

// closeWindow sends w the window manager's close request
// (WM_PROTOCOLS / WM_DELETE_WINDOW), as a title bar's close button does.
static int closeWindow(unsigned long w) {
	Display *d = XOpenDisplay(NULL);
	if (d == NULL) return 0;
	XEvent ev;
	memset(&ev, 0, sizeof ev);
	ev.xclient.type = ClientMessage;
	ev.xclient.window = (Window)w;
	ev.xclient.message_type = XInternAtom(d, "WM_PROTOCOLS", False);
	ev.xclient.format = 32;
	ev.xclient.data.l[0] = XInternAtom(d, "WM_DELETE_WINDOW", False);
	ev.xclient.data.l[1] = CurrentTime;
	Status s = XSendEvent(d, (Window)w, False, NoEventMask, &ev);
	XFlush(d);
	XCloseDisplay(d);
	return s != 0;
}

// watchRoot opens a connection that receives what clients send to the
// root window for the window manager (there is none in the test session).
static Display *watchRoot(void) {
	Display *d = XOpenDisplay(NULL);
	if (d == NULL) return NULL;
	XSelectInput(d, DefaultRootWindow(d), SubstructureNotifyMask);
	XSync(d, False);
	return d;
}

// waitIconify waits up to ms milliseconds for an ICCCM WM_CHANGE_STATE
// request to iconify window w; it closes d.
static int waitIconify(Display *d, unsigned long w, int ms) {
	Atom change = XInternAtom(d, "WM_CHANGE_STATE", False);
	int fd = ConnectionNumber(d), found = 0;
	while (!found && ms > 0) {
		while (!found && XPending(d)) {
			XEvent ev;
			XNextEvent(d, &ev);
			if (ev.type == ClientMessage && ev.xclient.message_type == change &&
				ev.xclient.window == (Window)w && ev.xclient.data.l[0] == IconicState) {
				found = 1;
			}
		}
		if (found) break;
		fd_set set;
		FD_ZERO(&set);
		FD_SET(fd, &set);
		struct timeval tv = {0, 100000};
		select(fd + 1, &set, NULL, NULL, &tv);
		ms -= 100;
	}
	XCloseDisplay(d);
	return found;
}
*/
import "C"

import (
	"fmt"
	"strconv"
	"time"
)

// leaveStaleWMCheck leaves a dead window manager's EWMH check on the root
// window and returns the gone window's ID (0: no display).
func leaveStaleWMCheck() uint64 { return uint64(C.leaveStaleWMCheck()) }

// wmCheck is the window the root window's _NET_SUPPORTING_WM_CHECK names,
// 0 when there is none.
func wmCheck() uint64 { return uint64(C.wmCheck()) }

// closeWindowX asks window id (xdotool's decimal id) to close, as a window
// manager's close button would.
func closeWindowX(id string) error {
	w, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return err
	}
	if C.closeWindow(C.ulong(w)) == 0 {
		return fmt.Errorf("XSendEvent WM_DELETE_WINDOW to %s failed", id)
	}
	return nil
}

// iconifyWatch listens on the root window for a request to minimise a
// window; wait reports whether window id asked for it within d.
type iconifyWatch struct{ d *C.Display }

func watchIconify() (*iconifyWatch, error) {
	d := C.watchRoot()
	if d == nil {
		return nil, fmt.Errorf("cannot open the X display")
	}
	return &iconifyWatch{d}, nil
}

func (w *iconifyWatch) wait(id string, d time.Duration) bool {
	win, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return false
	}
	return C.waitIconify(w.d, C.ulong(win), C.int(d/time.Millisecond)) != 0
}
