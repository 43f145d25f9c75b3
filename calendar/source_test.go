package calendar

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
	bolt "go.etcd.io/bbolt"

	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/store"
)

const sampleICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" +
	"BEGIN:VEVENT\r\nUID:m1@example.com\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261123T100000Z\r\nDTEND:20261123T110000Z\r\nSUMMARY:Standup\r\nEND:VEVENT\r\n" +
	"END:VCALENDAR\r\n"

var testNow = time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)

type sourceEnv struct {
	st  *SourceStore
	db  *store.DB
	clk *clock.Fake
}

// newSourceEnv opens a fresh database and a SourceStore over the mock
// keyring.
func newSourceEnv(t *testing.T, opts SourceOptions) *sourceEnv {
	t.Helper()
	keyring.MockInit()
	db, err := store.Open(filepath.Join(t.TempDir(), "lull.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clk := clock.NewFake(testNow)
	st, err := NewSourceStore(db, Keyring{}, clk, opts)
	if err != nil {
		t.Fatal(err)
	}
	return &sourceEnv{st: st, db: db, clk: clk}
}

func TestFileSourceRereadsOnlyWhenChanged(t *testing.T) {
	env := newSourceEnv(t, SourceOptions{})
	path := filepath.Join(t.TempDir(), "Team Calendar.ics")
	if err := os.WriteFile(path, []byte(sampleICS), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := env.st.AddFileSource(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ID != "team-calendar" || cfg.Name != "Team Calendar" || cfg.Kind != SourceFile || cfg.Path != path {
		t.Fatalf("config = %+v", cfg)
	}
	src, err := env.st.Source(cfg.ID)
	if err != nil {
		t.Fatal(err)
	}
	data, err := src.Fetch(context.Background())
	if err != nil || string(data) != sampleICS {
		t.Fatalf("Fetch = %q, %v", data, err)
	}

	// Same size and mtime: the file is not re-read (its new bytes are not seen).
	info, _ := os.Stat(path)
	sameSize := strings.Replace(sampleICS, "Standup", "Standu2", 1)
	if err := os.WriteFile(path, []byte(sameSize), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, info.ModTime(), info.ModTime()); err != nil {
		t.Fatal(err)
	}
	if data, _ := src.Fetch(context.Background()); string(data) != sampleICS {
		t.Fatalf("unchanged size+mtime was re-read: %q", data)
	}
	// A new mtime: re-read.
	if err := os.Chtimes(path, info.ModTime().Add(time.Second), info.ModTime().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if data, _ := src.Fetch(context.Background()); string(data) != sameSize {
		t.Fatalf("changed file not re-read: %q", data)
	}

	// The file goes away: last good copy with a stale status.
	env.clk.Advance(time.Hour)
	os.Remove(path)
	data, err = src.Fetch(context.Background())
	var stale *StaleError
	if !errors.As(err, &stale) || !errors.Is(err, ErrSourceStale) || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Fetch of a removed file: err = %v, want a StaleError wrapping ErrNotExist", err)
	}
	if string(data) != sameSize {
		t.Fatalf("stale data = %q", data)
	}
	st, _ := src.Status()
	if !st.Stale() || !st.StaleSince.Equal(testNow.Add(time.Hour)) || !strings.HasSuffix(st.Describe(testNow.Add(time.Hour), time.UTC), "— last good copy from 08:00 in use") {
		t.Fatalf("status = %+v (%s)", st, st.Describe(testNow.Add(time.Hour), time.UTC))
	}
	// Back again: fresh.
	os.WriteFile(path, []byte(sampleICS), 0o644)
	if _, err := src.Fetch(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st, _ := src.Status(); st.Stale() || st.LastError != "" || !strings.HasSuffix(st.Describe(testNow.Add(time.Hour), time.UTC), "updated 09:00") {
		t.Fatalf("status after recovery = %+v", st)
	}
}

func TestAddFileSourceErrors(t *testing.T) {
	env := newSourceEnv(t, SourceOptions{MaxBytes: 100})
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.ics")
	os.WriteFile(empty, []byte("\n  \n"), 0o644)
	big := filepath.Join(dir, "big.ics")
	os.WriteFile(big, bytes.Repeat([]byte("X"), 101), 0o644)
	tests := []struct {
		path string
		want error
	}{
		{filepath.Join(dir, "missing.ics"), os.ErrNotExist},
		{empty, ErrBadSource},
		{big, ErrSourceTooLarge},
		{dir, ErrBadSource},
	}
	for _, tt := range tests {
		_, err := env.st.AddFileSource(tt.path, "")
		if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.path) {
			t.Errorf("AddFileSource(%s) = %v, want %v naming the file", tt.path, err, tt.want)
		}
	}
	if list, _ := env.st.ListSources(); len(list) != 0 {
		t.Fatalf("failed adds left sources: %+v", list)
	}
}

// feedServer serves sampleICS with an ETag and/or Last-Modified and counts
// full and not-modified answers.
type feedServer struct {
	srv          *httptest.Server
	full, notMod atomic.Int32
	etag         string
	lastModified string
	lastHeaders  atomic.Value
}

func newFeedServer(t *testing.T, etag, lastModified string) *feedServer {
	f := &feedServer{etag: etag, lastModified: lastModified}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.lastHeaders.Store(r.Header.Clone())
		if r.URL.Path != "/private/s3cr3t-token/basic.ics" || r.URL.Query().Get("key") != "k3y" {
			http.NotFound(w, r)
			return
		}
		if (f.etag != "" && r.Header.Get("If-None-Match") == f.etag) ||
			(f.lastModified != "" && r.Header.Get("If-Modified-Since") == f.lastModified) {
			f.notMod.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if f.etag != "" {
			w.Header().Set("ETag", f.etag)
		}
		if f.lastModified != "" {
			w.Header().Set("Last-Modified", f.lastModified)
		}
		f.full.Add(1)
		w.Header().Set("Content-Type", "text/calendar")
		w.Write([]byte(sampleICS))
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *feedServer) secretURL() string { return f.srv.URL + "/private/s3cr3t-token/basic.ics?key=k3y" }

func TestURLSourceConditionalGet(t *testing.T) {
	for _, tt := range []struct {
		name, etag, lastMod, header string
	}{
		{"etag", `"v1"`, "", "If-None-Match"},
		{"last-modified", "", "Sun, 22 Nov 2026 07:00:00 GMT", "If-Modified-Since"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := newSourceEnv(t, SourceOptions{})
			feed := newFeedServer(t, tt.etag, tt.lastMod)
			cfg, err := env.st.AddURLSource(context.Background(), feed.secretURL(), "")
			if err != nil {
				t.Fatal(err)
			}
			src, _ := env.st.Source(cfg.ID)
			for i := 0; i < 3; i++ {
				data, err := src.Fetch(context.Background())
				if err != nil || string(data) != sampleICS {
					t.Fatalf("fetch %d = %q, %v", i, data, err)
				}
			}
			if feed.full.Load() != 1 || feed.notMod.Load() != 3 {
				t.Fatalf("full=%d notModified=%d, want 1 and 3", feed.full.Load(), feed.notMod.Load())
			}
			if h := feed.lastHeaders.Load().(http.Header).Get(tt.header); h == "" {
				t.Fatalf("no %s header sent", tt.header)
			}
		})
	}
}

func TestURLSourceSizeCap(t *testing.T) {
	for _, chunked := range []bool{false, true} {
		env := newSourceEnv(t, SourceOptions{MaxBytes: 1024})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body := bytes.Repeat([]byte("X"), 4096)
			if chunked {
				w.Write(body[:10])
				w.(http.Flusher).Flush() // forces chunked encoding: no Content-Length
				w.Write(body[10:])
				return
			}
			w.Write(body)
		}))
		_, err := env.st.AddURLSource(context.Background(), srv.URL+"/big.ics", "")
		srv.Close()
		if !errors.Is(err, ErrSourceTooLarge) || !strings.Contains(err.Error(), "larger than the size limit") {
			t.Errorf("chunked=%v: err = %v, want ErrSourceTooLarge", chunked, err)
		}
	}
}

func TestURLSourceTimeout(t *testing.T) {
	env := newSourceEnv(t, SourceOptions{Timeout: 50 * time.Millisecond})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer srv.Close()
	start := time.Now()
	_, err := env.st.AddURLSource(context.Background(), srv.URL+"/slow/secret-path.ics", "")
	if !errors.Is(err, ErrSourceTimeout) {
		t.Fatalf("err = %v, want ErrSourceTimeout", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("timeout took %v", d)
	}
	if strings.Contains(err.Error(), "secret-path") {
		t.Fatalf("error leaks the URL path: %v", err)
	}
}

func TestURLSourceStatusErrors(t *testing.T) {
	tests := []struct {
		code int
		want error
	}{
		{http.StatusUnauthorized, ErrSourceAuth},
		{http.StatusForbidden, ErrSourceAuth},
		{http.StatusNotFound, ErrSourceNotFound},
		{http.StatusGone, ErrSourceNotFound},
		{http.StatusInternalServerError, ErrSourceHTTP},
		{http.StatusBadGateway, ErrSourceHTTP},
		{http.StatusTooManyRequests, ErrSourceHTTP},
		{http.StatusTeapot, ErrSourceHTTP},
	}
	for _, tt := range tests {
		env := newSourceEnv(t, SourceOptions{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(tt.code) }))
		_, err := env.st.AddURLSource(context.Background(), srv.URL+"/x.ics", "")
		srv.Close()
		if !errors.Is(err, tt.want) {
			t.Errorf("HTTP %d: err = %v, want %v", tt.code, err, tt.want)
		}
		// People read these: no status code, no HTTP jargon.
		if msg := err.Error(); strings.Contains(msg, strconv.Itoa(tt.code)) || strings.Contains(msg, "HTTP") || strings.Contains(msg, http.StatusText(tt.code)) {
			t.Errorf("HTTP %d: %q speaks HTTP to the user", tt.code, msg)
		}
	}
}

// TestCalDAVStatusErrorsInWords: a CalDAV server that fails a request
// with an error status is told in words too (go-webdav's own error reads
// "500 Internal Server Error").
func TestCalDAVStatusErrorsInWords(t *testing.T) {
	for _, code := range []int{http.StatusInternalServerError, http.StatusServiceUnavailable, http.StatusBadRequest} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) }))
		hc := &davHTTP{hc: srv.Client(), timeout: time.Second, maxBytes: MaxDAVDiscoveryBytes}
		req, _ := http.NewRequest("PROPFIND", srv.URL, nil)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		err = davErr(hc, fmt.Errorf("%d %s", code, http.StatusText(code)))
		srv.Close()
		if !errors.Is(err, ErrSourceHTTP) || strings.Contains(err.Error(), strconv.Itoa(code)) {
			t.Errorf("HTTP %d: %v, want ErrSourceHTTP in words", code, err)
		}
	}
}

