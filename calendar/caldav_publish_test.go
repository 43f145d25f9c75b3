package calendar

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// foreignObjects puts events Lull must never touch, including two that look
// half like Lull's, and returns href → body.
func foreignObjects(dav *fakeDAV) map[string]string {
	objs := map[string]string{
		"/alice/work/f1.ics": foreignEvent("f1@x", ""),
		"/alice/work/f2.ics": foreignEvent("f2@x", "RRULE:FREQ=WEEKLY;COUNT=10\r\nEXDATE;TZID=Europe/Berlin:20261130T100000\r\n"),
		// Lull's UID prefix but no X-LULL-BLOCK: somebody else's.
		"/alice/work/lull-block-x.ics": foreignEvent("lull-block-x", ""),
		// X-LULL-BLOCK but a foreign UID: somebody else's.
		"/alice/work/marked.ics": foreignEvent("marked@x", "X-LULL-BLOCK:1\r\n"),
	}
	for h, b := range objs {
		dav.put(h, b)
	}
	return objs
}

// assertForeignUntouched checks that the foreign objects' bodies are
// unchanged and that, from request index since on, no request that could
// change one reached it: the only write allowed is a create with
// If-None-Match: *, which a server refuses when the object exists.
func assertForeignUntouched(t *testing.T, dav *fakeDAV, foreign map[string]string, since int) {
	t.Helper()
	for _, r := range dav.recorded()[since:] {
		if _, isForeign := foreign[r.Path]; !isForeign || r.Method == http.MethodGet || r.Method == "REPORT" {
			continue
		}
		if r.Method == http.MethodPut && r.Header.Get("If-None-Match") == "*" && r.Header.Get("If-Match") == "" {
			continue
		}
		t.Errorf("%s %s (If-Match %q): Lull tried to change an object it did not create", r.Method, r.Path, r.Header.Get("If-Match"))
	}
	for h, body := range foreign {
		if o, ok := dav.get(h); !ok || o.body != body {
			t.Errorf("foreign object %s changed or vanished", h)
		}
	}
}

func writes(dav *fakeDAV, since int) []fakeRequest {
	var out []fakeRequest
	for _, r := range dav.recorded()[since:] {
		if r.Method == http.MethodPut || r.Method == http.MethodDelete {
			out = append(out, r)
		}
	}
	return out
}

func testBlock(id string, startHour, hours int) Block {
	start := time.Date(2026, 11, 23, startHour, 0, 0, 0, time.UTC)
	return Block{ID: id, Start: start, End: start.Add(time.Duration(hours) * time.Hour)}
}

