package calendar

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// hostileDAV is the fake CalDAV server, except that requests of one method
// get a hostile answer: "endless" streams a 207 multistatus (or, for GET, a
// calendar) that never ends; "drip" sends a few bytes now and then,
// forever. Both stop when the client goes away.
type hostileDAV struct {
	*fakeDAV
	mu     sync.Mutex
	method string
	kind   string
	srv    *httptest.Server
	// started is closed when the first hostile answer began.
	started chan struct{}
	once    sync.Once
}

func newHostileDAV(t *testing.T) *hostileDAV {
	h := &hostileDAV{fakeDAV: newFakeDAV(t), started: make(chan struct{})}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hostileDAV) turn(method, kind string) {
	h.mu.Lock()
	h.method, h.kind = method, kind
	h.mu.Unlock()
}

func (h *hostileDAV) serve(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	method, kind := h.method, h.kind
	h.mu.Unlock()
	if r.Method != method {
		h.fakeDAV.serve(w, r)
		return
	}
	h.once.Do(func() { close(h.started) })
	flush := w.(http.Flusher).Flush
	if r.Method == http.MethodGet {
		w.Header().Set("Content-Type", "text/calendar")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, "BEGIN:VCALENDAR\r\n")
	} else {
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		w.WriteHeader(http.StatusMultiStatus)
		fmt.Fprint(w, `<?xml version="1.0"?><D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">`)
	}
	// Each response names a calendar with a long display name, so a
	// decoder that keeps what it reads grows with the stream.
	name := strings.Repeat("n", 4000)
	for i := 0; r.Context().Err() == nil; i++ {
		var chunk string
		if r.Method == http.MethodGet {
			chunk = "X-FILLER:" + name + "\r\n"
		} else {
			chunk = fmt.Sprintf(`<D:response><D:href>/alice/cal-%d/</D:href><D:propstat><D:prop>`+
				`<D:current-user-principal><D:href>/alice/</D:href></D:current-user-principal>`+
				`<D:resourcetype><D:collection/><C:calendar/></D:resourcetype><D:displayname>%s</D:displayname>`+
				`</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`, i, name)
		}
		if kind == "drip" {
			chunk = " \n" // white space, valid between elements and lines
			time.Sleep(50 * time.Millisecond)
		}
		if _, err := fmt.Fprint(w, chunk); err != nil {
			return
		}
		if kind == "drip" || i%64 == 0 {
			flush()
		}
	}
}

// heapWatch samples the heap while an operation runs. If the heap grows by
// more than limit it cancels the operation (so a test of a missing cap
// fails instead of exhausting the machine) and remembers it.
type heapWatch struct {
	peak   atomic.Uint64
	cancel context.CancelFunc
	stop   chan struct{}
	done   chan struct{}
}

func watchHeap(cancel context.CancelFunc, limit uint64) *heapWatch {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	w := &heapWatch{cancel: cancel, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-tick.C:
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > base {
				growth := ms.HeapAlloc - base
				if growth > w.peak.Load() {
					w.peak.Store(growth)
				}
				if growth > limit {
					cancel()
				}
			}
		}
	}()
	return w
}

func (w *heapWatch) end() uint64 {
	close(w.stop)
	<-w.done
	return w.peak.Load()
}

// maxHeapGrowth is the generous bound on heap growth while Lull reads an
// endless CalDAV answer: several times what the caps (MaxDAVDiscoveryBytes,
// DefaultMaxSourceBytes) let through, far below the gigabytes an uncapped
// reader reaches.
const maxHeapGrowth = 160 << 20

