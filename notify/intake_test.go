package notify

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestParseRequests(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) }
	tests := []struct {
		name    string
		body    string
		wantErr string // substring; "" means valid
		want    []Notification
	}{
		{"minimal object", `{"title":"Build failed"}`, "",
			[]Notification{{Source: "api", Title: "Build failed", Priority: PriorityNormal, Urgency: UrgencyNormal, Origin: OriginAPI}}},
		{"all fields", `{"title":" t ","body":"b","source":"ci","priority":"URGENT","url":"https://ci.example/1"}`, "",
			[]Notification{{Source: "ci", Title: "t", Body: "b", Priority: PriorityUrgent, URL: "https://ci.example/1", Urgency: UrgencyNormal, Origin: OriginAPI}}},
		{"batch", `[{"title":"a","source":"x"},{"title":"b","priority":"low"}]`, "",
			[]Notification{
				{Source: "x", Title: "a", Priority: PriorityNormal, Urgency: UrgencyNormal, Origin: OriginAPI},
				{Source: "api", Title: "b", Priority: PriorityLow, Urgency: UrgencyNormal, Origin: OriginAPI}}},
		{"title at limit", `{"title":"` + long(256) + `"}`, "", nil},
		{"body at limit", `{"title":"t","body":"` + strings.Repeat("x", 4096) + `"}`, "", nil},
		{"empty body", ``, "empty body", nil},
		{"not JSON", `title=x`, "bad JSON", nil},
		{"truncated", `{"title":"x"`, "bad JSON", nil},
		{"trailing data", `{"title":"x"} {}`, "unexpected data", nil},
		{"wrong type", `{"title":5}`, `field "title" must be a string`, nil},
		{"scalar", `"hello"`, "bad JSON", nil},
		{"unknown field", `{"title":"x","titel":"y"}`, "unknown field", nil},
		{"missing title", `{"body":"x"}`, "title is required", nil},
		{"blank title", `{"title":"   "}`, "title is required", nil},
		{"title too long", `{"title":"` + long(257) + `"}`, "title is longer than 256", nil},
		{"body too long", `{"title":"t","body":"` + strings.Repeat("x", 4097) + `"}`, "body is longer than 4096 bytes", nil},
		{"source too long", `{"title":"t","source":"` + strings.Repeat("s", 65) + `"}`, "source is longer than 64", nil},
		{"bad priority", `{"title":"t","priority":"asap"}`, `priority "asap" is not one of`, nil},
		{"relative url", `{"title":"t","url":"/x"}`, "must be an absolute", nil},
		{"javascript url", `{"title":"t","url":"javascript:alert(1)"}`, "must be an absolute", nil},
		{"empty batch", `[]`, "empty batch", nil},
		{"bad element names its index", `[{"title":"a"},{"title":""}]`, "element 1: invalid notification: title is required", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := ParseRequests([]byte(tc.body), OriginAPI)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, ErrInvalid) {
					t.Fatalf("err = %v, want ErrInvalid containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tc.want != nil {
				if len(got) != len(tc.want) {
					t.Fatalf("got %d notifications, want %d", len(got), len(tc.want))
				}
				for i := range got {
					if got[i] != tc.want[i] {
						t.Errorf("[%d] = %+v, want %+v", i, got[i], tc.want[i])
					}
				}
			}
		})
	}
}

func TestHandler(t *testing.T) {
	r := newRig(t, mon, Config{}, false)
	var failed error
	h := r.svc.Handler(func(w http.ResponseWriter, err error) {
		failed = err
		w.WriteHeader(http.StatusTeapot) // the app's error table picks the real status
	})
	post := func(body string, hdr ...string) *httptest.ResponseRecorder {
		failed = nil
		req := httptest.NewRequest(http.MethodPost, "/v1/notifications", strings.NewReader(body))
		if len(hdr) == 2 {
			req.Header.Set(hdr[0], hdr[1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	w := post(`{"title":"Build failed","source":"ci"}`)
	if w.Code != http.StatusCreated || !strings.Contains(w.Body.String(), `"decision":"held"`) {
		t.Fatalf("POST object: %d %s", w.Code, w.Body)
	}
	w = post(`[{"title":"a","source":"mail"},{"title":"b","source":"mail"}]`, OriginHeader, "cli")
	if w.Code != http.StatusCreated || strings.Count(w.Body.String(), `"id"`) != 2 {
		t.Fatalf("POST batch: %d %s", w.Code, w.Body)
	}
	// Errors go to fail, as they are, for the API's error table.
	if w = post(`{"title":""}`); w.Code != http.StatusTeapot || !errors.Is(failed, ErrInvalid) || failed.Error() != "invalid notification: title is required" {
		t.Fatalf("POST invalid: %d %v", w.Code, failed)
	}
	held, err := r.svc.Held()
	if err != nil {
		t.Fatal(err)
	}
	if len(held) != 3 {
		t.Fatalf("held %d items, want 3: %+v", len(held), held)
	}
	if held[1].Origin != OriginCLI || held[0].Origin != OriginAPI {
		t.Errorf("origins = %s, %s; want api, cli", held[0].Origin, held[1].Origin)
	}
	// Nothing committed, no 201.
	r.svc.Queue().Close()
	if w := post(`{"title":"late"}`); w.Code != http.StatusTeapot || !errors.Is(failed, ErrClosed) || !strings.Contains(failed.Error(), "closed") {
		t.Fatalf("POST after the queue closed: %d %v", w.Code, failed)
	}
}

// FuzzParseRequests checks that any body either fails with ErrInvalid or
// yields notifications within every limit.
func FuzzParseRequests(f *testing.F) {
	for _, s := range []string{`{"title":"x"}`, `[{"title":"a","priority":"urgent"}]`, `{"title":5}`, `[]`, `{"title":"t","url":"https://x"}`, "\xff"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ns, _, err := ParseRequests(body, OriginAPI)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error without ErrInvalid: %v", err)
			}
			return
		}
		if len(ns) == 0 || len(ns) > MaxBatch {
			t.Fatalf("%d notifications", len(ns))
		}
		for _, n := range ns {
			if strings.TrimSpace(n.Title) == "" || len([]rune(n.Title)) > MaxTitle || len(n.Body) > MaxBody ||
				len([]rune(n.Source)) > MaxSource || n.Source == "" || !n.Priority.Valid() {
				t.Fatalf("out of limits: %+v", n)
			}
		}
	})
}
