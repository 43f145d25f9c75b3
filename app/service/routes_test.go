package service

import (
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/localapi"
	"github.com/lullapp/lull/notify"
)

// TestEveryRouteHasAHandler: the service has a handler for every route of
// api.Routes and none more; a route without a handler, or a handler
// without a route, keeps the API from starting; and every route is
// mounted where the table says (it answers, with the API's own error
// format if anything, never the router's "404 page not found").
func TestEveryRouteHasAHandler(t *testing.T) {
	svc, _ := startService(t, clock.NewFake(monday), true)
	hs := svc.handlers()
	var names []string
	for _, r := range api.Routes() {
		names = append(names, r.Name)
	}
	slices.Sort(names)
	if got := slices.Sorted(maps.Keys(hs)); !slices.Equal(got, names) {
		t.Fatalf("handlers %v\nroutes   %v", got, names)
	}
	extra := maps.Clone(hs)
	extra["focus.pause"] = http.NotFoundHandler()
	if err := mountRoutes(localapi.NewServer("t"), api.Routes(), extra); err == nil || !strings.Contains(err.Error(), "focus.pause") {
		t.Errorf("a handler without a route: %v", err)
	}
	missing := maps.Clone(hs)
	delete(missing, api.RouteSkip)
	if err := mountRoutes(localapi.NewServer("t"), api.Routes(), missing); err == nil || !strings.Contains(err.Error(), api.RouteSkip) {
		t.Errorf("a route without a handler: %v", err)
	}

	raw := rawClient(t, svc)
	for _, r := range api.Routes() {
		if r.Name == api.RouteEvents {
			continue // a stream: stream_test.go
		}
		var args []string
		for range strings.Count(r.Path, "{") {
			args = append(args, "nope")
		}
		err := raw.Do(t.Context(), r.Method, r.URL(nil, args...), nil, nil, nil)
		var se *localapi.StatusError
		if errors.As(err, &se) && se.Body.Code == "" {
			t.Errorf("%s: not mounted: %d %q", r.Pattern(), se.Status, se.Body.Message)
		} else if err != nil && !errors.As(err, &se) {
			t.Errorf("%s: %v", r.Pattern(), err)
		}
	}
}

// TestNotifyRoutes: intake, the held queue, digests now and listed, and
// marking read, through the typed client.
func TestNotifyRoutes(t *testing.T) {
	svc, rec := startService(t, clock.NewFake(monday), true)
	cl := apiClient(t, svc)
	ctx := t.Context()
	if out, err := cl.DeliverDigest(ctx); err != nil || out.Delivered {
		t.Fatalf("empty digest now: %+v %v", out, err)
	}
	cl.Origin = notify.OriginCLI
	res, err := cl.Notify(ctx, []api.Notification{{Title: "a", Source: "CI"}, {Title: "b", Source: "Mail"}})
	if err != nil || len(res) != 2 || res[0].Decision != notify.ActionHold || res[0].ID == res[1].ID {
		t.Fatalf("notify: %+v %v", res, err)
	}
	held, err := cl.Held(ctx)
	if err != nil || len(held) != 2 || held[0].Origin != notify.OriginCLI {
		t.Fatalf("held: %+v %v", held, err)
	}
	out, err := cl.DeliverDigest(ctx)
	if err != nil || !out.Delivered || out.Digest.Total() != 2 || len(rec.Sent()) != 1 {
		t.Fatalf("digest now: %+v %v", out, err)
	}
	list, err := cl.Digests(ctx, 5)
	if err != nil || len(list) != 1 || list[0].ID != out.Digest.ID {
		t.Fatalf("list: %+v %v", list, err)
	}
	var se *localapi.StatusError
	err = rawClient(t, svc).Do(ctx, "GET", api.Lookup(api.RouteDigests).URL(url.Values{"limit": {"x"}}), nil, nil, nil)
	if !errors.As(err, &se) || se.Status != 400 || se.Body.Code != "bad_request" || se.Body.Field != "limit" {
		t.Fatalf("a limit of x: %v %+v", err, se)
	}
	if _, err := cl.Digests(ctx, 0); err != nil {
		t.Fatalf("default limit: %v", err)
	}
	id := list[0].ID
	if err := cl.MarkRead(ctx, id, list[0].Items[0].ID); err != nil {
		t.Fatalf("mark one read: %v", err)
	}
	if err := cl.MarkRead(ctx, id, ""); err != nil {
		t.Fatalf("mark all read: %v", err)
	}
	var ae *api.Error
	if err := cl.MarkRead(ctx, "00ff", ""); !errors.As(err, &ae) || ae.Status != 404 || !errors.Is(err, notify.ErrNotFound) {
		t.Fatalf("unknown digest: %v", err)
	}
	ds, _ := svc.Notify.ListDigests(monday.Add(-time.Hour), monday.Add(time.Hour), 0)
	for _, it := range ds[0].Items {
		if !it.Read {
			t.Fatalf("not read: %+v", it)
		}
	}
	// Only POST takes notifications.
	if err := rawClient(t, svc).Do(ctx, "GET", api.Lookup(api.RouteNotify).URL(nil), nil, nil, nil); !errors.As(err, &se) || se.Status != http.StatusMethodNotAllowed {
		t.Fatalf("GET /v1/notifications: %v", err)
	}
}
