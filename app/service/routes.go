package service

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lullapp/lull/app/winproc"
	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/human"
	"github.com/lullapp/lull/internal/localapi"
)

// mount mounts a handler for every route of api.Routes behind the guard of
// srv (mountRoutes).
func (s *Service) mount(srv *localapi.Server) error {
	return mountRoutes(srv, api.Routes(), s.handlers())
}

// mountRoutes mounts hs[r.Name] for every route r; it fails when a route
// has no handler or a handler no route (the table in internal/api is the
// one list of endpoints).
func mountRoutes(srv *localapi.Server, routes []api.Route, hs map[string]http.Handler) error {
	hs = maps.Clone(hs)
	for _, r := range routes {
		h, ok := hs[r.Name]
		if !ok {
			return fmt.Errorf("local API: route %s (%s) has no handler", r.Name, r.Pattern())
		}
		delete(hs, r.Name)
		srv.Handle(r.Pattern(), h)
	}
	if len(hs) > 0 {
		names := make([]string, 0, len(hs))
		for n := range hs {
			names = append(names, n)
		}
		slices.Sort(names)
		return fmt.Errorf("local API: handlers without a route: %s", strings.Join(names, ", "))
	}
	return nil
}

// handlers are the local API's handlers by route name (api.Routes): each
// decodes the route's request type, calls the service and answers with the
// route's answer type, or with the error as api.WriteError writes it.
func (s *Service) handlers() map[string]http.Handler {
	hs := s.coachHandlers()
	maps.Copy(hs, map[string]http.Handler{
		api.RouteStatus: answer(func(r *http.Request) (any, error) { return s.Status(), nil }),
		api.RouteShowWindow: answer(func(r *http.Request) (any, error) {
			var req api.ShowRequest
			if err := decode(r, &req); err != nil {
				return nil, err
			}
			if req.Tab != "" && req.Tab != winproc.TabDigest && req.Tab != winproc.TabReport {
				return nil, api.BadRequest("no tab %q to show: want %s, %s or none", req.Tab, winproc.TabDigest, winproc.TabReport)
			}
			if err := s.ShowWindow(req.Tab); err != nil {
				return nil, err // e.g. the window is not installed: the caller says so
			}
			return api.Shown{Shown: true}, nil
		}),
		api.RouteQuit:   http.HandlerFunc(s.serveQuit),
		api.RouteEvents: http.HandlerFunc(s.serveEvents),
		api.RouteFocus:  answer(func(r *http.Request) (any, error) { return s.Focus.State(), nil }),
		api.RouteFocusStart: answer(func(r *http.Request) (any, error) {
			var req api.FocusStart
			if err := decode(r, &req); err != nil {
				return nil, err
			}
			start, err := focus.ParseStart(req.Spec)
			if err != nil {
				return nil, err
			}
			return start.Do(s.Focus)
		}),
		api.RouteFocusStop:   answer(func(r *http.Request) (any, error) { return s.Focus.Stop() }),
		api.RouteFocusResume: answer(func(r *http.Request) (any, error) { return s.Focus.Resume() }),
		api.RouteFocusExtend: answer(func(r *http.Request) (any, error) {
			var req api.FocusExtend
			if err := decode(r, &req); err != nil {
				return nil, err
			}
			d, err := focus.ParseDuration(req.Duration)
			if err != nil {
				return nil, err
			}
			return s.Focus.Extend(d)
		}),
		// Intake, digests and mark-read change what is held: tell the UI.
		api.RouteNotify: s.announceHeld(s.Notify.Handler(api.WriteError)),
		api.RouteHeld: answer(func(r *http.Request) (any, error) {
			items, err := s.Notify.Held()
			return api.Held{Items: nonNil(items)}, err
		}),
		api.RouteBreakthroughs: answer(func(r *http.Request) (any, error) {
			items, err := s.Breakthroughs(r.URL.Query().Get("from"), r.URL.Query().Get("to"))
			return api.Breakthroughs{Items: nonNil(items)}, err
		}),
		api.RouteDigests: answer(func(r *http.Request) (any, error) {
			limit, err := digestLimit(r.URL.Query().Get("limit"))
			if err != nil {
				return nil, err
			}
			ds, err := s.Notify.ListDigests(time.Unix(0, 0), s.Clock.Now().Add(time.Second), limit)
			return api.Digests{Digests: nonNil(ds)}, err
		}),
		api.RouteDeliverDigest: s.announceHeld(answer(func(r *http.Request) (any, error) {
			d, ok, err := s.Notify.DeliverNow()
			if err != nil && !ok {
				return nil, err
			}
			out := api.DigestNow{Delivered: ok}
			if ok {
				out.Digest = &d
			}
			if err != nil {
				out.Warning = err.Error() // stored, but the OS notification failed
			}
			return out, nil
		})),
		api.RouteMarkRead: s.announceHeld(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var req api.MarkRead
			err := decode(r, &req)
			if err == nil {
				err = s.Notify.MarkRead(r.PathValue("id"), req.Item)
			}
			if err != nil {
				api.WriteError(w, err)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		})),
		api.RouteMarkAllRead: s.announceHeld(answer(func(r *http.Request) (any, error) {
			n, err := s.MarkAllRead()
			return api.MarkedRead{Digests: n}, err
		})),
		api.RoutePlan: answer(func(r *http.Request) (any, error) {
			blocks, err := s.UpcomingBlocks()
			if err != nil {
				return nil, err
			}
			days, err := s.DayNotes(blocks)
			return PlanResult{Blocks: nonNil(blocks), Days: days}, err
		}),
		api.RouteReplan: answer(func(r *http.Request) (any, error) {
			var req api.PlanRequest
			if err := decode(r, &req); err != nil {
				return nil, err
			}
			if req.Sync && !req.DryRun {
				_, res, err := s.SyncNow(r.Context())
				return res, err
			}
			return s.ReplanDays(r.Context(), req.DryRun, req.Days)
		}),
		api.RouteAccepted: answer(func(r *http.Request) (any, error) {
			blocks, err := s.AcceptedBlocks()
			return nonNil(blocks), err
		}),
		api.RouteAcceptAll: answer(func(r *http.Request) (any, error) {
			n, err := s.AcceptAll(r.Context())
			return api.AcceptAll{Accepted: n}, err
		}),
		api.RouteAccept: answer(func(r *http.Request) (any, error) { return s.Accept(r.Context(), r.PathValue("id")) }),
		api.RouteSkip:   answer(func(r *http.Request) (any, error) { return s.Skip(r.Context(), r.PathValue("id")) }),
		api.RouteCalendars: answer(func(r *http.Request) (any, error) {
			list, err := s.CalendarList()
			return nonNil(list), err
		}),
		api.RouteAddCalendar: answerStatus(http.StatusCreated, func(r *http.Request) (any, error) {
			var req api.AddCalendar
			if err := decode(r, &req); err != nil {
				return nil, err
			}
			return s.AddSource(r.Context(), req)
		}),
		api.RouteChangeCalendar: answer(func(r *http.Request) (any, error) {
			var ch api.CalendarChange
			if err := decode(r, &ch); err != nil {
				return nil, err
			}
			return s.ChangeSource(r.PathValue("id"), ch)
		}),
		api.RouteRemoveCalendar: answer(func(r *http.Request) (any, error) {
			return api.Removed{Removed: r.PathValue("id")}, s.RemoveSource(r.PathValue("id"))
		}),
		api.RouteSyncCalendars: answer(func(r *http.Request) (any, error) {
			rep, _, err := s.SyncNow(r.Context())
			return rep, err
		}),
		api.RouteDiscoverCalDAV: answer(func(r *http.Request) (any, error) {
			var req api.DiscoverCalDAV
			if err := decode(r, &req); err != nil {
				return nil, err
			}
			if req.URL == "" || req.User == "" {
				return nil, api.BadRequest("a CalDAV account needs an address and a user")
			}
			found, err := s.Sources.DiscoverCalDAV(r.Context(), req.URL, req.User, req.Password)
			return api.CalDAVCalendars{Calendars: nonNil(found)}, err
		}),
		api.RouteBusy: answer(func(r *http.Request) (any, error) {
			ivs, err := s.BusyRange(r.URL.Query().Get("from"), r.URL.Query().Get("to"))
			return nonNil(ivs), err
		}),
		api.RouteSettings: answer(func(r *http.Request) (any, error) { return s.Settings(), nil }),
		api.RouteSaveSettings: answer(func(r *http.Request) (any, error) {
			st := s.Settings()
			if err := decode(r, &st); err != nil {
				return nil, err
			}
			return st, s.SaveSettings(st)
		}),
		api.RouteReport: answerText(func(w io.Writer, r *http.Request) error {
			q := r.URL.Query()
			return WriteReport(w, s.Data, q.Get("week"), q.Get("format"))
		}),
		api.RouteWeekReport: answer(func(r *http.Request) (any, error) {
			return s.WeekReport(r.URL.Query().Get("week"))
		}),
		api.RouteSessions: answer(func(r *http.Request) (any, error) {
			ss, err := s.SessionsRange(r.URL.Query().Get("from"), r.URL.Query().Get("to"))
			return nonNil(ss), err
		}),
		api.RouteExport: answerText(func(w io.Writer, r *http.Request) error {
			q := r.URL.Query()
			return WriteExport(w, s.Data, q.Get("from"), q.Get("to"), q.Get("format"))
		}),
		api.RouteFeed: calendar.FeedHandler(s.AcceptedBlocks, s.Clock),
	})
	maps.Copy(hs, s.quietHandlers())
	maps.Copy(hs, s.hookHandlers())
	maps.Copy(hs, s.syncHandlers())
	return hs
}

