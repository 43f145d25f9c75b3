package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/localapi"
	"github.com/lullapp/lull/notify"
)

// Client is the typed client of the local API: one method per endpoint,
// each taking a context, over the transport's verified connection
// (localapi.Client). The window and the command line use it; the tray in
// the resident process calls the service directly. Error answers come back
// as *Error, for which errors.Is holds with the domain's sentinel.
type Client struct {
	// Origin marks notifications sent through Notify (notify.OriginCLI
	// for the command line); "" sends none, which Lull takes as "api".
	Origin notify.Origin

	// dir is the data directory Dial found Lull through ("" for
	// NewClient): a Lull that restarted (on another port, with another
	// token) is found there again.
	dir string
	mu  sync.Mutex
	lc  *localapi.Client
}

// NewClient returns the typed client over lc.
func NewClient(lc *localapi.Client) *Client { return &Client{lc: lc} }

// Dial finds the running Lull through the discovery file in dir and checks
// it answers (localapi.Dial): localapi.ErrNotRunning when none does, a
// *localapi.NotLullError when a stale file names another program's port.
// The client finds a Lull that restarted since through the same file.
func Dial(dir string) (*Client, error) {
	lc, err := localapi.Dial(dir)
	if err != nil {
		return nil, err
	}
	return &Client{dir: dir, lc: lc}, nil
}

// transport is the connection to the Lull answering now.
func (c *Client) transport() *localapi.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lc
}

// redial finds Lull again through the discovery file (after it
// restarted); it reports whether one answers.
func (c *Client) redial() bool {
	if c.dir == "" {
		return false
	}
	lc, err := localapi.Dial(c.dir)
	if err != nil {
		return false
	}
	c.mu.Lock()
	c.lc = lc
	c.mu.Unlock()
	return true
}

// call sends body to the route (wildcards filled by args) and decodes the
// answer into out. When the Lull it knew no longer answers, it looks for a
// restarted one once: the request never reached the old one, so sending it
// again cannot do anything twice.
func (c *Client) call(ctx context.Context, route string, query url.Values, header http.Header, body, out any, args ...string) error {
	r := Lookup(route)
	path := r.URL(query, args...)
	err := c.transport().Do(ctx, r.Method, path, header, body, out)
	if errors.Is(err, localapi.ErrNotRunning) && c.redial() {
		err = c.transport().Do(ctx, r.Method, path, header, body, out)
	}
	return fromStatus(err)
}

// Status is GET /v1/status.
func (c *Client) Status(ctx context.Context) (Status, error) {
	var st Status
	err := c.call(ctx, RouteStatus, nil, nil, nil, &st)
	return st, err
}

// ShowWindow is POST /v1/window/show: the running Lull shows its window.
func (c *Client) ShowWindow(ctx context.Context) error {
	return c.call(ctx, RouteShowWindow, nil, nil, nil, &Shown{})
}

// Focus is GET /v1/focus.
func (c *Client) Focus(ctx context.Context) (focus.State, error) {
	var st focus.State
	err := c.call(ctx, RouteFocus, nil, nil, nil, &st)
	return st, err
}

// StartFocus is POST /v1/focus/start with spec: a length ("25m", "1h30",
// "90"), "until-next" or "open".
func (c *Client) StartFocus(ctx context.Context, spec string) (focus.State, error) {
	var st focus.State
	err := c.call(ctx, RouteFocusStart, nil, nil, FocusStart{Spec: spec}, &st)
	return st, err
}

// StopFocus is POST /v1/focus/stop; it returns the session that ended.
func (c *Client) StopFocus(ctx context.Context) (focus.Session, error) {
	var s focus.Session
	err := c.call(ctx, RouteFocusStop, nil, nil, nil, &s)
	return s, err
}

// ResumeFocus is POST /v1/focus/resume.
func (c *Client) ResumeFocus(ctx context.Context) (focus.State, error) {
	var st focus.State
	err := c.call(ctx, RouteFocusResume, nil, nil, nil, &st)
	return st, err
}

// ExtendFocus is POST /v1/focus/extend with a length as people type it
// ("15m", "1h").
func (c *Client) ExtendFocus(ctx context.Context, length string) (focus.State, error) {
	var st focus.State
	err := c.call(ctx, RouteFocusExtend, nil, nil, FocusExtend{Duration: length}, &st)
	return st, err
}

// Notify is POST /v1/notifications with ns (sent as an array): the results
// in the same order, once every one is stored.
func (c *Client) Notify(ctx context.Context, ns []Notification) ([]NotifyResult, error) {
	var header http.Header
	if c.Origin != "" {
		header = http.Header{notify.OriginHeader: {string(c.Origin)}}
	}
	var out NotifyResults
	err := c.call(ctx, RouteNotify, nil, header, ns, &out)
	return out.Results, err
}

// Held is GET /v1/notifications/held.
func (c *Client) Held(ctx context.Context) ([]notify.Item, error) {
	var out Held
	err := c.call(ctx, RouteHeld, nil, nil, nil, &out)
	return out.Items, err
}

// Digests is GET /v1/digests: at most limit, newest first (0: Lull's
// default of 20).
func (c *Client) Digests(ctx context.Context, limit int) ([]notify.Digest, error) {
	var q url.Values
	if limit > 0 {
		q = url.Values{"limit": {strconv.Itoa(limit)}}
	}
	var out Digests
	err := c.call(ctx, RouteDigests, q, nil, nil, &out)
	return out.Digests, err
}

