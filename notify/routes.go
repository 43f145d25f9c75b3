package notify

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"
)

// Routes returns every local API endpoint notify serves, keyed by
// http.ServeMux pattern, for the app to mount behind its guard:
//
//	POST /v1/notifications            intake (see Handler)
//	GET  /v1/notifications/held       {"items": [...]}: the held queue
//	GET  /v1/digests?limit=N          {"digests": [...]}: newest first (default 20)
//	POST /v1/digests/now              {"delivered": bool, "digest": {...}}
//	POST /v1/digests/{id}/read        body {"item": "ID"} or empty for all: 204
func (s *Service) Routes() map[string]http.Handler {
	return map[string]http.Handler{
		"POST /v1/notifications":     s.Handler(),
		"GET /v1/notifications/held": http.HandlerFunc(s.serveHeld),
		"GET /v1/digests":            http.HandlerFunc(s.serveDigests),
		"POST /v1/digests/now":       http.HandlerFunc(s.serveDigestNow),
		"POST /v1/digests/{id}/read": http.HandlerFunc(s.serveMarkRead),
	}
}

func (s *Service) serveHeld(w http.ResponseWriter, _ *http.Request) {
	items, err := s.Held()
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, apiError{err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Items []Item `json:"items"`
	}{nonNil(items)})
}

func (s *Service) serveDigests(w http.ResponseWriter, r *http.Request) {
	limit := 20
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeJSON(w, http.StatusBadRequest, apiError{"limit must be a non-negative number"})
			return
		}
		limit = n
	}
	ds, err := s.ListDigests(time.Unix(0, 0), s.d.Clock.Now().Add(time.Second), limit)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, apiError{err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Digests []Digest `json:"digests"`
	}{nonNil(ds)})
}

func (s *Service) serveDigestNow(w http.ResponseWriter, _ *http.Request) {
	d, ok, err := s.DeliverNow()
	if err != nil && !ok {
		writeJSON(w, http.StatusInternalServerError, apiError{err.Error()})
		return
	}
	resp := struct {
		Delivered bool    `json:"delivered"`
		Digest    *Digest `json:"digest,omitempty"`
		Warning   string  `json:"warning,omitempty"`
	}{Delivered: ok}
	if ok {
		resp.Digest = &d
	}
	if err != nil {
		resp.Warning = err.Error() // stored, but the OS notification failed
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Service) serveMarkRead(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Item string `json:"item"`
	}
	if r.Body != nil && r.ContentLength != 0 {
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeJSON(w, http.StatusBadRequest, apiError{"bad JSON: " + err.Error()})
			return
		}
	}
	if err := s.MarkRead(r.PathValue("id"), body.Item); err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, ErrNotFound) {
			status = http.StatusNotFound
		}
		writeJSON(w, status, apiError{err.Error()})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