func TestCalDAVPublisherLifecycle(t *testing.T) {
	env := newSourceEnv(t, SourceOptions{})
	dav := newFakeDAV(t)
	foreign := foreignObjects(dav)
	cfg := addFakeCalDAV(t, env, dav)
	pub, err := env.st.Publisher(cfg.ID)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	b1, b2 := testBlock("b1", 9, 2), testBlock("b2", 14, 2)

	// Create: If-None-Match: * on each new object.
	n := len(dav.recorded())
	res, err := pub.Sync(ctx, []Block{b1, b2})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Created, []string{"b1", "b2"}) || len(res.Updated)+len(res.Deleted)+len(res.Conflicts) != 0 {
		t.Fatalf("first sync = %+v", res)
	}
	for _, w := range writes(dav, n) {
		if w.Method != http.MethodPut || w.Header.Get("If-None-Match") != "*" || w.Header.Get("If-Match") != "" {
			t.Errorf("create %s %s: If-None-Match=%q If-Match=%q", w.Method, w.Path, w.Header.Get("If-None-Match"), w.Header.Get("If-Match"))
		}
		if w.Header.Get("Authorization") == "" {
			t.Errorf("%s %s sent without auth", w.Method, w.Path)
		}
	}
	obj, ok := dav.get("/alice/work/lull-block-b1.ics")
	if !ok || !isOwnObject([]byte(obj.body), "lull-block-b1") || !strings.Contains(obj.body, "DTSTART:20261123T090000Z") {
		t.Fatalf("b1 on the server:\n%s", obj.body)
	}

	// Nothing changed: no writes at all.
	n = len(dav.recorded())
	if res, err := pub.Sync(ctx, []Block{b1, b2}); err != nil || len(writes(dav, n)) != 0 {
		t.Fatalf("idempotent sync wrote %v (%+v, %v)", writes(dav, n), res, err)
	}

	// Re-planned: b1 moves. PUT with If-Match: the ETag Lull last saw.
	b1moved := testBlock("b1", 10, 2)
	tag := obj.etag
	n = len(dav.recorded())
	res, err = pub.Sync(ctx, []Block{b1moved, b2})
	if err != nil || !reflect.DeepEqual(res.Updated, []string{"b1"}) {
		t.Fatalf("re-plan sync = %+v, %v", res, err)
	}
	ws := writes(dav, n)
	if len(ws) != 1 || ws[0].Method != http.MethodPut || ws[0].Header.Get("If-Match") != tag || ws[0].Header.Get("If-None-Match") != "" {
		t.Fatalf("update requests = %+v, want one PUT If-Match %s", ws, tag)
	}
	if o, _ := dav.get("/alice/work/lull-block-b1.ics"); !strings.Contains(o.body, "DTSTART:20261123T100000Z") {
		t.Fatal("b1 not moved on the server")
	}

	// b2 no longer wanted: DELETE with If-Match.
	o2, _ := dav.get("/alice/work/lull-block-b2.ics")
	n = len(dav.recorded())
	res, err = pub.Sync(ctx, []Block{b1moved})
	if err != nil || !reflect.DeepEqual(res.Deleted, []string{"b2"}) {
		t.Fatalf("delete sync = %+v, %v", res, err)
	}
	ws = writes(dav, n)
	if len(ws) != 1 || ws[0].Method != http.MethodDelete || ws[0].Header.Get("If-Match") != o2.etag {
		t.Fatalf("delete requests = %+v", ws)
	}

	// The user deletes b1 on the server: reported, tombstoned, never re-created.
	dav.del("/alice/work/lull-block-b1.ics")
	res, err = pub.Sync(ctx, []Block{b1moved})
	if err != nil || !reflect.DeepEqual(res.GoneOnServer, []string{"b1"}) || len(res.Created) != 0 {
		t.Fatalf("sync after user delete = %+v, %v", res, err)
	}
	res, err = pub.Sync(ctx, []Block{b1moved})
	if err != nil || !reflect.DeepEqual(res.Skipped, []string{"b1"}) || len(res.Created) != 0 {
		t.Fatalf("next sync = %+v, %v", res, err)
	}
	if _, ok := dav.get("/alice/work/lull-block-b1.ics"); ok {
		t.Fatal("a block the user deleted was re-created")
	}
	if err := pub.Put(ctx, b1moved); !errors.Is(err, ErrBlockDeletedByUser) {
		t.Fatalf("Put of a tombstoned block: %v", err)
	}
	if ts, _ := pub.Tombstones(); !reflect.DeepEqual(ts, []string{"b1"}) {
		t.Fatalf("tombstones = %v", ts)
	}

	// Emptying the plan deletes only Lull's objects.
	pub.Sync(ctx, []Block{testBlock("b3", 16, 1)})
	if res, err := pub.Sync(ctx, nil); err != nil || !reflect.DeepEqual(res.Deleted, []string{"b3"}) {
		t.Fatalf("empty sync = %+v, %v", res, err)
	}
	assertForeignUntouched(t, dav, foreign, 0)
	if got := dav.hrefs(); len(got) != len(foreign) {
		t.Fatalf("server holds %v, want only the foreign objects", got)
	}
}

func TestCalDAVPublisherNeverTouchesForeign(t *testing.T) {
	env := newSourceEnv(t, SourceOptions{})
	dav := newFakeDAV(t)
	foreign := foreignObjects(dav)
	cfg := addFakeCalDAV(t, env, dav)
	pub, _ := env.st.Publisher(cfg.ID)
	ctx := context.Background()

	// A block whose object path is taken by a foreign event with Lull's
	// prefix: If-None-Match fails, the object is not Lull's, it is left alone.
	res, err := pub.Sync(ctx, []Block{testBlock("x", 9, 1)})
	if err != nil || !reflect.DeepEqual(res.Conflicts, []string{"x"}) {
		t.Fatalf("sync = %+v, %v", res, err)
	}
	if err := pub.Remove(ctx, "x"); err != nil {
		t.Fatalf("Remove of a block Lull never wrote: %v", err)
	}

	// The user turns Lull's block into their own event (markers gone):
	// Lull forgets it and never writes or deletes it again.
	pub.Sync(ctx, []Block{testBlock("y", 11, 1)})
	assertForeignUntouched(t, dav, foreign, 0)
	href := "/alice/work/lull-block-y.ics"
	dav.put(href, foreignEvent("my-own@x", ""))
	n := len(dav.recorded())
	res, err = pub.Sync(ctx, nil)
	if err != nil || !reflect.DeepEqual(res.Conflicts, []string{"y"}) || len(res.Deleted) != 0 {
		t.Fatalf("sync = %+v, %v", res, err)
	}
	pub.Sync(ctx, []Block{testBlock("y", 12, 1)})
	pub.Remove(ctx, "y")
	assertForeignUntouched(t, dav, map[string]string{href: foreignEvent("my-own@x", "")}, n)
}

