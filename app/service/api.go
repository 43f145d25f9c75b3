package service

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/human"
	"github.com/lullapp/lull/internal/localapi"
	"github.com/lullapp/lull/notify"
)

// Status is GET /v1/status's answer, and what `lull status` prints.
type Status struct {
	Running    bool        `json:"running"`
	Version    string      `json:"version"`
	PID        int         `json:"pid,omitempty"`
	DataDir    string      `json:"data_dir"`
	Focusing   bool        `json:"focusing"`
	Focus      focus.State `json:"focus"`
	StatusLine string      `json:"status_line"`
	// Held is the number of notifications waiting for the next digest.
	Held int `json:"held"`
	// NextBlock is the next accepted block that has not ended.
	NextBlock *calendar.Block `json:"next_block,omitempty"`
	// NextDigest is when the next scheduled digest is due.
	NextDigest time.Time `json:"next_digest,omitzero"`
	// WeekFocus is focus time so far this week, and WeeklyGoal the goal.
	WeekFocus  time.Duration `json:"week_focus_ns"`
	WeeklyGoal time.Duration `json:"weekly_goal_ns"`
	// TokenStore is "keyring" or "file".
	TokenStore string `json:"token_store,omitempty"`
	// Resumable is the block under way that was stopped early and can be
	// resumed (`lull focus resume`), if any.
	Resumable *focus.Block `json:"resumable,omitempty"`
	// Problems are what the start found wrong with the data and worked
	// around (Data.Problems).
	Problems []string `json:"problems,omitempty"`
}

// Status reports the running instance's state.
func (s *Service) Status() Status {
	now := s.Clock.Now()
	st := s.Focus.State()
	out := Status{
		Running: true, Version: s.opts.Version, PID: os.Getpid(), DataDir: s.Dir,
		Focusing: st.Focusing, Focus: st, StatusLine: focus.StatusLine(st, now),
		NextDigest: s.Notify.NextDigest(now), TokenStore: string(s.tokenStore), Problems: s.problemLines(),
	}
	if held, err := s.Notify.Held(); err == nil {
		out.Held = heldCount(held)
	}
	if b, ok := s.NextBlock(); ok {
		out.NextBlock = &b
	}
	if b, ok := s.Focus.Resumable(); ok {
		out.Resumable = &b
	}
	s.addWeek(&out)
	return out
}

// heldCount counts held notifications as the digest will: identical
// repeats collapsed into one item count each time they came.
func heldCount(items []notify.Item) int {
	n := 0
	for _, it := range items {
		n += max(it.Count, 1)
	}
	return n
}

// OfflineStatus reports from the stored data when no instance runs.
func (d *Data) OfflineStatus(version string) Status {
	out := Status{Version: version, DataDir: d.Dir, StatusLine: "Lull is not running", Problems: d.problemLines()}
	if b, ok := d.NextBlock(); ok {
		out.NextBlock = &b
	}
	if held, err := d.Queue.Held(); err == nil {
		out.Held = heldCount(held)
	}
	d.addWeek(&out)
	return out
}

func (d *Data) addWeek(out *Status) {
	cfg := d.FocusConfig()
	out.WeeklyGoal = cfg.WeeklyGoal
	if r, err := d.Report(cfg.WeekOf(d.Clock.Now())); err == nil {
		out.WeekFocus = r.Focus
	}
}

