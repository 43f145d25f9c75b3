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

// answer calls the route with body (wildcards filled by args) and returns
// its answer as a T.
func answer[T any](ctx context.Context, c *Client, route string, query url.Values, body any, args ...string) (T, error) {
	var out T
	err := c.call(ctx, route, query, nil, body, &out, args...)
	return out, err
}

// Status is GET /v1/status.
func (c *Client) Status(ctx context.Context) (Status, error) {
	return answer[Status](ctx, c, RouteStatus, nil, nil)
}

// ShowWindow is POST /v1/window/show: the running Lull shows its window.
func (c *Client) ShowWindow(ctx context.Context) error { return c.ShowWindowOn(ctx, "") }

// ShowWindowOn is POST /v1/window/show on tab ("digest", "report", or ""
// for the window's choice).
func (c *Client) ShowWindowOn(ctx context.Context, tab string) error {
	var body any
	if tab != "" {
		body = ShowRequest{Tab: tab}
	}
	_, err := answer[Shown](ctx, c, RouteShowWindow, nil, body)
	return err
}

// Quit is POST /v1/quit: the running Lull stops (the resident process and
// its window).
func (c *Client) Quit(ctx context.Context) error {
	_, err := answer[Quitting](ctx, c, RouteQuit, nil, nil)
	return err
}

// Focus is GET /v1/focus.
func (c *Client) Focus(ctx context.Context) (focus.State, error) {
	return answer[focus.State](ctx, c, RouteFocus, nil, nil)
}

// StartFocus is POST /v1/focus/start with spec: a length ("25m", "1h30",
// "90"), "until-next" or "open".
func (c *Client) StartFocus(ctx context.Context, spec string) (focus.State, error) {
	return answer[focus.State](ctx, c, RouteFocusStart, nil, FocusStart{Spec: spec})
}

// StopFocus is POST /v1/focus/stop; it returns the session that ended.
func (c *Client) StopFocus(ctx context.Context) (focus.Session, error) {
	return answer[focus.Session](ctx, c, RouteFocusStop, nil, nil)
}

// ResumeFocus is POST /v1/focus/resume.
func (c *Client) ResumeFocus(ctx context.Context) (focus.State, error) {
	return answer[focus.State](ctx, c, RouteFocusResume, nil, nil)
}

// ExtendFocus is POST /v1/focus/extend with a length as people type it
// ("15m", "1h").
func (c *Client) ExtendFocus(ctx context.Context, length string) (focus.State, error) {
	return answer[focus.State](ctx, c, RouteFocusExtend, nil, FocusExtend{Duration: length})
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
	out, err := answer[Held](ctx, c, RouteHeld, nil, nil)
	return out.Items, err
}

// Breakthroughs is GET /v1/notifications/breakthroughs over r: what broke
// through, oldest first.
func (c *Client) Breakthroughs(ctx context.Context, r Range) ([]notify.Item, error) {
	out, err := answer[Breakthroughs](ctx, c, RouteBreakthroughs, r.query(), nil)
	return out.Items, err
}

// Digests is GET /v1/digests: at most limit, newest first (0: Lull's
// default of 20).
func (c *Client) Digests(ctx context.Context, limit int) ([]notify.Digest, error) {
	var q url.Values
	if limit > 0 {
		q = url.Values{"limit": {strconv.Itoa(limit)}}
	}
	out, err := answer[Digests](ctx, c, RouteDigests, q, nil)
	return out.Digests, err
}

// DeliverDigest is POST /v1/digests/now.
func (c *Client) DeliverDigest(ctx context.Context) (DigestNow, error) {
	return answer[DigestNow](ctx, c, RouteDeliverDigest, nil, nil)
}

// MarkRead is POST /v1/digests/{id}/read: item read, or the whole digest
// when item is "".
func (c *Client) MarkRead(ctx context.Context, digest, item string) error {
	return c.call(ctx, RouteMarkRead, nil, nil, MarkRead{Item: item}, nil, digest)
}

// MarkAllRead is POST /v1/digests/read: every digest read; how many had
// unread items.
func (c *Client) MarkAllRead(ctx context.Context) (int, error) {
	out, err := answer[MarkedRead](ctx, c, RouteMarkAllRead, nil, nil)
	return out.Digests, err
}

// Plan is GET /v1/plan: the horizon's blocks as they stand.
func (c *Client) Plan(ctx context.Context) (PlanResult, error) {
	return answer[PlanResult](ctx, c, RoutePlan, nil, nil)
}

// Replan is POST /v1/plan.
func (c *Client) Replan(ctx context.Context, req PlanRequest) (PlanResult, error) {
	return answer[PlanResult](ctx, c, RouteReplan, nil, req)
}

// Accepted is GET /v1/plan/accepted.
func (c *Client) Accepted(ctx context.Context) ([]calendar.Block, error) {
	return answer[[]calendar.Block](ctx, c, RouteAccepted, nil, nil)
}

