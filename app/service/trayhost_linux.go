package service

import (
	"context"
	"sync"

	"github.com/godbus/dbus/v5"
)

// trayWatcherName is the panel's side of the StatusNotifierItem protocol,
// which the tray (fyne.io/systray) speaks on Linux: while nobody owns it,
// tray icons are shown nowhere.
const trayWatcherName = "org.kde.StatusNotifierWatcher"

// busTrayHost follows the owner of trayWatcherName on the session bus, on a
// connection of its own that closes with the given context.
type busTrayHost struct {
	conn *dbus.Conn

	mu       sync.Mutex
	present  bool
	watchers map[int]func(bool)
	next     int
}

// newTrayHost watches the session bus for a tray host until ctx ends.
// Without a session bus there can be no tray on Linux: it says so.
func newTrayHost(ctx context.Context) TrayHost {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return fixedTrayHost(false)
	}
	h := &busTrayHost{conn: conn, watchers: map[int]func(bool){}}
	signals := make(chan *dbus.Signal, 8)
	conn.Signal(signals)
	err = conn.AddMatchSignal(
		dbus.WithMatchObjectPath("/org/freedesktop/DBus"),
		dbus.WithMatchInterface("org.freedesktop.DBus"),
		dbus.WithMatchSender("org.freedesktop.DBus"),
		dbus.WithMatchMember("NameOwnerChanged"),
		dbus.WithMatchArg(0, trayWatcherName),
	)
	var has bool
	if err == nil {
		err = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, trayWatcherName).Store(&has)
	}
	if err != nil {
		conn.Close()
		return fixedTrayHost(false)
	}
	h.present = has
	go func() {
		defer conn.Close()
		for {
			select {
			case sig, ok := <-signals:
				if !ok {
					return
				}
				// NameOwnerChanged(name, old owner, new owner)
				if len(sig.Body) == 3 {
					if owner, ok := sig.Body[2].(string); ok {
						h.set(owner != "")
					}
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return h
}

func (h *busTrayHost) Present() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.present
}

func (h *busTrayHost) Watch(f func(bool)) func() {
	h.mu.Lock()
	defer h.mu.Unlock()
	id := h.next
	h.next++
	h.watchers[id] = f
	return func() {
		h.mu.Lock()
		delete(h.watchers, id)
		h.mu.Unlock()
	}
}

func (h *busTrayHost) set(p bool) {
	h.mu.Lock()
	changed := p != h.present
	h.present = p
	var fs []func(bool)
	if changed {
		for _, f := range h.watchers {
			fs = append(fs, f)
		}
	}
	h.mu.Unlock()
	for _, f := range fs {
		f(p)
	}
}