// TestCalDAVEndlessAnswersAreCapped: an endless 207 multistatus during
// discovery (adding a calendar), during the calendar query (a sync) and an
// endless object during publishing each end with "too large", quickly and
// with bounded memory; the sync keeps the last good copy.
func TestCalDAVEndlessAnswersAreCapped(t *testing.T) {
	for _, tc := range []struct {
		op, method string
	}{
		{"add", "PROPFIND"},
		{"sync", "REPORT"},
		{"publish", http.MethodGet},
	} {
		t.Run(tc.op, func(t *testing.T) {
			env := newSourceEnv(t, SourceOptions{OperationTimeout: 2 * time.Minute})
			dav := newHostileDAV(t)
			dav.put("/alice/work/a.ics", foreignEvent("a@x", ""))
			var cfg SourceConfig
			if tc.op != "add" {
				var err error
				if cfg, err = env.st.AddCalDAVSource(context.Background(), dav.srv.URL+"/", "alice", "secret", ""); err != nil {
					t.Fatal(err)
				}
			}
			var pub *CalDAVPublisher
			if tc.op == "publish" {
				pub, _ = env.st.Publisher(cfg.ID)
				if err := pub.Put(context.Background(), testBlock("b1", 10, 1)); err != nil {
					t.Fatal(err)
				}
			}
			dav.turn(tc.method, "endless")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			watch := watchHeap(cancel, maxHeapGrowth)
			start := time.Now()
			var err error
			var data []byte
			switch tc.op {
			case "add":
				_, err = env.st.AddCalDAVSource(ctx, dav.srv.URL+"/", "alice", "secret", "")
			case "sync":
				src, _ := env.st.Source(cfg.ID)
				data, err = src.Fetch(ctx)
			case "publish":
				_, err = pub.Sync(ctx, []Block{testBlock("b1", 12, 1)})
			}
			took := time.Since(start)
			peak := watch.end()
			t.Logf("%s: %v after %v, heap grew by at most %d MB", tc.op, err, took.Round(time.Millisecond), peak>>20)
			if ctx.Err() != nil {
				t.Fatalf("the heap grew past %d MB: the answer was not capped", maxHeapGrowth>>20)
			}
			if !errors.Is(err, ErrSourceTooLarge) || !strings.Contains(err.Error(), "larger than the size limit") {
				t.Fatalf("err = %v, want ErrSourceTooLarge", err)
			}
			if tc.op == "sync" && !strings.Contains(string(data), "UID:a@x") {
				t.Error("the sync did not keep the last good copy")
			}
			if tc.op == "add" {
				if list, _ := env.st.ListSources(); len(list) != 0 {
					t.Error("a failed add stored a source")
				}
			}
		})
	}
}

// TestCalDAVOperationDeadline: a server that drips an endless answer is
// given up after the one deadline of the whole operation (add, sync,
// publish), injected short here, with an error that says so in words —
// not after each request's own longer limit.
func TestCalDAVOperationDeadline(t *testing.T) {
	for _, tc := range []struct {
		op, method string
	}{
		{"add", "PROPFIND"},
		{"sync", "REPORT"},
		{"publish", http.MethodGet},
	} {
		t.Run(tc.op, func(t *testing.T) {
			const deadline = 400 * time.Millisecond
			env := newSourceEnv(t, SourceOptions{OperationTimeout: deadline, Timeout: time.Minute})
			dav := newHostileDAV(t)
			dav.put("/alice/work/a.ics", foreignEvent("a@x", ""))
			var cfg SourceConfig
			var pub *CalDAVPublisher
			if tc.op != "add" {
				var err error
				if cfg, err = env.st.AddCalDAVSource(context.Background(), dav.srv.URL+"/", "alice", "secret", ""); err != nil {
					t.Fatal(err)
				}
				pub, _ = env.st.Publisher(cfg.ID)
				if err := pub.Put(context.Background(), testBlock("b1", 10, 1)); err != nil {
					t.Fatal(err)
				}
			}
			dav.turn(tc.method, "drip")
			start := time.Now()
			var err error
			var data []byte
			switch tc.op {
			case "add":
				_, err = env.st.AddCalDAVSource(context.Background(), dav.srv.URL+"/", "alice", "secret", "")
			case "sync":
				src, _ := env.st.Source(cfg.ID)
				data, err = src.Fetch(context.Background())
			case "publish":
				_, err = pub.Sync(context.Background(), []Block{testBlock("b1", 12, 1)})
			}
			took := time.Since(start)
			t.Logf("%s: %v after %v", tc.op, err, took.Round(time.Millisecond))
			if !errors.Is(err, ErrSourceTimeout) || !strings.Contains(err.Error(), "gave up after 0.4 seconds") {
				t.Fatalf("err = %v, want ErrSourceTimeout naming the limit", err)
			}
			// Generous for a loaded machine, far below the one-minute
			// per-request limit the operation deadline cuts short.
			if took > 20*time.Second {
				t.Fatalf("the operation took %v", took)
			}
			if tc.op == "sync" && !strings.Contains(string(data), "UID:a@x") {
				t.Error("the sync did not keep the last good copy")
			}
		})
	}
}