// AcceptAll is POST /v1/plan/accept-all: how many proposals it accepted.
func (c *Client) AcceptAll(ctx context.Context) (int, error) {
	out, err := answer[AcceptAll](ctx, c, RouteAcceptAll, nil, nil)
	return out.Accepted, err
}

// Accept is POST /v1/blocks/{id}/accept.
func (c *Client) Accept(ctx context.Context, id string) (calendar.Block, error) {
	return answer[calendar.Block](ctx, c, RouteAccept, nil, nil, id)
}

// Skip is POST /v1/blocks/{id}/skip.
func (c *Client) Skip(ctx context.Context, id string) (calendar.Block, error) {
	return answer[calendar.Block](ctx, c, RouteSkip, nil, nil, id)
}

// Calendars is GET /v1/calendars.
func (c *Client) Calendars(ctx context.Context) ([]calendar.SourceInfo, error) {
	return answer[[]calendar.SourceInfo](ctx, c, RouteCalendars, nil, nil)
}

// AddCalendar is POST /v1/calendars.
func (c *Client) AddCalendar(ctx context.Context, req AddCalendar) (calendar.SourceConfig, error) {
	return answer[calendar.SourceConfig](ctx, c, RouteAddCalendar, nil, req)
}

// ChangeCalendar is PATCH /v1/calendars/{id}.
func (c *Client) ChangeCalendar(ctx context.Context, id string, ch CalendarChange) (calendar.SourceConfig, error) {
	return answer[calendar.SourceConfig](ctx, c, RouteChangeCalendar, nil, ch, id)
}

// RemoveCalendar is DELETE /v1/calendars/{id}.
func (c *Client) RemoveCalendar(ctx context.Context, id string) error {
	_, err := answer[Removed](ctx, c, RouteRemoveCalendar, nil, nil, id)
	return err
}

// SyncCalendars is POST /v1/calendars/sync.
func (c *Client) SyncCalendars(ctx context.Context) (SyncReport, error) {
	return answer[SyncReport](ctx, c, RouteSyncCalendars, nil, nil)
}

// DiscoverCalDAV is POST /v1/calendars/discover: the calendars of a CalDAV
// account, to choose one before adding it.
func (c *Client) DiscoverCalDAV(ctx context.Context, req DiscoverCalDAV) ([]calendar.CalDAVCalendar, error) {
	out, err := answer[CalDAVCalendars](ctx, c, RouteDiscoverCalDAV, nil, req)
	return out.Calendars, err
}

// Busy is GET /v1/busy over r.
func (c *Client) Busy(ctx context.Context, r Range) ([]calendar.Interval, error) {
	return answer[[]calendar.Interval](ctx, c, RouteBusy, r.query(), nil)
}

// Sessions is GET /v1/sessions over r: the focus sessions overlapping it,
// oldest first, a running one with no end.
func (c *Client) Sessions(ctx context.Context, r Range) ([]focus.Session, error) {
	return answer[[]focus.Session](ctx, c, RouteSessions, r.query(), nil)
}

// query is r as a query string's from and to.
func (r Range) query() url.Values { return url.Values{"from": {r.From}, "to": {r.To}} }

// Settings is GET /v1/settings.
func (c *Client) Settings(ctx context.Context) (Settings, error) {
	return answer[Settings](ctx, c, RouteSettings, nil, nil)
}

// SaveSettings is PUT /v1/settings: st is validated and stored whole, and
// applies at once; the answer is what was stored.
func (c *Client) SaveSettings(ctx context.Context, st Settings) (Settings, error) {
	return answer[Settings](ctx, c, RouteSaveSettings, nil, st)
}

// Report is GET /v1/report: the week's report in req's format.
func (c *Client) Report(ctx context.Context, req ReportRequest) ([]byte, error) {
	return answer[[]byte](ctx, c, RouteReport, url.Values{"week": {req.Week}, "format": {req.Format}}, nil)
}

// WeekReport is GET /v1/report/week: week's report as exact data (an ISO
// week, "2026-W47", or "" for this week).
func (c *Client) WeekReport(ctx context.Context, week string) (*WeekReport, error) {
	out, err := answer[*WeekReport](ctx, c, RouteWeekReport, url.Values{"week": {week}}, nil)
	return out, err
}

// Export is GET /v1/export: the sessions in req's range and format.
func (c *Client) Export(ctx context.Context, req ExportRequest) ([]byte, error) {
	q := req.query()
	q.Set("format", req.Format)
	return answer[[]byte](ctx, c, RouteExport, q, nil)
}

// Feed is GET /v1/focus.ics: the accepted blocks as iCalendar.
func (c *Client) Feed(ctx context.Context) ([]byte, error) {
	return answer[[]byte](ctx, c, RouteFeed, nil, nil)
}