// DeliverDigest is POST /v1/digests/now.
func (c *Client) DeliverDigest(ctx context.Context) (DigestNow, error) {
	var out DigestNow
	err := c.call(ctx, RouteDeliverDigest, nil, nil, nil, &out)
	return out, err
}

// MarkRead is POST /v1/digests/{id}/read: item read, or the whole digest
// when item is "".
func (c *Client) MarkRead(ctx context.Context, digest, item string) error {
	return c.call(ctx, RouteMarkRead, nil, nil, MarkRead{Item: item}, nil, digest)
}

// Plan is GET /v1/plan: the horizon's blocks as they stand.
func (c *Client) Plan(ctx context.Context) (PlanResult, error) {
	var out PlanResult
	err := c.call(ctx, RoutePlan, nil, nil, nil, &out)
	return out, err
}

// Replan is POST /v1/plan.
func (c *Client) Replan(ctx context.Context, req PlanRequest) (PlanResult, error) {
	var out PlanResult
	err := c.call(ctx, RouteReplan, nil, nil, req, &out)
	return out, err
}

// Accepted is GET /v1/plan/accepted.
func (c *Client) Accepted(ctx context.Context) ([]calendar.Block, error) {
	var out []calendar.Block
	err := c.call(ctx, RouteAccepted, nil, nil, nil, &out)
	return out, err
}

// AcceptAll is POST /v1/plan/accept-all: how many proposals it accepted.
func (c *Client) AcceptAll(ctx context.Context) (int, error) {
	var out AcceptAll
	err := c.call(ctx, RouteAcceptAll, nil, nil, nil, &out)
	return out.Accepted, err
}

// Accept is POST /v1/blocks/{id}/accept.
func (c *Client) Accept(ctx context.Context, id string) (calendar.Block, error) {
	var b calendar.Block
	err := c.call(ctx, RouteAccept, nil, nil, nil, &b, id)
	return b, err
}

// Skip is POST /v1/blocks/{id}/skip.
func (c *Client) Skip(ctx context.Context, id string) (calendar.Block, error) {
	var b calendar.Block
	err := c.call(ctx, RouteSkip, nil, nil, nil, &b, id)
	return b, err
}

// Calendars is GET /v1/calendars.
func (c *Client) Calendars(ctx context.Context) ([]calendar.SourceInfo, error) {
	var out []calendar.SourceInfo
	err := c.call(ctx, RouteCalendars, nil, nil, nil, &out)
	return out, err
}

// AddCalendar is POST /v1/calendars.
func (c *Client) AddCalendar(ctx context.Context, req AddCalendar) (calendar.SourceConfig, error) {
	var cfg calendar.SourceConfig
	err := c.call(ctx, RouteAddCalendar, nil, nil, req, &cfg)
	return cfg, err
}

// ChangeCalendar is PATCH /v1/calendars/{id}.
func (c *Client) ChangeCalendar(ctx context.Context, id string, ch CalendarChange) (calendar.SourceConfig, error) {
	var cfg calendar.SourceConfig
	err := c.call(ctx, RouteChangeCalendar, nil, nil, ch, &cfg, id)
	return cfg, err
}

// RemoveCalendar is DELETE /v1/calendars/{id}.
func (c *Client) RemoveCalendar(ctx context.Context, id string) error {
	return c.call(ctx, RouteRemoveCalendar, nil, nil, nil, &Removed{}, id)
}

// SyncCalendars is POST /v1/calendars/sync.
func (c *Client) SyncCalendars(ctx context.Context) (SyncReport, error) {
	var rep SyncReport
	err := c.call(ctx, RouteSyncCalendars, nil, nil, nil, &rep)
	return rep, err
}

// Busy is GET /v1/busy over r.
func (c *Client) Busy(ctx context.Context, r Range) ([]calendar.Interval, error) {
	var out []calendar.Interval
	err := c.call(ctx, RouteBusy, url.Values{"from": {r.From}, "to": {r.To}}, nil, nil, &out)
	return out, err
}

// Settings is GET /v1/settings.
func (c *Client) Settings(ctx context.Context) (Settings, error) {
	var st Settings
	err := c.call(ctx, RouteSettings, nil, nil, nil, &st)
	return st, err
}

// SaveSettings is PUT /v1/settings: st is validated and stored whole, and
// applies at once; the answer is what was stored.
func (c *Client) SaveSettings(ctx context.Context, st Settings) (Settings, error) {
	var out Settings
	err := c.call(ctx, RouteSaveSettings, nil, nil, st, &out)
	return out, err
}

// Report is GET /v1/report: the week's report in req's format.
func (c *Client) Report(ctx context.Context, req ReportRequest) ([]byte, error) {
	var out []byte
	err := c.call(ctx, RouteReport, url.Values{"week": {req.Week}, "format": {req.Format}}, nil, nil, &out)
	return out, err
}

// Export is GET /v1/export: the sessions in req's range and format.
func (c *Client) Export(ctx context.Context, req ExportRequest) ([]byte, error) {
	var out []byte
	err := c.call(ctx, RouteExport, url.Values{"from": {req.From}, "to": {req.To}, "format": {req.Format}}, nil, nil, &out)
	return out, err
}

// Feed is GET /v1/focus.ics: the accepted blocks as iCalendar.
func (c *Client) Feed(ctx context.Context) ([]byte, error) {
	var out []byte
	err := c.call(ctx, RouteFeed, nil, nil, nil, &out)
	return out, err
}