func (s *Service) mount(api *localapi.Server) {
	for pattern, h := range s.Notify.Routes() {
		if strings.HasPrefix(pattern, "POST ") {
			// Intake, digests and mark-read change what is held: tell the UI.
			h = s.announceHeld(h)
		}
		api.Handle(pattern, h)
	}
	api.HandleFunc("GET /v1/status", func(w http.ResponseWriter, r *http.Request) {
		localapi.WriteJSON(w, http.StatusOK, s.Status())
	})
	api.HandleFunc("POST /v1/window/show", func(w http.ResponseWriter, r *http.Request) {
		s.RequestShow()
		localapi.WriteJSON(w, http.StatusOK, map[string]bool{"shown": true})
	})
	api.HandleFunc("GET /v1/focus", func(w http.ResponseWriter, r *http.Request) {
		localapi.WriteJSON(w, http.StatusOK, s.Focus.State())
	})
	api.HandleFunc("POST /v1/focus/start", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Spec string `json:"spec"`
		}
		if !decode(w, r, &req) {
			return
		}
		start, err := focus.ParseStart(req.Spec)
		if err != nil {
			writeErr(w, err)
			return
		}
		st, err := start.Do(s.Focus)
		if err != nil {
			writeErr(w, err)
			return
		}
		localapi.WriteJSON(w, http.StatusOK, st)
	})
	api.HandleFunc("POST /v1/focus/stop", func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.Focus.Stop()
		if err != nil {
			writeErr(w, err)
			return
		}
		localapi.WriteJSON(w, http.StatusOK, sess)
	})
	api.HandleFunc("POST /v1/focus/resume", func(w http.ResponseWriter, r *http.Request) {
		st, err := s.Focus.Resume()
		if err != nil {
			writeErr(w, err)
			return
		}
		localapi.WriteJSON(w, http.StatusOK, st)
	})
	api.HandleFunc("POST /v1/focus/extend", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Duration string `json:"duration"`
		}
		if !decode(w, r, &req) {
			return
		}
		d, err := focus.ParseDuration(req.Duration)
		if err != nil {
			writeErr(w, err)
			return
		}
		st, err := s.Focus.Extend(d)
		if err != nil {
			writeErr(w, err)
			return
		}
		localapi.WriteJSON(w, http.StatusOK, st)
	})
	api.HandleFunc("GET /v1/report", func(w http.ResponseWriter, r *http.Request) {
		var buf bytes.Buffer
		if err := WriteReport(&buf, s.Data, r.URL.Query().Get("week"), r.URL.Query().Get("format")); err != nil {
			writeErr(w, err)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(buf.Bytes())
	})
	api.HandleFunc("GET /v1/export", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		var buf bytes.Buffer
		if err := WriteExport(&buf, s.Data, q.Get("from"), q.Get("to"), q.Get("format")); err != nil {
			writeErr(w, err)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(buf.Bytes())
	})
	api.HandleFunc("GET /v1/plan", func(w http.ResponseWriter, r *http.Request) {
		blocks, err := s.UpcomingBlocks()
		if err != nil {
			writeErr(w, err)
			return
		}
		days, err := s.DayNotes(blocks)
		if err != nil {
			writeErr(w, err)
			return
		}
		localapi.WriteJSON(w, http.StatusOK, PlanResult{Blocks: nonNil(blocks), Days: days})
	})
	api.HandleFunc("POST /v1/plan", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			DryRun bool `json:"dry_run"`
			Sync   bool `json:"sync"`
			Days   int  `json:"days"`
		}
		if !decode(w, r, &req) {
			return
		}
		if req.Sync && !req.DryRun {
			_, res, err := s.SyncNow(r.Context())
			if err != nil {
				writeErr(w, err)
				return
			}
			localapi.WriteJSON(w, http.StatusOK, res)
			return
		}
		res, err := s.ReplanDays(r.Context(), req.DryRun, req.Days)
		if err != nil {
			writeErr(w, err)
			return
		}
		localapi.WriteJSON(w, http.StatusOK, res)
	})
	api.HandleFunc("GET /v1/plan/accepted", func(w http.ResponseWriter, r *http.Request) {
		blocks, err := s.AcceptedBlocks()
		if err != nil {
			writeErr(w, err)
			return
		}
		localapi.WriteJSON(w, http.StatusOK, nonNil(blocks))
	})
	api.HandleFunc("POST /v1/plan/accept-all", func(w http.ResponseWriter, r *http.Request) {
		n, err := s.AcceptAll(r.Context())
		if err != nil {
			writeErr(w, err)
			return
		}
		localapi.WriteJSON(w, http.StatusOK, map[string]int{"accepted": n})
	})
	api.HandleFunc("POST /v1/blocks/{id}/{action}", func(w http.ResponseWriter, r *http.Request) {
		var b calendar.Block
		var err error
		switch r.PathValue("action") {
		case "accept":
			b, err = s.Accept(r.Context(), r.PathValue("id"))
		case "skip":
			b, err = s.Skip(r.Context(), r.PathValue("id"))
		default:
			localapi.WriteError(w, http.StatusNotFound, "unknown action (want accept or skip)")
			return
		}
		if err != nil {
			writeErr(w, err)
			return
		}
		localapi.WriteJSON(w, http.StatusOK, b)
	})
	api.HandleFunc("GET /v1/calendars", func(w http.ResponseWriter, r *http.Request) {
		list, err := s.CalendarList()
		if err != nil {
			writeErr(w, err)
			return
		}
		localapi.WriteJSON(w, http.StatusOK, nonNil(list))
	})
	api.HandleFunc("POST /v1/calendars", func(w http.ResponseWriter, r *http.Request) {
		var req AddSource
		if !decode(w, r, &req) {
			return
		}
		cfg, err := s.AddSource(r.Context(), req)
		if err != nil {
			writeErr(w, err)
			return
		}
		localapi.WriteJSON(w, http.StatusCreated, cfg)
	})
	api.HandleFunc("PATCH /v1/calendars/{id}", func(w http.ResponseWriter, r *http.Request) {
		var ch SourceChange
		if !decode(w, r, &ch) {
			return
		}
		cfg, err := s.ChangeSource(r.PathValue("id"), ch)
		if err != nil {
			writeErr(w, err)
			return
		}
		localapi.WriteJSON(w, http.StatusOK, cfg)
	})
	api.HandleFunc("DELETE /v1/calendars/{id}", func(w http.ResponseWriter, r *http.Request) {
		if err := s.RemoveSource(r.PathValue("id")); err != nil {
			writeErr(w, err)
			return
		}
		localapi.WriteJSON(w, http.StatusOK, map[string]string{"removed": r.PathValue("id")})
	})
	api.HandleFunc("POST /v1/calendars/sync", func(w http.ResponseWriter, r *http.Request) {
		rep, _, err := s.SyncNow(r.Context())
		if err != nil {
			writeErr(w, err)
			return
		}
		localapi.WriteJSON(w, http.StatusOK, rep)
	})
	api.HandleFunc("GET /v1/busy", func(w http.ResponseWriter, r *http.Request) {
		ivs, err := s.BusyRange(r.URL.Query().Get("from"), r.URL.Query().Get("to"))
		if err != nil {
			writeErr(w, err)
			return
		}
		localapi.WriteJSON(w, http.StatusOK, nonNil(ivs))
	})
	api.HandleFunc("GET /v1/settings", func(w http.ResponseWriter, r *http.Request) {
		localapi.WriteJSON(w, http.StatusOK, s.Settings())
	})
	api.HandleFunc("PUT /v1/settings", func(w http.ResponseWriter, r *http.Request) {
		st := s.Settings()
		if !decode(w, r, &st) {
			return
		}
		if err := s.SaveSettings(st); err != nil {
			writeErr(w, err)
			return
		}
		localapi.WriteJSON(w, http.StatusOK, st)
	})
	api.Handle("GET /v1/focus.ics", calendar.FeedHandler(s.AcceptedBlocks, s.Clock))
}

