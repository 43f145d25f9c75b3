package devsync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/radicaletest"
	"github.com/lullapp/lull/internal/store"
)

const (
	davUser     = radicaletest.User
	davPassword = radicaletest.Password
)

// radicale is a real CalDAV server on 127.0.0.1 for one test
// (radicaletest), with the calendar /alice/work/ made.
type radicale struct {
	base string
	hc   *http.Client
	// root is the storage's collection root (the files of every
	// collection, by path).
	root string
}

// startRadicale runs Radicale with one user and its calendar
// /alice/work/; it skips when Radicale is not installed.
func startRadicale(t testing.TB) *radicale {
	t.Helper()
	s := radicaletest.Start(t)
	r := &radicale{base: s.Base, hc: &http.Client{Timeout: 5 * time.Minute}, root: s.Root}
	s.MkCalendar(t, "/alice/work/")
	return r
}

// do sends one request as alice and returns the status and body.
func (r *radicale) do(t testing.TB, method, path, body string, hdr map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, r.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(davUser, davPassword)
	if body != "" {
		req.Header.Set("Content-Type", "text/calendar; charset=utf-8")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// memSecrets is calendar.Secrets in memory.
type memSecrets struct {
	mu sync.Mutex
	m  map[string]string
}

func (m *memSecrets) Get(k string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.m[k]
	if !ok {
		return "", calendar.ErrSecretNotFound
	}
	return v, nil
}
func (m *memSecrets) Set(k, v string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m[k] = v
	return nil
}
func (m *memSecrets) Delete(k string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, k)
	return nil
}

// switchable is a transport that fails while off (the device is offline)
// and answers MKCALENDAR with 403 when noMake (a server that does not let
// clients make calendars).
// It answers a collection-tag PROPFIND as a server without getctag
// (noCTag) or without either tag (noTag) would, and records the methods
// sent.
type switchable struct {
	off     atomic.Bool
	noMake  bool
	noCTag  atomic.Bool
	noTag   atomic.Bool
	reqs    atomic.Int64
	mu      sync.Mutex
	methods []string
}

func (s *switchable) RoundTrip(req *http.Request) (*http.Response, error) {
	if s.off.Load() {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("network is unreachable")}
	}
	s.reqs.Add(1)
	s.mu.Lock()
	s.methods = append(s.methods, req.Method)
	s.mu.Unlock()
	if s.noMake && req.Method == "MKCALENDAR" {
		return &http.Response{StatusCode: http.StatusForbidden, Body: io.NopCloser(strings.NewReader("")), Header: http.Header{}, Request: req}, nil
	}
	if req.Method == "PROPFIND" && req.Header.Get("Depth") == "0" && req.Body != nil {
		raw, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(raw))
		ctag, token := bytes.Contains(raw, []byte("getctag")), bytes.Contains(raw, []byte("sync-token"))
		if ctag && (s.noCTag.Load() || s.noTag.Load()) || token && s.noTag.Load() {
			body := `<?xml version="1.0"?><D:multistatus xmlns:D="DAV:"><D:response><D:href>` + req.URL.Path +
				`</D:href><D:propstat><D:prop><D:sync-token/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response></D:multistatus>`
			return &http.Response{StatusCode: http.StatusMultiStatus, Body: io.NopCloser(strings.NewReader(body)), Header: http.Header{}, Request: req}, nil
		}
	}
	return http.DefaultTransport.RoundTrip(req)
}

// sent returns the methods sent since the last call.
func (s *switchable) sent() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.methods
	s.methods = nil
	return out
}

// device is one Lull install: its own data file, its clock, its sync.
type device struct {
	name   string
	clk    *clock.Fake
	net    *switchable
	src    *calendar.SourceStore
	source string
	sy     *Syncer
	seq    int
}

