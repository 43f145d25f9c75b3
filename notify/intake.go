package notify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Limits on fields of the local API, in characters (title, source) and bytes
// (body, url); MaxBatch bounds the array form; DefaultSource names
// notifications sent without a source.
const (
	MaxTitle      = 256
	MaxBody       = 4 << 10
	MaxSource     = 64
	MaxURL        = 2048
	MaxBatch      = 500
	DefaultSource = "api"
)

// Request is the JSON body of POST /v1/notifications (or one element of the
// batch form, an array).
type Request struct {
	Title    string `json:"title"`
	Body     string `json:"body"`
	Source   string `json:"source"`
	Priority string `json:"priority"`
	URL      string `json:"url"`
}

// Validate checks r and returns the Notification it describes with origin o.
// Every failure wraps ErrInvalid and names the field.
func (r Request) Validate(o Origin) (Notification, error) {
	bad := func(format string, a ...any) (Notification, error) {
		return Notification{}, fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, a...))
	}
	for field, v := range map[string]string{"title": r.Title, "body": r.Body, "source": r.Source, "priority": r.Priority, "url": r.URL} {
		if !utf8.ValidString(v) {
			return bad("%s is not valid UTF-8", field)
		}
	}
	title := strings.TrimSpace(r.Title)
	switch {
	case title == "":
		return bad("title is required")
	case utf8.RuneCountInString(title) > MaxTitle:
		return bad("title is longer than %d characters", MaxTitle)
	case len(r.Body) > MaxBody:
		return bad("body is longer than %d bytes", MaxBody)
	case utf8.RuneCountInString(r.Source) > MaxSource:
		return bad("source is longer than %d characters", MaxSource)
	case len(r.URL) > MaxURL:
		return bad("url is longer than %d bytes", MaxURL)
	}
	src := strings.TrimSpace(r.Source)
	if src == "" {
		src = DefaultSource
	}
	if strings.ContainsAny(src, "\n\r\t") {
		return bad("source must be one line")
	}
	p := Priority(strings.ToLower(strings.TrimSpace(r.Priority)))
	if p == "" {
		p = PriorityNormal
	}
	if !p.Valid() {
		return bad("priority %q is not one of low, normal, high, urgent", r.Priority)
	}
	if r.URL != "" {
		u, err := url.Parse(r.URL)
		if err != nil || u.Scheme == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "mailto") {
			return bad("url %q must be an absolute http, https or mailto URL", r.URL)
		}
	}
	return Notification{Source: src, Title: title, Body: r.Body, Priority: p, URL: r.URL, Urgency: UrgencyNormal, Origin: o}, nil
}

// ParseRequests decodes a JSON object or array of objects into validated
// notifications. Errors wrap ErrInvalid; in a batch they name the element.
func ParseRequests(body []byte, o Origin) ([]Notification, bool, error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, false, fmt.Errorf("%w: empty body: send a JSON object {\"title\": ...} or an array of them", ErrInvalid)
	}
	batch := trimmed[0] == '['
	var reqs []Request
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	var err error
	if batch {
		err = dec.Decode(&reqs)
	} else {
		var r Request
		err = dec.Decode(&r)
		reqs = []Request{r}
	}
	if err != nil {
		return nil, batch, fmt.Errorf("%w: bad JSON: %s", ErrInvalid, jsonProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, batch, fmt.Errorf("%w: bad JSON: unexpected data after the value", ErrInvalid)
	}
	if len(reqs) == 0 {
		return nil, batch, fmt.Errorf("%w: empty batch", ErrInvalid)
	}
	if len(reqs) > MaxBatch {
		return nil, batch, fmt.Errorf("%w: batch of %d is larger than %d", ErrInvalid, len(reqs), MaxBatch)
	}
	out := make([]Notification, len(reqs))
	for i, r := range reqs {
		n, err := r.Validate(o)
		if err != nil {
			if batch {
				return nil, batch, fmt.Errorf("element %d: %w", i, err)
			}
			return nil, batch, err
		}
		out[i] = n
	}
	return out, batch, nil
}

func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("%v at byte %d", se, se.Offset)
	case errors.As(err, &te):
		if te.Field != "" {
			return fmt.Sprintf("field %q must be a %s, not %s", te.Field, te.Type, te.Value)
		}
		return fmt.Sprintf("expected an object or an array of objects, not %s", te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends too early"
	}
	return err.Error()
}

// Result is what the API answers for one committed notification.
type Result struct {
	ID       string `json:"id"`
	Decision Action `json:"decision"`
	Reason   string `json:"reason"`
	// Count is above 1 when the notification collapsed into an identical
	// held one (whose ID is returned).
	Count int `json:"count"`
}

// OriginHeader lets the command line mark its requests as origin "cli".
const OriginHeader = "Lull-Origin"

// Results is the answer to an array of notifications: one Result each, in
// order.
type Results struct {
	Results []Result `json:"results"`
}

// maxIntakeBody bounds what the handler reads of a request: a full batch
// (MaxBatch notifications at their limits) fits with room, and the local
// API's guard refuses larger bodies before they get here.
const maxIntakeBody = 1 << 20

// Handler returns the http.Handler for POST /v1/notifications. It answers
// 201 only after every notification of the request is committed to disk:
// a Result for an object, Results for an array. fail answers its errors
// (bad JSON or fields wrap ErrInvalid; a queue that cannot store, ErrClosed
// or the disk's error) in the local API's error format: the app mounts it
// with internal/api.WriteError, so notify knows no HTTP statuses.
func (s *Service) Handler(fail func(http.ResponseWriter, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer s.q.Expect()()
		body, err := io.ReadAll(io.LimitReader(r.Body, maxIntakeBody))
		if err != nil {
			fail(w, fmt.Errorf("%w: reading the request: %v", ErrInvalid, err))
			return
		}
		o := OriginAPI
		if strings.EqualFold(r.Header.Get(OriginHeader), string(OriginCLI)) {
			o = OriginCLI
		}
		ns, batch, err := ParseRequests(body, o)
		if err != nil {
			fail(w, err)
			return
		}
		res, err := s.Submit(r.Context(), ns)
		if err != nil {
			fail(w, fmt.Errorf("storing notification: %w", err))
			return
		}
		if batch {
			writeJSON(w, http.StatusCreated, Results{res})
			return
		}
		writeJSON(w, http.StatusCreated, res[0])
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
