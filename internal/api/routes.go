package api

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Route is one endpoint of the local API. The server mounts every route of
// Routes (app/service/routes.go) and the Client calls them by name, so a
// path is written once, here.
type Route struct {
	// Name is the route's stable name ("focus.start").
	Name string
	// Method and Path are the HTTP method and the path, with {wildcards}
	// in http.ServeMux syntax.
	Method, Path string
	// About says in a few words what it does (README, errors).
	About string
}

// Pattern is the route as http.ServeMux mounts it: "POST /v1/focus/start".
func (r Route) Pattern() string { return r.Method + " " + r.Path }

// URL is the route's path with its wildcards filled in order by args
// (path-escaped) and query appended (nil: none).
func (r Route) URL(query url.Values, args ...string) string {
	p := r.Path
	for _, a := range args {
		i := strings.Index(p, "{")
		j := strings.Index(p, "}")
		if i < 0 || j < i {
			panic(fmt.Sprintf("api: route %s has fewer wildcards than %d", r.Name, len(args)))
		}
		p = p[:i] + url.PathEscape(a) + p[j+1:]
	}
	if strings.Contains(p, "{") {
		panic(fmt.Sprintf("api: route %s needs more than %d arguments", r.Name, len(args)))
	}
	if q := query.Encode(); q != "" {
		p += "?" + q
	}
	return p
}

// The names of the routes.
const (
	RouteStatus         = "status"
	RouteShowWindow     = "window.show"
	RouteEvents         = "events"
	RouteFocus          = "focus"
	RouteFocusStart     = "focus.start"
	RouteFocusStop      = "focus.stop"
	RouteFocusResume    = "focus.resume"
	RouteFocusExtend    = "focus.extend"
	RouteNotify         = "notifications"
	RouteHeld           = "notifications.held"
	RouteDigests        = "digests"
	RouteDeliverDigest  = "digests.now"
	RouteMarkRead       = "digests.read"
	RoutePlan           = "plan"
	RouteReplan         = "plan.replan"
	RouteAccepted       = "plan.accepted"
	RouteAcceptAll      = "plan.accept-all"
	RouteAccept         = "blocks.accept"
	RouteSkip           = "blocks.skip"
	RouteCalendars      = "calendars"
	RouteAddCalendar    = "calendars.add"
	RouteChangeCalendar = "calendars.change"
	RouteRemoveCalendar = "calendars.remove"
	RouteSyncCalendars  = "calendars.sync"
	RouteBusy           = "busy"
	RouteSettings       = "settings"
	RouteSaveSettings   = "settings.save"
	RouteReport         = "report"
	RouteExport         = "export"
	RouteFeed           = "feed"
	RouteQuit           = "quit"
	RouteBreakthroughs  = "notifications.breakthroughs"
	RouteMarkAllRead    = "digests.read-all"
	RouteDiscoverCalDAV = "calendars.discover"
	RouteSessions       = "sessions"
	RouteWeekReport     = "report.week"
)

// Routes is every endpoint of the local API but the hello handshake
// (localapi.HelloPath, the transport's), in the order the README lists
// them. The request and answer types are named in each route's comment
// on the Client method that calls it.
func Routes() []Route {
	return append([]Route{
		{RouteStatus, "GET", "/v1/status", "the state: focus, held, next block and digest, the week"},
		{RouteShowWindow, "POST", "/v1/window/show", "show the window"},
		{RouteQuit, "POST", "/v1/quit", "stop Lull (the resident process and its window)"},
		{RouteEvents, "GET", "/v1/events", "a Server-Sent Events stream of changes"},
		{RouteFocus, "GET", "/v1/focus", "the focus state"},
		{RouteFocusStart, "POST", "/v1/focus/start", "start focus"},
		{RouteFocusStop, "POST", "/v1/focus/stop", "stop focus"},
		{RouteFocusResume, "POST", "/v1/focus/resume", "resume a block stopped early"},
		{RouteFocusExtend, "POST", "/v1/focus/extend", "move the end of the session later"},
		{RouteNotify, "POST", "/v1/notifications", "send notifications"},
		{RouteHeld, "GET", "/v1/notifications/held", "the held notifications"},
		{RouteBreakthroughs, "GET", "/v1/notifications/breakthroughs", "what broke through in a range, and why"},
		{RouteDigests, "GET", "/v1/digests", "the digests delivered, newest first"},
		{RouteDeliverDigest, "POST", "/v1/digests/now", "deliver a digest now"},
		{RouteMarkRead, "POST", "/v1/digests/{id}/read", "mark a digest or one of its items read"},
		{RouteMarkAllRead, "POST", "/v1/digests/read", "mark every digest read"},
		{RoutePlan, "GET", "/v1/plan", "the blocks of the horizon as they stand"},
		{RouteReplan, "POST", "/v1/plan", "re-plan (or preview), optionally reading the calendars first"},
		{RouteAccepted, "GET", "/v1/plan/accepted", "the accepted blocks"},
		{RouteAcceptAll, "POST", "/v1/plan/accept-all", "accept every proposal"},
		{RouteAccept, "POST", "/v1/blocks/{id}/accept", "accept a block"},
		{RouteSkip, "POST", "/v1/blocks/{id}/skip", "skip a block"},
		{RouteCalendars, "GET", "/v1/calendars", "the calendars with their status"},
		{RouteAddCalendar, "POST", "/v1/calendars", "add a calendar"},
		{RouteChangeCalendar, "PATCH", "/v1/calendars/{id}", "change a calendar's settings"},
		{RouteRemoveCalendar, "DELETE", "/v1/calendars/{id}", "remove a calendar"},
		{RouteSyncCalendars, "POST", "/v1/calendars/sync", "read every calendar again and re-plan"},
		{RouteDiscoverCalDAV, "POST", "/v1/calendars/discover", "list the calendars of a CalDAV account (before adding one)"},
		{RouteBusy, "GET", "/v1/busy", "stored busy time"},
		{RouteSettings, "GET", "/v1/settings", "the settings"},
		{RouteSaveSettings, "PUT", "/v1/settings", "save the settings"},
		{RouteReport, "GET", "/v1/report", "a week's report as text, JSON or CSV"},
		{RouteWeekReport, "GET", "/v1/report/week", "a week's report as exact data (the window's charts)"},
		{RouteSessions, "GET", "/v1/sessions", "the focus sessions in a range"},
		{RouteExport, "GET", "/v1/export", "every session as CSV or JSON"},
		{RouteFeed, "GET", "/v1/focus.ics", "the accepted blocks as an iCalendar feed (token also as ?token=)"},
	}, slices.Concat(coachRoutes(), quietRoutes(), hookRoutes(), syncRoutes())...)
}

// Lookup returns the route named name; it panics on a name that is not in
// Routes (a programming error the tests catch).
func Lookup(name string) Route {
	for _, r := range Routes() {
		if r.Name == name {
			return r
		}
	}
	panic("api: no route " + name)
}
