package notify

import (
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/fake"
	"github.com/lullapp/lull/internal/store"
)

// MustOpen opens a fresh database in t.TempDir and closes it at cleanup.
func MustOpen(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "lull.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// failPlain answers a Handler error for tests that only count 201s (the
// app answers with internal/api's error table): 500 with the message.
func failPlain(w http.ResponseWriter, err error) {
	http.Error(w, err.Error(), http.StatusInternalServerError)
}

// fakeFocus is a settable FocusState.
type fakeFocus struct {
	mu    sync.Mutex
	on    bool
	until time.Time
}

func (f *fakeFocus) Focusing() (bool, time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.on, f.until
}

func (f *fakeFocus) set(on bool, until time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.on, f.until = on, until
}

// recorder records everything the Service does to the outside world, in
// order, as one event log. Its Sender (the shared test fake) keeps the
// messages shown; make one with newRecorder.
type recorder struct {
	fake.Sender[Message]
	mu     sync.Mutex
	events []string
	ints   []Interruption
}

func newRecorder() *recorder {
	r := &recorder{}
	r.OnSend = func(m Message) { r.add("send " + m.Title + " | " + m.Body) }
	return r
}

func (r *recorder) add(e string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) RecordInterruption(i Interruption) {
	r.mu.Lock()
	r.ints = append(r.ints, i)
	r.mu.Unlock()
	r.add("interruption " + i.Source + ": " + i.Reason)
}

func (r *recorder) CloseNotification(id uint32) error {
	r.add(fmt.Sprintf("close %d", id))
	return nil
}

func (r *recorder) log() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

// recDND is a DND that records into the recorder.
type recDND struct {
	r        *recorder
	critical bool
}

func (d recDND) Name() string        { return "rec" }
func (d recDND) Enter() error        { d.r.add("dnd enter"); return nil }
func (d recDND) Leave() error        { d.r.add("dnd leave"); return nil }
func (d recDND) HidesCritical() bool { return d.critical }

// mon is Monday 23 November 2026, 08:00 UTC.
var mon = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

type rig struct {
	svc   *Service
	clk   *clock.Fake
	focus *fakeFocus
	rec   *recorder
	db    *store.DB
}

func newRig(t *testing.T, start time.Time, cfg Config, dndHidesCritical bool) *rig {
	t.Helper()
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	db := MustOpen(t)
	r := &rig{clk: clock.NewFake(start), focus: &fakeFocus{}, rec: newRecorder(), db: db}
	svc, err := New(Deps{DB: db, Clock: r.clk, Focus: r.focus, Interruptions: r.rec, Sender: r.rec,
		DND: recDND{r.rec, dndHidesCritical}, Closer: r.rec, Logf: t.Logf}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	r.svc = svc
	return r
}

func (r *rig) submit(t *testing.T, ns ...Notification) []Result {
	t.Helper()
	res, err := r.svc.Submit(t.Context(), ns)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func apiN(source, title string) Notification {
	return Notification{Source: source, Title: title, Priority: PriorityNormal, Origin: OriginAPI, Urgency: UrgencyNormal}
}

func deskN(app, title string, urgency Urgency, serverID uint32) Notification {
	return Notification{Source: app, App: app, Title: title, Priority: PriorityNormal, Origin: OriginDesktop, Urgency: urgency, ServerID: serverID}
}