// TestURLSourceStaleAndRedacted covers the failure path end to end: the
// server goes down, Fetch returns the cached copy with a "stale since"
// status, and the secret URL appears nowhere: not in errors, status,
// config, the bbolt file or ListSources.
func TestURLSourceStaleAndRedacted(t *testing.T) {
	env := newSourceEnv(t, SourceOptions{})
	feed := newFeedServer(t, `"v1"`, "")
	secretURL := feed.secretURL()
	cfg, err := env.st.AddURLSource(context.Background(), strings.Replace(secretURL, "http://", "http://", 1), "Team")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Host != feed.srv.URL {
		t.Fatalf("config host = %q, want %q", cfg.Host, feed.srv.URL)
	}
	if v, err := (Keyring{}).Get(secretURLKey(cfg.ID)); err != nil || v != secretURL {
		t.Fatalf("keyring holds %q, %v", v, err)
	}
	src, _ := env.st.Source(cfg.ID)
	feed.srv.Close() // server down
	env.clk.Advance(30 * time.Minute)
	data, err := src.Fetch(context.Background())
	if string(data) != sampleICS {
		t.Fatalf("stale data = %q", data)
	}
	var stale *StaleError
	if !errors.As(err, &stale) || !errors.Is(err, ErrSourceUnreachable) || !stale.Since.Equal(testNow.Add(30*time.Minute)) {
		t.Fatalf("err = %#v", err)
	}
	env.clk.Advance(30 * time.Minute)
	_, err2 := src.Fetch(context.Background())
	st, _ := src.Status()
	if !st.StaleSince.Equal(testNow.Add(30*time.Minute)) || !st.LastAttempt.Equal(testNow.Add(time.Hour)) || !st.HasData {
		t.Fatalf("status = %+v: stale-since must stay at the first failure", st)
	}
	line := st.Describe(testNow.Add(time.Hour), time.UTC)
	if !strings.HasPrefix(line, "error: ") || !strings.HasSuffix(line, "— last good copy from 08:00 in use") {
		t.Fatalf("status line = %q", line)
	}
	list, _ := env.st.ListSources()
	env.db.Close()
	raw, _ := os.ReadFile(env.db.Path())
	for _, where := range []struct{ name, text string }{
		{"fetch error", err.Error()}, {"second fetch error", err2.Error()}, {"status", line},
		{"list", strings.Join([]string{list[0].Config.Host, list[0].Config.Name, list[0].Status.LastError}, " ")},
		{"bbolt file", string(raw)},
	} {
		for _, leak := range []string{"s3cr3t", "k3y", "/private/"} {
			if strings.Contains(where.text, leak) {
				t.Errorf("%s contains %q", where.name, leak)
			}
		}
	}
	if !bytes.Contains(raw, []byte("Standup")) {
		t.Error("the bbolt file does not hold the cached calendar (test would prove nothing)")
	}
}