func TestCalDAVPublisherPreconditionConflicts(t *testing.T) {
	env := newSourceEnv(t, SourceOptions{})
	dav := newFakeDAV(t)
	cfg := addFakeCalDAV(t, env, dav)
	pub, _ := env.st.Publisher(cfg.ID)
	ctx := context.Background()
	if _, err := pub.Sync(ctx, []Block{testBlock("a", 9, 1), testBlock("b", 11, 1)}); err != nil {
		t.Fatal(err)
	}
	// Another client edits both objects between Lull's check and its write:
	// the If-Match fails and Lull leaves the edits in place.
	dav.mu.Lock()
	dav.editBeforeWrite = map[string]bool{"/alice/work/lull-block-a.ics": true, "/alice/work/lull-block-b.ics": true}
	dav.mu.Unlock()
	res, err := pub.Sync(ctx, []Block{testBlock("a", 10, 1)}) // a moves, b is dropped
	if err != nil || !reflect.DeepEqual(res.Conflicts, []string{"a", "b"}) || len(res.Updated)+len(res.Deleted) != 0 {
		t.Fatalf("sync = %+v, %v", res, err)
	}
	for _, h := range []string{"/alice/work/lull-block-a.ics", "/alice/work/lull-block-b.ics"} {
		if o, ok := dav.get(h); !ok || !strings.Contains(o.body, "SUMMARY:edited ") {
			t.Errorf("%s: the other client's edit was overwritten or deleted", h)
		}
	}
	if err := pub.Remove(ctx, "b"); !errors.Is(err, ErrPublishConflict) {
		t.Fatalf("Remove over a concurrent edit: %v", err)
	}
}

func TestCalDAVPublisherAdoptsOwnObjectAndReadsETag(t *testing.T) {
	env := newSourceEnv(t, SourceOptions{})
	dav := newFakeDAV(t)
	dav.noETagOnPut = true
	cfg := addFakeCalDAV(t, env, dav)
	// Lull's own object from an earlier install (no record in this database).
	href := "/alice/work/lull-block-old.ics"
	dav.put(href, string(blockObjectICS(testBlock("old", 9, 1), testNow)))
	pub, _ := env.st.Publisher(cfg.ID)
	ctx := context.Background()
	if err := pub.Put(ctx, testBlock("old", 13, 1)); err != nil {
		t.Fatal(err)
	}
	o, _ := dav.get(href)
	if !strings.Contains(o.body, "DTSTART:20261123T130000Z") {
		t.Fatalf("adopted object not updated:\n%s", o.body)
	}
	// Without an ETag on PUT, Lull read it back and can delete with If-Match.
	n := len(dav.recorded())
	if err := pub.Remove(ctx, "old"); err != nil {
		t.Fatal(err)
	}
	ws := writes(dav, n)
	if len(ws) != 1 || ws[0].Header.Get("If-Match") != o.etag {
		t.Fatalf("delete = %+v, want If-Match %s", ws, o.etag)
	}
	if _, ok := dav.get(href); ok {
		t.Fatal("not deleted")
	}
}

func TestPublisherOnlyForCalDAV(t *testing.T) {
	env := newSourceEnv(t, SourceOptions{})
	feed := newFeedServer(t, "", "")
	cfg, err := env.st.AddURLSource(context.Background(), feed.secretURL(), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.st.Publisher(cfg.ID); !errors.Is(err, ErrBadSource) {
		t.Fatalf("Publisher on a URL source: %v", err)
	}
	if _, err := env.st.Publisher("nope"); !errors.Is(err, ErrNoSuchSource) {
		t.Fatalf("Publisher on a missing source: %v", err)
	}
}

func TestCalDAVPublisherKeepsPastBlocks(t *testing.T) {
	env := newSourceEnv(t, SourceOptions{})
	dav := newFakeDAV(t)
	cfg := addFakeCalDAV(t, env, dav)
	pub, _ := env.st.Publisher(cfg.ID)
	ctx := context.Background()
	past, future := testBlock("past", 9, 1), testBlock("future", 14, 1)
	if _, err := pub.Sync(ctx, []Block{past, future}); err != nil {
		t.Fatal(err)
	}
	// The day goes by: the planner no longer lists the morning block.
	env.clk.Set(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	res, err := pub.Sync(ctx, nil)
	if err != nil || !reflect.DeepEqual(res.Deleted, []string{"future"}) {
		t.Fatalf("sync = %+v, %v", res, err)
	}
	if _, ok := dav.get("/alice/work/lull-block-past.ics"); !ok {
		t.Fatal("a focus block that already happened was deleted from the calendar")
	}
	// An explicit Remove still removes it.
	if err := pub.Remove(ctx, "past"); err != nil {
		t.Fatal(err)
	}
	if _, ok := dav.get("/alice/work/lull-block-past.ics"); ok {
		t.Fatal("Remove left the past block")
	}
}