func (s *Service) announceHeld(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		s.emit(Event{Kind: HeldChanged})
	})
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if r.ContentLength == 0 {
		return true
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		localapi.WriteError(w, HTTPStatus(err), "the request is not what Lull expects: "+jsonProblem(err))
		return false
	}
	return true
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
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
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

// HTTPStatus maps a domain error to the status the API answers with.
func HTTPStatus(err error) int {
	switch {
	case errors.Is(err, focus.ErrBadDuration), errors.Is(err, focus.ErrBadWeek),
		errors.Is(err, focus.ErrBadDate), errors.Is(err, focus.ErrFutureWeek),
		errors.Is(err, ErrBadSettings), errors.Is(err, calendar.ErrBadSettings),
		errors.Is(err, calendar.ErrBadSource), errors.Is(err, ErrBadFormat),
		errors.Is(err, ErrBadRequest), errors.Is(err, calendar.ErrUnknownFormat),
		errors.Is(err, calendar.ErrBadExportPath):
		return http.StatusBadRequest
	case errors.Is(err, calendar.ErrNoSuchBlock), errors.Is(err, calendar.ErrNoSuchSource),
		errors.Is(err, focus.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, focus.ErrAlreadyFocusing), errors.Is(err, focus.ErrNotFocusing),
		errors.Is(err, focus.ErrOpenEnded), errors.Is(err, focus.ErrNoFreeTime),
		errors.Is(err, focus.ErrNothingToResume):
		return http.StatusConflict
	case errors.Is(err, calendar.ErrSourceAuth), errors.Is(err, calendar.ErrSourceNotFound),
		errors.Is(err, calendar.ErrSourceTLS), errors.Is(err, calendar.ErrSourceUnreachable),
		errors.Is(err, calendar.ErrSourceTimeout), errors.Is(err, calendar.ErrSourceTooLarge),
		errors.Is(err, calendar.ErrSourceHTTP), errors.Is(err, calendar.ErrNoCalendar),
		errors.Is(err, calendar.ErrSourceNotCalendar):
		// The calendar server answered wrongly, or not at all: bad gateway.
		return http.StatusBadGateway
	case errors.As(err, new(*human.FieldError)), errors.As(err, new(*json.SyntaxError)),
		errors.As(err, new(*json.UnmarshalTypeError)), errors.Is(err, io.ErrUnexpectedEOF),
		strings.HasPrefix(err.Error(), "json: unknown field"):
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

func writeErr(w http.ResponseWriter, err error) {
	localapi.WriteError(w, HTTPStatus(err), err.Error())
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
