//go:build linux && cgo && !wayland

package main

/*
#cgo LDFLAGS: -lX11
#include <X11/Xlib.h>

// iconify asks the window manager to minimise window w, on a display
// connection of its own (Fyne's GLFW keeps its own to itself).
static int iconify(unsigned long w) {
	Display *d = XOpenDisplay(NULL);
	if (d == NULL) {
		return 0;
	}
	Status s = XIconifyWindow(d, (Window)w, DefaultScreen(d));
	XFlush(d);
	XCloseDisplay(d);
	return s != 0;
}
*/
import "C"

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver"
)

// minimizeWindow minimises w through X11 (Fyne has no call for it): the
// WM_CHANGE_STATE request of ICCCM that every window manager honours.
func minimizeWindow(w fyne.Window) bool {
	nw, ok := w.(driver.NativeWindow)
	if !ok {
		return false
	}
	done := false
	nw.RunNative(func(ctx any) {
		if x, ok := ctx.(driver.X11WindowContext); ok && x.WindowHandle != 0 {
			done = C.iconify(C.ulong(x.WindowHandle)) != 0
		}
	})
	return done
}