func TestURLSourceNoCacheNoData(t *testing.T) {
	env := newSourceEnv(t, SourceOptions{})
	feed := newFeedServer(t, "", "")
	cfg, err := env.st.AddURLSource(context.Background(), feed.secretURL(), "")
	if err != nil {
		t.Fatal(err)
	}
	// Drop the cache, then fail: no data, a plain error, status "failing".
	env.st.updateSource(cfg.ID, func(b *bolt.Bucket) error { return b.Delete(srcKeyData) })
	feed.srv.Close()
	src, _ := env.st.Source(cfg.ID)
	data, err := src.Fetch(context.Background())
	if data != nil || err == nil || errors.Is(err, ErrSourceStale) {
		t.Fatalf("Fetch = %q, %v", data, err)
	}
	if st, _ := src.Status(); !strings.HasSuffix(st.Describe(testNow, time.UTC), "— no copy to use yet") {
		t.Fatalf("status = %s", st.Describe(testNow, time.UTC))
	}
}

func TestWebcalBecomesHTTPS(t *testing.T) {
	tests := []struct {
		in, want string
		err      error
	}{
		{"webcal://example.com/a.ics", "https://example.com/a.ics", nil},
		{" WEBCAL://example.com/a.ics ", "https://example.com/a.ics", nil},
		{"webcals://example.com/a.ics", "https://example.com/a.ics", nil},
		{"http://example.com/a.ics", "http://example.com/a.ics", nil},
		{"ftp://example.com/a.ics", "", ErrBadSource},
		{"file:///etc/passwd", "", ErrBadSource},
		{"https:///nohost", "", ErrBadSource},
	}
	for _, tt := range tests {
		u, err := normalizeCalendarURL(tt.in)
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("%q: err = %v, want %v", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || u.String() != tt.want {
			t.Errorf("%q = %v, %v; want %q", tt.in, u, err, tt.want)
		}
	}
}

func TestRemoveSourceDeletesSecrets(t *testing.T) {
	env := newSourceEnv(t, SourceOptions{})
	feed := newFeedServer(t, "", "")
	a, err := env.st.AddURLSource(context.Background(), feed.secretURL(), "Same")
	if err != nil {
		t.Fatal(err)
	}
	b, err := env.st.AddURLSource(context.Background(), feed.secretURL(), "Same")
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != "same" || b.ID != "same-2" {
		t.Fatalf("IDs = %q, %q", a.ID, b.ID)
	}
	if err := env.st.RemoveSource(a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := (Keyring{}).Get(secretURLKey(a.ID)); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("secret of the removed source still there: %v", err)
	}
	if _, err := (Keyring{}).Get(secretURLKey(b.ID)); err != nil {
		t.Fatalf("secret of the other source gone: %v", err)
	}
	list, _ := env.st.ListSources()
	if len(list) != 1 || list[0].Config.ID != b.ID {
		t.Fatalf("list = %+v", list)
	}
	if err := env.st.RemoveSource(a.ID); !errors.Is(err, ErrNoSuchSource) {
		t.Fatalf("second remove: %v", err)
	}
}

// TestSourceStatusDescribe: each state of a source in words, times in the
// user's zone (never UTC stamps): not read, events and problems, no events,
// failing with and without a last good copy.
func TestSourceStatusDescribe(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 5, 16, 0, 0, 0, time.UTC)  // 17:00 in Berlin
	good := time.Date(2026, 12, 3, 13, 5, 0, 0, time.UTC) // 14:05 in Berlin
	today := time.Date(2026, 12, 5, 8, 30, 0, 0, time.UTC)
	ok := func(events int, problems ...string) SourceStatus {
		return SourceStatus{LastAttempt: today, LastSuccess: today, HasData: true, Read: today,
			Events: events, ProblemCount: len(problems), Problems: problems}
	}
	failing := SourceStatus{LastAttempt: now, LastSuccess: good, StaleSince: now.Add(-time.Hour), HasData: true,
		LastError: "the address returned a web page, not a calendar", Read: good, Events: 12}
	tests := []struct {
		name      string
		st        SourceStatus
		want      string
		attention bool
	}{
		{"never fetched", SourceStatus{}, "not read yet", false},
		{"fetched, not read", SourceStatus{LastAttempt: good, LastSuccess: good, HasData: true}, "not counted yet · updated 3 Dec 14:05", false},
		{"events", ok(12), "12 events · updated 09:30", false},
		{"one event", ok(1), "1 event · updated 09:30", false},
		{"events and problems", ok(12, "line 40: no DTSTART", "line 77: bad RRULE"),
			"12 events, 2 problems (first: line 40: no DTSTART) · updated 09:30", true},
		{"no events", ok(0), "no events read · updated 09:30", true},
		{"only problems", ok(0, "line 3: no DTSTART"), "no events read, 1 problem (first: line 3: no DTSTART) · updated 09:30", true},
		{"failing with a copy", failing,
			"error: the address returned a web page, not a calendar — last good copy from 3 Dec 14:05 in use (12 events)", true},
		{"failing, no copy", SourceStatus{LastAttempt: now, StaleSince: now, LastError: "the server could not be reached"},
			"error: the server could not be reached — no copy to use yet", true},
		{"copy from last year", SourceStatus{LastAttempt: now, LastSuccess: good.AddDate(-1, 0, 0), StaleSince: now, HasData: true, LastError: "down"},
			"error: down — last good copy from 3 Dec 2025 14:05 in use", true},
	}
	for _, tt := range tests {
		if got := tt.st.Describe(now, berlin); got != tt.want {
			t.Errorf("%s:\n got  %q\n want %q", tt.name, got, tt.want)
		}
		if got := tt.st.NeedsAttention(); got != tt.attention {
			t.Errorf("%s: NeedsAttention = %v, want %v", tt.name, got, tt.attention)
		}
	}
}

func TestAddURLSourceKeyringFailureStoresNothing(t *testing.T) {
	env := newSourceEnv(t, SourceOptions{})
	feed := newFeedServer(t, "", "")
	keyring.MockInitWithError(errors.New("secret service is locked"))
	t.Cleanup(keyring.MockInit)
	_, err := env.st.AddURLSource(context.Background(), feed.secretURL(), "")
	if err == nil || !strings.Contains(err.Error(), "locked") || strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("err = %v", err)
	}
	if list, _ := env.st.ListSources(); len(list) != 0 {
		t.Fatalf("a source without its URL was stored: %+v", list)
	}
}

func TestFetchCancelledIsNotStale(t *testing.T) {
	env := newSourceEnv(t, SourceOptions{})
	feed := newFeedServer(t, "", "")
	cfg, err := env.st.AddURLSource(context.Background(), feed.secretURL(), "")
	if err != nil {
		t.Fatal(err)
	}
	src, _ := env.st.Source(cfg.ID)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := src.Fetch(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if st, _ := src.Status(); st.Stale() {
		t.Fatalf("a cancelled fetch marked the source stale: %+v", st)
	}
}
