package api

import (
	"context"

	"github.com/lullapp/lull/calendar/devsync"
)

// The routes of sync with the user's other devices (issue 16).
const (
	// RouteSyncStatus is GET /v1/sync: the sync state.
	RouteSyncStatus = "sync.status"
	// RouteSyncNow is POST /v1/sync: sync now.
	RouteSyncNow = "sync.now"
	// RouteLogCalendars is GET /v1/sync/log-calendars: the calendars the
	// focus log may go to, the current one marked.
	RouteLogCalendars = "sync.log-calendars"
	// RoutePickLogCalendar is POST /v1/sync/log-calendar: pick the focus
	// log's calendar for every device.
	RoutePickLogCalendar = "sync.log-calendar"
)

// syncRoutes are the routes of the device sync.
func syncRoutes() []Route {
	return []Route{
		{RouteSyncStatus, "GET", "/v1/sync", "sync with your other devices: last sync, pending changes, errors, each device"},
		{RouteSyncNow, "POST", "/v1/sync", "sync with your other devices now"},
		{RouteLogCalendars, "GET", "/v1/sync/log-calendars", "the calendars the shared focus log may go to, the current one marked"},
		{RoutePickLogCalendar, "POST", "/v1/sync/log-calendar", "pick the calendar of the shared focus log, for every device"},
	}
}

// SyncStatus is the answer of GET and POST /v1/sync: this device, the
// latest syncs' outcome, what waits to be written, and the other devices
// as last seen (devsync.Status).
type SyncStatus = devsync.Status

// SyncDeviceStatus is one other device in SyncStatus (devsync.DeviceStatus).
type SyncDeviceStatus = devsync.DeviceStatus

// SyncStatus is GET /v1/sync.
func (c *Client) SyncStatus(ctx context.Context) (SyncStatus, error) {
	return answer[SyncStatus](ctx, c, RouteSyncStatus, nil, nil)
}

// SyncDevices is POST /v1/sync: one sync now; the answer is the state
// after it. An error says why it failed (the state records it too).
func (c *Client) SyncDevices(ctx context.Context) (SyncStatus, error) {
	return answer[SyncStatus](ctx, c, RouteSyncNow, nil, struct{}{})
}

// LogCalendar is one calendar of the synced account the focus log may go
// to (devsync.LogChoice).
type LogCalendar = devsync.LogChoice

// PickLogCalendar is the body of POST /v1/sync/log-calendar.
type PickLogCalendar struct {
	// Calendar is the calendar's display name (any case) or path; "" is
	// Lull's own "Lull focus log", made when missing.
	Calendar string `json:"calendar"`
}

// LogCalendars is GET /v1/sync/log-calendars: the synced account's
// calendars that take events, the focus log's marked Current.
func (c *Client) LogCalendars(ctx context.Context) ([]LogCalendar, error) {
	return answer[[]LogCalendar](ctx, c, RouteLogCalendars, nil, nil)
}

// PickLogCalendar is POST /v1/sync/log-calendar: every device's focus log
// goes to the calendar req names from now on (this device at once, the
// others within devsync.PointerCheck); the answer is the calendar picked.
func (c *Client) PickLogCalendar(ctx context.Context, req PickLogCalendar) (LogCalendar, error) {
	return answer[LogCalendar](ctx, c, RoutePickLogCalendar, nil, req)
}