// answer is a handler answering f's value as JSON (200), or its error.
func answer(f func(*http.Request) (any, error)) http.Handler { return answerStatus(http.StatusOK, f) }

// answerStatus is answer with another success status (201 for a calendar
// added).
func answerStatus(status int, f func(*http.Request) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := f(r)
		if err != nil {
			api.WriteError(w, err)
			return
		}
		localapi.WriteJSON(w, status, v)
	})
}

// answerText is a handler answering what f writes as text (a report, an
// export), or its error: nothing of a failed write goes out.
func answerText(f func(io.Writer, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var buf bytes.Buffer
		if err := f(&buf, r); err != nil {
			api.WriteError(w, err)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(buf.Bytes())
	})
}

// serveQuit is POST /v1/quit: it answers, then stops the resident
// (Options.Quit).
func (s *Service) serveQuit(w http.ResponseWriter, r *http.Request) {
	if s.opts.Quit == nil {
		api.WriteError(w, errors.New("this Lull cannot be stopped from here: stop it where it was started"))
		return
	}
	localapi.WriteJSON(w, http.StatusOK, api.Quitting{Quitting: true})
	s.opts.Quit()
}

// announceHeld tells subscribers, after h answered, that what is held may
// have changed.
func (s *Service) announceHeld(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		s.emit(Event{Kind: HeldChanged})
	})
}