func newDevice(t testing.TB, r *radicale, name string, start time.Time, noMake bool) *device {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "lull.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	d := &device{name: name, clk: clock.NewFake(start), net: &switchable{noMake: noMake}}
	d.src, err = calendar.NewSourceStore(db, &memSecrets{m: map[string]string{}}, d.clk,
		// Generous limits: the benchmark's cold Radicale takes long on its first query.
		calendar.SourceOptions{HTTPClient: &http.Client{Transport: d.net}, Timeout: 10 * time.Minute, OperationTimeout: 30 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := d.src.AddCalDAVSource(context.Background(), r.base+"/alice/work/", davUser, davPassword, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.src.SetSync(cfg.ID, true); err != nil {
		t.Fatal(err)
	}
	d.source = cfg.ID
	st, err := OpenStore(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Init(); err != nil {
		t.Fatal(err)
	}
	d.sy = New(st, d.src)
	return d
}

// session makes a finished local session of d.
func (d *device) session(start time.Time, length time.Duration, interruptions int) Session {
	d.seq++
	return Session{UID: SessionUID(d.sy.Store().DeviceID(), fmt.Sprintf("%04d", d.seq)), Start: start.UTC(),
		End: start.Add(length).UTC(), Interruptions: interruptions}
}

// sync runs one sync of d with sessions and a focus state.
func (d *device) sync(t testing.TB, sessions []Session, focusing bool, changed time.Time) (Result, error) {
	t.Helper()
	loc := Local{Source: d.source, DeviceName: d.name, Sessions: sessions, Focusing: focusing, Since: changed, Changed: changed}
	res, err := d.sy.Sync(context.Background(), loc, d.clk.Now())
	if err == nil && res.LogChanged {
		// As the service does: sync again at once, with every session.
		again, err := d.sy.Sync(context.Background(), loc, d.clk.Now())
		again.Written += res.Written
		again.Read += res.Read
		again.Requests += res.Requests
		again.LogChanged = true
		return again, err
	}
	return res, err
}

func mustSync(t testing.TB, d *device, sessions []Session) Result {
	t.Helper()
	res, err := d.sync(t, sessions, false, time.Time{})
	if err != nil {
		t.Fatalf("%s: sync: %v", d.name, err)
	}
	return res
}

var t0 = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

// logObjects returns the log calendar's objects on the server by href.
func logObjects(t *testing.T, d *device, path string) []calendar.DAVObject {
	t.Helper()
	dav, err := d.src.DAV(d.source)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := dav.Query(context.Background(), path, t0.AddDate(-1, 0, 0), t0.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func uids(ss []Session) []string {
	var out []string
	for _, s := range Merge(ss) {
		out = append(out, s.UID)
	}
	return out
}

func TestTwoDevicesShareTheLogOnce(t *testing.T) {
	r := startRadicale(t)
	a := newDevice(t, r, "laptop", t0, false)
	b := newDevice(t, r, "desktop", t0, false)
	var aSess, bSess []Session
	for i := 0; i < 5; i++ {
		aSess = append(aSess, a.session(t0.Add(time.Duration(i)*3*time.Hour), 50*time.Minute, i))
		bSess = append(bSess, b.session(t0.Add(time.Duration(i)*3*time.Hour+time.Hour), 40*time.Minute, 0))
	}
	a.clk.Advance(15 * time.Hour)
	b.clk.Advance(15 * time.Hour)
	if res := mustSync(t, a, aSess); res.Written != 6 {
		t.Errorf("a wrote %d objects, want 5 sessions + its state", res.Written)
	}
	mustSync(t, b, bSess)
	// Each sync after the first: nothing written twice, nothing read twice.
	for round := 0; round < 2; round++ {
		ra := mustSync(t, a, aSess)
		rb := mustSync(t, b, bSess)
		if round == 0 && ra.Read != 5 {
			t.Errorf("a read %d of b's sessions, want 5", ra.Read)
		}
		if round == 1 && (ra.Read != 0 || rb.Read != 0 || ra.Written != 0 || rb.Written != 0) {
			t.Errorf("quiet round: a read %d wrote %d, b read %d wrote %d; want none", ra.Read, ra.Written, rb.Read, rb.Written)
		}
	}
	gotA, _ := a.sy.Store().Remote(t0.AddDate(0, 0, -1), t0.AddDate(0, 0, 2))
	gotB, _ := b.sy.Store().Remote(t0.AddDate(0, 0, -1), t0.AddDate(0, 0, 2))
	if fmt.Sprint(uids(gotA)) != fmt.Sprint(uids(bSess)) || fmt.Sprint(uids(gotB)) != fmt.Sprint(uids(aSess)) {
		t.Errorf("a holds %v (want b's %v); b holds %v (want a's %v)", uids(gotA), uids(bSess), uids(gotB), uids(aSess))
	}
	for _, s := range gotB {
		if s.DeviceName != "laptop" || s.Minutes() != 50 {
			t.Errorf("b sees %+v, want laptop's 50-minute session", s)
		}
	}
	// One dedicated log calendar, found by the second device by name.
	st, _ := b.sy.Store().Status("desktop")
	if st.LogCalendar != LogCalendarName || st.Pending != 0 || st.LastError != "" || len(st.Devices) != 1 || st.Devices[0].Name != "laptop" || st.Devices[0].Sessions != 5 {
		t.Errorf("b's status = %+v", st)
	}
	objs := logObjects(t, a, "/alice/lull-focus-log/")
	if len(objs) != 12 {
		t.Errorf("log calendar holds %d objects, want 10 sessions + 2 states", len(objs))
	}
	for _, o := range objs {
		if !bytes.Contains(o.Data, []byte("TRANSP:TRANSPARENT")) {
			t.Errorf("%s is not transparent", o.Href)
		}
	}
}

func TestOfflineDayArrivesOnce(t *testing.T) {
	r := startRadicale(t)
	a := newDevice(t, r, "laptop", t0, false)
	b := newDevice(t, r, "desktop", t0, false)
	mustSync(t, a, nil)
	mustSync(t, b, nil)
	// A is offline for days: its sessions queue.
	a.net.off.Store(true)
	var day []Session
	for i := 0; i < 6; i++ {
		day = append(day, a.session(t0.Add(time.Duration(i)*time.Hour+time.Hour), 45*time.Minute, 1))
	}
	a.clk.Advance(10 * time.Hour)
	if _, err := a.sync(t, day, false, time.Time{}); err == nil {
		t.Fatal("sync while offline succeeded")
	}
	st, _ := a.sy.Store().Status("laptop")
	if st.Pending != 6 || st.LastError == "" || strings.Contains(st.LastError, davPassword) {
		t.Errorf("offline status = %+v, want 6 pending and an error without the password", st)
	}
	// B keeps syncing for five days, so A's day falls before its routine
	// read window.
	for i := 0; i < 5; i++ {
		b.clk.Advance(24 * time.Hour)
		mustSync(t, b, nil)
	}
	a.clk.Advance(5 * 24 * time.Hour)
	a.net.off.Store(false)
	if res := mustSync(t, a, day); res.Written != 7 {
		t.Errorf("back online a wrote %d objects, want 6 sessions + state", res.Written)
	}
	b.clk.Advance(time.Minute)
	res := mustSync(t, b, nil)
	if res.Read != 6 {
		t.Errorf("b read %d sessions, want 6 (backfill past its read window)", res.Read)
	}
	if res := mustSync(t, a, day); res.Written != 0 {
		t.Errorf("second sync wrote %d, want nothing", res.Written)
	}
	got, _ := b.sy.Store().Remote(t0.AddDate(0, 0, -1), t0.AddDate(0, 0, 10))
	if fmt.Sprint(uids(got)) != fmt.Sprint(uids(day)) {
		t.Errorf("b holds %v, want %v", uids(got), uids(day))
	}
	if n := len(logObjects(t, a, "/alice/lull-focus-log/")); n != 8 {
		t.Errorf("log holds %d objects, want 6 sessions + 2 states", n)
	}
}

// A write whose answer was lost (the session is on the server, the device
// does not know): the replay gets 412, reads it back, adopts it.
func TestLostAnswerIsAdoptedNotDuplicated(t *testing.T) {
	r := startRadicale(t)
	a := newDevice(t, r, "laptop", t0, false)
	s := a.session(t0, time.Hour, 0)
	a.clk.Advance(2 * time.Hour)
	mustSync(t, a, []Session{s})
	// Forget the write, as if the answer had never come.
	if err := a.sy.st.db.Update(func(tx *bolt.Tx) error { return bk(tx, sentBucket).Delete([]byte(s.UID)) }); err != nil {
		t.Fatal(err)
	}
	res := mustSync(t, a, []Session{s})
	if res.Written > 1 || a.sy.Store().Pending() != 0 {
		t.Errorf("replay wrote %d, %d pending; want the object adopted (only the state rewritten)", res.Written, a.sy.Store().Pending())
	}
	if n := len(logObjects(t, a, "/alice/lull-focus-log/")); n != 2 {
		t.Errorf("log holds %d objects, want the session once + state", n)
	}
}

// The state event changed behind the device's back (another client
// touched it): the If-Match write fails with 412, the device reads it
// again and writes its state at the new ETag; a foreign object where a
// session would go is never overwritten and the session stays queued.
func TestConflictsNeverOverwriteOthers(t *testing.T) {
	r := startRadicale(t)
	a := newDevice(t, r, "laptop", t0, false)
	b := newDevice(t, r, "desktop", t0, false)
	mustSync(t, a, nil)
	mustSync(t, b, nil)
	href := "/alice/lull-focus-log/" + stateUID(a.sy.Store().DeviceID()) + ".ics"
	_, body := r.do(t, "GET", href, "", nil)
	touched := strings.Replace(body, "DTSTAMP:", "X-TOUCHED:1\r\nDTSTAMP:", 1)
	if code, _ := r.do(t, "PUT", href, touched, nil); code/100 != 2 {
		t.Fatalf("touch: %d", code)
	}
	// A foreign event sits where A's next session goes.
	s := a.session(t0.Add(time.Hour), time.Hour, 0)
	foreign := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\nUID:" + s.UID + "\r\nDTSTAMP:20261130T080000Z\r\n" +
		"DTSTART:20261130T100000Z\r\nDTEND:20261130T110000Z\r\nSUMMARY:Someone else's\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	fhref := "/alice/lull-focus-log/" + s.UID + ".ics"
	if code, _ := r.do(t, "PUT", fhref, foreign, nil); code/100 != 2 {
		t.Fatalf("foreign: %d", code)
	}
	_, foreignStored := r.do(t, "GET", fhref, "", nil)
	s2 := a.session(t0.Add(3*time.Hour), time.Hour, 2)
	a.clk.Advance(5 * time.Hour)
	res, err := a.sync(t, []Session{s, s2}, true, a.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if res.Written != 2 {
		t.Errorf("a wrote %d, want s2 and its state", res.Written)
	}
	if _, after := r.do(t, "GET", fhref, "", nil); after != foreignStored {
		t.Errorf("the foreign object changed:\n%s", after)
	}
	_, state := r.do(t, "GET", href, "", nil)
	if !strings.Contains(state, "X-LULL-STATE:focusing") {
		t.Errorf("a's state was not written after the 412:\n%s", state)
	}
	st, _ := a.sy.Store().Status("laptop")
	if st.Held != 1 || st.Pending != 0 {
		t.Errorf("status = %+v, want the refused session held (not lost, not pending)", st)
	}
	// B sees the new state and s2, and follows the focus.
	b.clk.Advance(5 * time.Hour)
	rb, err := b.sync(t, nil, false, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if rb.Read != 1 || rb.Follow == nil || !rb.Follow.Focusing || rb.Follow.DeviceName != "laptop" {
		t.Errorf("b: read %d, follow %+v; want s2 and laptop's focus", rb.Read, rb.Follow)
	}
	// B's own change after that is newer: nothing to follow (no echo).
	b.clk.Advance(time.Minute)
	if rb, err := b.sync(t, nil, true, b.clk.Now()); err != nil || rb.Follow != nil {
		t.Errorf("b after its own newer change: follow %+v, %v; want none", rb.Follow, err)
	}
}

// Without MKCALENDAR the log lives in the synced calendar as transparent
// events, and the calendar's 200 other events stay byte-identical.
func TestFallbackToSyncedCalendar(t *testing.T) {
	r := startRadicale(t)
	// The 200 foreign events of the publisher's guarantee, now in the
	// calendar the log falls back to.
	var foreign []string
	for i := 0; i < 200; i++ {
		obj := fmt.Sprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\nUID:f%d@x\r\nDTSTAMP:20261130T080000Z\r\n"+
			"DTSTART:20261130T%02d0000Z\r\nDTEND:20261130T%02d3000Z\r\nSUMMARY:Meeting %d\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", i, i%20, i%20, i)
		r.do(t, "PUT", fmt.Sprintf("/alice/work/f%d.ics", i), obj, map[string]string{"If-None-Match": "*"})
		_, stored := r.do(t, "GET", fmt.Sprintf("/alice/work/f%d.ics", i), "", nil)
		foreign = append(foreign, stored)
	}
	a := newDevice(t, r, "laptop", t0, true)
	b := newDevice(t, r, "desktop", t0, true)
	s := a.session(t0, time.Hour, 0)
	a.clk.Advance(2 * time.Hour)
	mustSync(t, a, []Session{s})
	b.clk.Advance(2 * time.Hour)
	if res := mustSync(t, b, nil); res.Read != 1 {
		t.Errorf("b read %d sessions, want 1", res.Read)
	}
	st, _ := a.sy.Store().Status("laptop")
	if st.LogCalendar == LogCalendarName {
		t.Errorf("status says %q, want the synced calendar", st.LogCalendar)
	}
	_, got := r.do(t, "GET", "/alice/work/"+s.UID+".ics", "", nil)
	if !strings.Contains(got, "TRANSP:TRANSPARENT") || !strings.Contains(got, "X-LULL-MINUTES:60") || !strings.Contains(got, "X-LULL-DEVICE-NAME:laptop") {
		t.Errorf("session event:\n%s", got)
	}
	for i, want := range foreign {
		if _, after := r.do(t, "GET", fmt.Sprintf("/alice/work/f%d.ics", i), "", nil); after != want {
			t.Errorf("foreign event %d changed", i)
		}
	}
}

// TestQuietPollIsOneTagRead: with nothing to write and nothing new on the
// server, a sync is one small PROPFIND of the log calendar's tag, no
// query; a change by another device (its focus starting) changes the tag,
// so the next sync reads it and follows. A server without collection tags
// is read every time.
func TestQuietPollIsOneTagRead(t *testing.T) {
	r := startRadicale(t)
	a := newDevice(t, r, "laptop", t0, false)
	b := newDevice(t, r, "desktop", t0, false)
	mustSync(t, a, nil)
	mustSync(t, b, nil)
	mustSync(t, a, nil) // reads b's first state
	a.net.sent()
	for round := 0; round < 3; round++ {
		a.clk.Advance(Period)
		res := mustSync(t, a, nil)
		if got := a.net.sent(); fmt.Sprint(got) != "[PROPFIND]" || res.Requests != 1 || res.Follow != nil {
			t.Fatalf("quiet round %d: sent %v (%d requests), follow %+v; want one PROPFIND", round, got, res.Requests, res.Follow)
		}
	}
	b.clk.Advance(Period)
	started := b.clk.Now()
	if _, err := b.sync(t, nil, true, started); err != nil {
		t.Fatal(err)
	}
	a.clk.Advance(Period)
	res := mustSync(t, a, nil)
	if got := a.net.sent(); len(got) != 2 || got[0] != "PROPFIND" || got[1] != "REPORT" {
		t.Errorf("after b's change a sent %v, want PROPFIND then REPORT", got)
	}
	if res.Follow == nil || !res.Follow.Focusing || !res.Follow.Changed.Equal(started) || res.Follow.DeviceName != "desktop" {
		t.Errorf("a follows %+v, want desktop's focus from %v", res.Follow, started)
	}
	// Without getctag the sync-token serves: the first sync reads (the
	// tag's kind changed), the next ones do not.
	a.net.noCTag.Store(true)
	for round, want := range []string{"[PROPFIND PROPFIND REPORT]", "[PROPFIND PROPFIND]", "[PROPFIND PROPFIND]"} {
		a.clk.Advance(Period)
		mustSync(t, a, nil)
		if got := a.net.sent(); fmt.Sprint(got) != want {
			t.Errorf("with only a sync-token, round %d sent %v, want %s", round, got, want)
		}
	}
	// Without tags every sync reads.
	a.net.noTag.Store(true)
	for round := 0; round < 2; round++ {
		a.clk.Advance(Period)
		mustSync(t, a, nil)
		if got := a.net.sent(); fmt.Sprint(got) != "[PROPFIND PROPFIND REPORT]" {
			t.Errorf("without tags, round %d sent %v, want two PROPFINDs then REPORT", round, got)
		}
	}
}
