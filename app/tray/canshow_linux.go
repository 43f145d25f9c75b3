package tray

import "github.com/godbus/dbus/v5"

// canShow reports whether a tray can be shown: on Linux the tray speaks
// D-Bus, so it needs the session bus (systray itself would crash at exit
// without one).
func canShow() bool {
	_, err := dbus.SessionBus()
	return err == nil
}
