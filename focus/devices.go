package focus

import (
	"sort"
	"time"

	"github.com/lullapp/lull/calendar"
)

// RemoteSession is a focus session recorded on another of the user's
// devices (read from the shared focus log, calendar/devsync), as the report
// counts it: when, how often notifications broke through, which device.
type RemoteSession struct {
	// Device names the device it ran on.
	Device string
	// Start and End bound it.
	Start, End time.Time
	// Interruptions is how many notifications broke through there.
	Interruptions int
}

// RemoteSource lists the other devices' sessions overlapping [from, to),
// one per session (merged by UID already).
type RemoteSource interface {
	RemoteSessions(from, to time.Time) ([]RemoteSession, error)
}

// DeviceFocus is one device's share of a week's focus.
type DeviceFocus struct {
	// Name is the device's name; This marks the device showing the report.
	Name string `json:"name"`
	This bool   `json:"this,omitempty"`
	// Focus is the time it focused in the week (its own sessions merged);
	// the devices' shares add up to more than the week's Focus only when
	// they focused at the same time, which the week counts once.
	Focus time.Duration `json:"focus"`
	// Sessions is how many of its sessions overlap the week.
	Sessions int `json:"sessions"`
}

// SplitDevices merges this device's focus (local: merged intervals inside
// span, from localN sessions) with the other devices' sessions: it returns
// the union of all focus inside span, each moment counted once, and each
// device's share, this device first, then the others by name. With no
// remote session in span, devices is nil (a one-device report).
func SplitDevices(thisName string, local []calendar.Interval, localN int, remote []RemoteSession, span calendar.Interval) ([]calendar.Interval, []DeviceFocus) {
	per := map[string][]calendar.Interval{}
	count := map[string]int{}
	all := append([]calendar.Interval(nil), local...)
	for _, s := range remote {
		iv, ok := clip(calendar.Interval{Start: s.Start, End: s.End}, span)
		if !ok {
			continue
		}
		per[s.Device] = append(per[s.Device], iv)
		count[s.Device]++
		all = append(all, iv)
	}
	if len(per) == 0 {
		return local, nil
	}
	devices := []DeviceFocus{{Name: thisName, This: true, Focus: overlap(local, []calendar.Interval{span}), Sessions: localN}}
	names := make([]string, 0, len(per))
	for name := range per {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		devices = append(devices, DeviceFocus{Name: name, Focus: overlap(calendar.Merge(per[name]), []calendar.Interval{span}), Sessions: count[name]})
	}
	return calendar.Merge(all), devices
}
