package notify

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRoutes(t *testing.T) {
	r := newRig(t, mon, Config{}, false)
	mux := http.NewServeMux()
	for p, h := range r.svc.Routes() {
		mux.Handle(p, h)
	}
	do := func(method, path, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		return w
	}
	if w := do("POST", "/v1/digests/now", ""); w.Code != 200 || !strings.Contains(w.Body.String(), `"delivered":false`) {
		t.Fatalf("empty digest now: %d %s", w.Code, w.Body)
	}
	if w := do("POST", "/v1/notifications", `[{"title":"a","source":"CI"},{"title":"b","source":"Mail"}]`); w.Code != 201 {
		t.Fatalf("post: %d %s", w.Code, w.Body)
	}
	var held struct{ Items []Item }
	if w := do("GET", "/v1/notifications/held", ""); w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &held) != nil || len(held.Items) != 2 {
		t.Fatalf("held: %d %s", w.Code, w.Body)
	}
	var now struct {
		Delivered bool
		Digest    Digest
	}
	if w := do("POST", "/v1/digests/now", ""); w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &now) != nil || !now.Delivered || now.Digest.Total() != 2 {
		t.Fatalf("digest now: %d %s", w.Code, w.Body)
	}
	var list struct{ Digests []Digest }
	if w := do("GET", "/v1/digests?limit=5", ""); w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &list) != nil || len(list.Digests) != 1 {
		t.Fatalf("list: %d %s", w.Code, w.Body)
	}
	if w := do("GET", "/v1/digests?limit=x", ""); w.Code != 400 {
		t.Fatalf("bad limit: %d", w.Code)
	}
	id := list.Digests[0].ID
	if w := do("POST", "/v1/digests/"+id+"/read", `{"item":"`+list.Digests[0].Items[0].ID+`"}`); w.Code != 204 {
		t.Fatalf("mark one read: %d %s", w.Code, w.Body)
	}
	if w := do("POST", "/v1/digests/"+id+"/read", ""); w.Code != 204 {
		t.Fatalf("mark all read: %d %s", w.Code, w.Body)
	}
	if w := do("POST", "/v1/digests/00ff/read", ""); w.Code != 404 {
		t.Fatalf("unknown digest: %d %s", w.Code, w.Body)
	}
	ds, _ := r.svc.ListDigests(mon.Add(-1), mon.Add(1), 0)
	for _, it := range ds[0].Items {
		if !it.Read {
			t.Fatalf("not read: %+v", it)
		}
	}
}
