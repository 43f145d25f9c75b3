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
)

// syncRoutes are the routes of the device sync.
func syncRoutes() []Route {
	return []Route{
		{RouteSyncStatus, "GET", "/v1/sync", "sync with your other devices: last sync, pending changes, errors, each device"},
		{RouteSyncNow, "POST", "/v1/sync", "sync with your other devices now"},
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
