package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/human"
	"github.com/lullapp/lull/internal/localapi"
	"github.com/lullapp/lull/notify"
)

func TestRoutesAreOneListOfDistinctEndpoints(t *testing.T) {
	names, patterns := map[string]bool{}, map[string]bool{}
	for _, r := range Routes() {
		if names[r.Name] || patterns[r.Pattern()] {
			t.Errorf("route %s (%s) twice", r.Name, r.Pattern())
		}
		names[r.Name], patterns[r.Pattern()] = true, true
		if !strings.HasPrefix(r.Path, "/v1/") || r.About == "" {
			t.Errorf("route %+v: want a /v1/ path and words", r)
		}
		if Lookup(r.Name) != r {
			t.Errorf("Lookup(%s) = %+v", r.Name, Lookup(r.Name))
		}
		if r.Path == localapi.HelloPath {
			t.Errorf("the handshake is the transport's, not a route")
		}
	}
}

func TestRouteURL(t *testing.T) {
	for _, tc := range []struct {
		route string
		query url.Values
		args  []string
		want  string
	}{
		{RouteStatus, nil, nil, "/v1/status"},
		{RouteAccept, nil, []string{"lull-1"}, "/v1/blocks/lull-1/accept"},
		{RouteRemoveCalendar, nil, []string{"a/b c"}, "/v1/calendars/a%2Fb%20c"},
		{RouteMarkRead, nil, []string{"00ff"}, "/v1/digests/00ff/read"},
		{RouteDigests, url.Values{"limit": {"5"}}, nil, "/v1/digests?limit=5"},
		{RouteBusy, url.Values{"from": {"2026-01-05T00:00:00+01:00"}, "to": {""}}, nil, "/v1/busy?from=2026-01-05T00%3A00%3A00%2B01%3A00&to="},
	} {
		if got := Lookup(tc.route).URL(tc.query, tc.args...); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.route, got, tc.want)
		}
	}
	for _, f := range []func(){
		func() { Lookup(RouteAccept).URL(nil) },
		func() { Lookup(RouteStatus).URL(nil, "x") },
		func() { Lookup("nope") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("a wrong route call did not panic")
				}
			}()
			f()
		}()
	}
}

// TestErrorTableRows: codes are unique, every row has a sentinel, an error
// status and an exit code of 1 or 2, and no code is one of the guard's
// that means something else.
func TestErrorTableRows(t *testing.T) {
	codes := map[string]bool{}
	errs := map[error]bool{}
	for _, k := range Errors() {
		if codes[k.Code] || errs[k.Err] {
			t.Errorf("row %s twice (code or error)", k.Code)
		}
		codes[k.Code], errs[k.Err] = true, true
		if k.Err == nil || k.Status < 400 || k.Status > 599 || (k.Exit != ExitFailure && k.Exit != ExitUsage) {
			t.Errorf("row %+v", k)
		}
		if k.Exit == ExitUsage && k.Status >= 500 {
			t.Errorf("row %s: a usage error cannot be Lull's failure (%d)", k.Code, k.Status)
		}
		if got := Classify(fmt.Errorf("context: %w", k.Err)); got.Code != k.Code {
			t.Errorf("a wrapped %v classifies as %s, want %s (an earlier row takes it)", k.Err, got.Code, k.Code)
		}
	}
	for _, guard := range []string{localapi.CodeForbidden, localapi.CodeUnauthorized, localapi.CodeTooLarge} {
		if codes[guard] || guard == CodeInternal {
			t.Errorf("the guard's code %s is also a row's", guard)
		}
	}
	if k, _ := byCode(localapi.CodeBadRequest); k.Err != ErrBadRequest {
		t.Errorf("the guard's bad_request is not ErrBadRequest's code")
	}
	fe := &human.FieldError{Key: "x", Label: "x", Problem: "no"}
	if Classify(fe).Err != ErrInvalidValue || ExitCode(fe) != ExitUsage {
		t.Errorf("a field error of no kind: %+v", Classify(fe))
	}
	if k := Classify(errors.New("disk full")); k.Code != CodeInternal || k.Status != 500 || k.Exit != ExitFailure {
		t.Errorf("an unknown error: %+v", k)
	}
	if ExitCode(nil) != ExitOK {
		t.Error("no error does not exit 0")
	}
}

// overTheWire runs err through the server's WriteError and the client's
// reading of it, as a real request would.
func overTheWire(t *testing.T, err error) error {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { WriteError(w, err) }))
	defer srv.Close()
	resp, herr := http.Get(srv.URL)
	if herr != nil {
		t.Fatal(herr)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if strings.Contains(string(body), fmt.Sprint(resp.StatusCode)) && !strings.Contains(err.Error(), fmt.Sprint(resp.StatusCode)) {
		t.Errorf("the answer %s shows its HTTP status", body)
	}
	// What localapi.Client does with an error answer.
	var e struct{ Error localapi.ErrorBody }
	if jerr := json.Unmarshal(body, &e); jerr != nil {
		t.Fatalf("answer %s: %v", body, jerr)
	}
	return fromStatus(&localapi.StatusError{Status: resp.StatusCode, Body: e.Error})
}

// TestErrorsCrossTheWire: every row's error, wrapped as domain code wraps
// it, comes back from the API with the same message, the same errors.Is,
// the same exit code; a field error comes back with its key and parts.
func TestErrorsCrossTheWire(t *testing.T) {
	for _, k := range Errors() {
		local := fmt.Errorf("calendar %q: %w", "Work", k.Err)
		remote := overTheWire(t, local)
		var ae *Error
		if !errors.As(remote, &ae) || ae.Code != k.Code || ae.Status != k.Status {
			t.Errorf("%s: %v (%+v)", k.Code, remote, ae)
		}
		if remote.Error() != local.Error() || !errors.Is(remote, k.Err) || ExitCode(remote) != ExitCode(local) || HTTPStatus(remote) != k.Status {
			t.Errorf("%s: remote %q (exit %d), local %q (exit %d)", k.Code, remote, ExitCode(remote), local, ExitCode(local))
		}
	}
	local := fmt.Errorf("start focus: %w", &human.FieldError{Key: "length", Label: "focus length", Value: "200h",
		Problem: "must be at most 24 h", Example: "25m", Err: focus.ErrBadDuration})
	remote := overTheWire(t, local)
	var fe *human.FieldError
	if !errors.As(remote, &fe) || fe.Key != "length" || fe.Label != "focus length" || fe.Value != "200h" ||
		fe.Message() != `"200h": must be at most 24 h, e.g. 25m` || remote.Error() != local.Error() ||
		!errors.Is(remote, human.ErrBadDuration) || ExitCode(remote) != ExitUsage {
		t.Errorf("field error: %v (%+v)", remote, fe)
	}
	// An error of no row: Lull failed, in its own words.
	if remote := overTheWire(t, errors.New("disk full")); remote.Error() != "disk full" || ExitCode(remote) != ExitFailure {
		t.Errorf("unknown error: %v", remote)
	}
	// A notification's validation keeps its sentinel.
	if remote := overTheWire(t, fmt.Errorf("%w: title is required", notify.ErrInvalid)); !errors.Is(remote, notify.ErrInvalid) {
		t.Errorf("invalid notification: %v", remote)
	}
}

func TestBadRequestReadsAsItsMessage(t *testing.T) {
	err := BadRequest("a calendar of kind %q: want file, url or caldav", "fax")
	if err.Error() != `a calendar of kind "fax": want file, url or caldav` || !errors.Is(err, ErrBadRequest) || ExitCode(err) != ExitUsage {
		t.Errorf("%v", err)
	}
}