// defaultDigestLimit is how many digests GET /v1/digests lists without
// ?limit: more than a week of the default three a day.
const defaultDigestLimit = 20

// digestLimit reads GET /v1/digests' ?limit ("": the default).
func digestLimit(v string) (int, error) {
	if v == "" {
		return defaultDigestLimit, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, &human.FieldError{Key: "limit", Label: "limit", Value: v, Problem: "must be a whole number, 0 or more", Example: "10", Err: api.ErrBadRequest}
	}
	return n, nil
}

// requestError is a request body that is not what the endpoint takes: it
// is api.ErrBadRequest and what the JSON decoder found (a field error of
// the settings, say, keeps its key).
type requestError struct{ err error }

func (e requestError) Error() string {
	return "the request is not what Lull expects: " + jsonProblem(e.err)
}

func (e requestError) Unwrap() []error { return []error{api.ErrBadRequest, e.err} }

// decode reads r's JSON body into v, refusing unknown fields; an empty body
// leaves v as it is.
func decode(r *http.Request, v any) error {
	if r.ContentLength == 0 {
		return nil
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return requestError{err}
	}
	return nil
}

// jsonProblem says what is wrong with a request body in JSON's terms, not
// Go's ("field \"vip\" must be a list, not a string").
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var fe *human.FieldError
	switch {
	case errors.As(err, &fe):
		return fe.Error()
	case errors.As(err, &se):
		return fmt.Sprintf("not valid JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		if te.Field != "" {
			return fmt.Sprintf("field %q must be %s, not %s", te.Field, jsonKind(te.Type), te.Value)
		}
		return fmt.Sprintf("want %s, not %s", jsonKind(te.Type), te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends too early"
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "unknown field " + f
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// jsonKind names a Go type as the JSON a client should send.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	}
	return "an object"
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
