// Package fullscreen tells whether the active window is fullscreen on an
// X11 desktop, the way EWMH window managers publish it: the root window's
// _NET_ACTIVE_WINDOW names the active window, and that window's
// _NET_WM_STATE lists _NET_WM_STATE_FULLSCREEN while it is fullscreen (a
// slide show, a video call shared full screen, a video). It listens to
// PropertyNotify events on the root window and on the active window, so
// it wakes only when one of them changes: no polling.
//
// It speaks X11 through github.com/jezek/xgb, a pure-Go X client: the
// resident process is built without cgo on Linux, so Xlib is out.
// Wayland sessions expose no such property to other clients; there
// Watch fails (no X display, or XWayland's windows only) and presenting
// is what the user says.
package fullscreen

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// ErrNoDisplay: there is no X11 display to watch ($DISPLAY unset).
var ErrNoDisplay = errors.New("no X11 display ($DISPLAY is not set)")

// maxStateAtoms bounds how much of _NET_WM_STATE is read: EWMH defines
// 13 states, and a window lists a handful at once.
const maxStateAtoms = 64

// atoms are the EWMH names the watch reads.
type atoms struct {
	active, state, fullscreen xproto.Atom
}

// Watch reports at once whether the active window is fullscreen, then
// every change, to changed (from a goroutine of its own, one call at a
// time), until ctx ends. It fails when it cannot connect to the X display.
func Watch(ctx context.Context, changed func(on bool)) error {
	if os.Getenv("DISPLAY") == "" {
		return ErrNoDisplay
	}
	// xgb logs to stderr through its package logger (a missing
	// ~/.Xauthority, which Xvfb and many sessions never need); Lull's log
	// has the errors that matter.
	xgb.Logger = log.New(io.Discard, "", 0)
	conn, err := xgb.NewConn()
	if err != nil {
		return fmt.Errorf("X11 display %s: %w", os.Getenv("DISPLAY"), err)
	}
	w, err := newWatcher(conn)
	if err != nil {
		conn.Close()
		return err
	}
	context.AfterFunc(ctx, conn.Close) // WaitForEvent then returns nil, nil
	go w.run(changed)
	return nil
}

type watcher struct {
	conn   *xgb.Conn
	root   xproto.Window
	atoms  atoms
	active xproto.Window // the window whose properties we listen to
	on     bool
}

func newWatcher(conn *xgb.Conn) (*watcher, error) {
	w := &watcher{conn: conn, root: xproto.Setup(conn).DefaultScreen(conn).Root}
	for name, dst := range map[string]*xproto.Atom{
		"_NET_ACTIVE_WINDOW": &w.atoms.active, "_NET_WM_STATE": &w.atoms.state,
		"_NET_WM_STATE_FULLSCREEN": &w.atoms.fullscreen,
	} {
		r, err := xproto.InternAtom(conn, false, uint16(len(name)), name).Reply()
		if err != nil {
			return nil, fmt.Errorf("X11 atom %s: %w", name, err)
		}
		*dst = r.Atom
	}
	if err := xproto.ChangeWindowAttributesChecked(conn, w.root, xproto.CwEventMask,
		[]uint32{xproto.EventMaskPropertyChange}).Check(); err != nil {
		return nil, fmt.Errorf("X11 root window events: %w", err)
	}
	return w, nil
}

// run reports the first state, then waits for events until the
// connection closes.
func (w *watcher) run(changed func(bool)) {
	w.follow()
	w.on = w.fullscreen()
	changed(w.on)
	for {
		ev, xerr := w.conn.WaitForEvent()
		if ev == nil && xerr == nil {
			return // closed
		}
		pn, ok := ev.(xproto.PropertyNotifyEvent)
		if !ok {
			continue // X errors (a window gone before we asked) and other events
		}
		switch {
		case pn.Window == w.root && pn.Atom == w.atoms.active:
			w.follow()
		case pn.Window == w.active && pn.Atom == w.atoms.state:
		default:
			continue
		}
		if on := w.fullscreen(); on != w.on {
			w.on = on
			changed(on)
		}
	}
}

// follow reads the active window and listens to its property changes
// (the old one's keep coming until it goes, and are ignored).
func (w *watcher) follow() {
	w.active = 0
	r, err := xproto.GetProperty(w.conn, false, w.root, w.atoms.active, xproto.AtomWindow, 0, 1).Reply()
	if err != nil {
		return
	}
	win := xproto.Window(firstUint32(r.Value))
	if win == 0 {
		return
	}
	// A window that vanished meanwhile answers an X error, seen (and
	// ignored) in run's loop.
	xproto.ChangeWindowAttributes(w.conn, win, xproto.CwEventMask, []uint32{xproto.EventMaskPropertyChange})
	w.active = win
}

// fullscreen reads whether the active window's state lists fullscreen.
func (w *watcher) fullscreen() bool {
	if w.active == 0 {
		return false
	}
	r, err := xproto.GetProperty(w.conn, false, w.active, w.atoms.state, xproto.AtomAtom, 0, maxStateAtoms).Reply()
	if err != nil {
		return false
	}
	return hasAtom(r.Value, uint32(w.atoms.fullscreen))
}

// hasAtom reports whether a 32-bit property value (X11 sends it in the
// client's byte order, which xgb sets to little endian) lists atom.
func hasAtom(value []byte, atom uint32) bool {
	for i := 0; i+4 <= len(value); i += 4 {
		if binary.LittleEndian.Uint32(value[i:]) == atom {
			return true
		}
	}
	return false
}

// firstUint32 is the first 32-bit value of a property, 0 when empty.
func firstUint32(value []byte) uint32 {
	if len(value) < 4 {
		return 0
	}
	return binary.LittleEndian.Uint32(value)
}
