package service

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/fake"
	"github.com/lullapp/lull/notify"
)

// logs collects what a service logs.
type logs struct {
	mu    sync.Mutex
	lines []string
}

func (l *logs) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// startStreaming runs a service with its API in dir (the same dir again
// is a restart), with a short heartbeat, logging into l.
func startStreaming(t *testing.T, dir string, l *logs, heartbeat time.Duration) *Service {
	t.Helper()
	keyring.MockInit()
	svc, err := Start(context.Background(), Options{
		DataOptions:    DataOptions{Dir: dir, Clock: clock.NewFake(monday)},
		Version:        "test",
		Sender:         &recorder{},
		TokenKeyring:   &fake.Keyring{},
		SyncInterval:   -1,
		EventHeartbeat: heartbeat,
		Logf:           l.logf,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close() })
	return svc
}

// next returns the next event of ch that is not a heartbeat-free filler,
// failing after a generous wait.
func next(t *testing.T, ch <-chan api.Event) api.Event {
	t.Helper()
	select {
	case e, ok := <-ch:
		if !ok {
			t.Fatal("the event stream ended")
		}
		return e
	case <-time.After(30 * time.Second):
		t.Fatal("no event within 30 s")
	}
	return api.Event{}
}

func submit(t *testing.T, svc *Service, title string) {
	t.Helper()
	ns := []notify.Notification{{Source: "ci", Title: title, Priority: notify.PriorityNormal, Origin: notify.OriginAPI}}
	if _, err := svc.Submitter().Submit(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
}

// TestEventsArriveInOrder: GET /v1/events starts with the state, then
// carries the service's events in the order they happened, with the focus
// state and the held count where they belong.
func TestEventsArriveInOrder(t *testing.T) {
	var l logs
	svc := startStreaming(t, t.TempDir(), &l, time.Hour)
	submit(t, svc, "before")
	ch, err := apiClient(t, svc).Events(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if e := next(t, ch); e.Kind != api.EventConnected || e.Held != 1 || e.Focus == nil || e.Focus.Focusing {
		t.Fatalf("first event %+v, want connected with 1 held, not focusing", e)
	}
	// A burst of different kinds, faster than the client reads.
	if _, err := svc.Focus.Start(25 * time.Minute); err != nil {
		t.Fatal(err)
	}
	svc.RequestShow()
	submit(t, svc, "during")
	svc.RequestShowDigest()
	if _, err := svc.Focus.Stop(); err != nil {
		t.Fatal(err)
	}
	svc.problem(errors.New("calendar \"Work\": the server could not be reached"))
	want := []api.EventKind{api.EventFocus, api.EventShow, api.EventHeld, api.EventShowDigest, api.EventFocus, api.EventProblem}
	var got []api.Event
	for range want {
		got = append(got, next(t, ch))
	}
	for i, e := range got {
		if e.Kind != want[i] {
			t.Fatalf("event %d: %s, want %s (all: %+v)", i, e.Kind, want[i], got)
		}
	}
	if !got[0].Focus.Focusing || got[4].Focus.Focusing || got[2].Held != 2 || !strings.Contains(got[5].Problem, "could not be reached") {
		t.Errorf("payloads: %+v", got)
	}
	// A digest delivered says so, with what is held after it.
	if _, ok, err := svc.Notify.DeliverNow(); !ok || err != nil {
		t.Fatalf("deliver: %v %v", ok, err)
	}
	e := next(t, ch)
	for e.Kind == api.EventHeld { // the digest's notification was shown
		e = next(t, ch)
	}
	if e.Kind != api.EventDigest || e.Digest == "" || e.Held != 0 {
		t.Errorf("after a digest: %+v", e)
	}
	// Settings saved: the settings event (the re-plan after it follows).
	st := svc.Settings()
	st.Keywords = []string{"outage"}
	if err := svc.SaveSettings(st); err != nil {
		t.Fatal(err)
	}
	seen := map[api.EventKind]bool{}
	for !seen[api.EventSettings] || !seen[api.EventPlan] {
		seen[next(t, ch).Kind] = true
	}
}

// TestSlowStreamNeverStallsTheService: a client that opened the event
// stream and does not read it (a window busy drawing) holds up neither
// intake nor focus; the stream's queue stays bounded.
func TestSlowStreamNeverStallsTheService(t *testing.T) {
	var l logs
	svc := startStreaming(t, t.TempDir(), &l, time.Hour)
	body, err := rawClient(t, svc).Stream(t.Context(), api.Lookup(api.RouteEvents).URL(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	// And a typed client whose reader never reads its channel.
	if _, err := apiClient(t, svc).Events(t.Context()); err != nil {
		t.Fatal(err)
	}
	const n = 3000
	done := make(chan error, 1)
	go func() {
		for i := range n {
			ns := []notify.Notification{{Source: "load", Title: fmt.Sprintf("flood %d", i), Priority: notify.PriorityNormal, Origin: notify.OriginAPI}}
			if _, err := svc.Submitter().Submit(context.Background(), ns); err != nil {
				done <- err
				return
			}
			if i%100 == 0 {
				svc.problem(fmt.Errorf("problem %d", i))
			}
		}
		if _, err := svc.Focus.Start(25 * time.Minute); err != nil {
			done <- err
			return
		}
		_, err := svc.Focus.Stop()
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Minute): // generous: the flood takes seconds on a loaded machine
		t.Fatal("intake and focus stalled behind an event stream nobody reads")
	}
	// What the unread stream got, read now: the start, then the latest of
	// each kind, not three thousand held events.
	br := bufio.NewReader(body)
	var kinds []string
	for len(kinds) < 3 {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if k, ok := strings.CutPrefix(strings.TrimSpace(line), "event: "); ok {
			kinds = append(kinds, k)
		}
	}
	if kinds[0] != string(api.EventConnected) {
		t.Errorf("stream starts with %s", kinds[0])
	}
}

// TestStreamQueueIsBounded: however many events come while the writer is
// stuck, one stream's queue holds at most maxStreamPending plus one per
// kind; the latest of each kind is what waits, and a focus change that
// reverses the waiting one is kept while there is room.
func TestStreamQueueIsBounded(t *testing.T) {
	q := newStreamQueue()
	on, off := focus.State{Focusing: true}, focus.State{}
	q.post(api.Event{Kind: api.EventFocus, Focus: &on})
	q.post(api.Event{Kind: api.EventFocus, Focus: &off})
	if got := q.take(); len(got) != 2 || !got[0].Focus.Focusing || got[1].Focus.Focusing {
		t.Fatalf("focus on then off: %+v", got)
	}
	kinds := []api.EventKind{api.EventHeld, api.EventPlan, api.EventCalendars, api.EventSettings, api.EventShow, api.EventProblem}
	lastProblem := ""
	for i := range 10000 {
		k := kinds[i%len(kinds)]
		e := api.Event{Kind: k, Problem: fmt.Sprint(i)}
		if i%7 == 0 {
			st := focus.State{Focusing: i%2 == 0}
			e = api.Event{Kind: api.EventFocus, Focus: &st}
		}
		if e.Kind == api.EventProblem {
			lastProblem = e.Problem
		}
		q.post(e)
	}
	got := q.take()
	if len(got) > maxStreamPending+len(kinds)+1 {
		t.Fatalf("%d events wait, want at most %d", len(got), maxStreamPending+len(kinds)+1)
	}
	last := map[api.EventKind]api.Event{}
	for _, e := range got {
		last[e.Kind] = e
	}
	if last[api.EventProblem].Problem != lastProblem {
		t.Errorf("the latest problem is not what waits: %+v", last[api.EventProblem])
	}
}

// TestEventsReconnectAfterRestart: when Lull quits, its streams end at
// once (quitting waits for no stream: nothing is cut off), the client says
// it is disconnected, finds the restarted Lull through the discovery file
// and carries on with its events.
func TestEventsReconnectAfterRestart(t *testing.T) {
	var l logs
	dir := t.TempDir()
	svc := startStreaming(t, dir, &l, time.Hour)
	cl, err := api.Dial(dir)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := cl.Events(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if e := next(t, ch); e.Kind != api.EventConnected {
		t.Fatalf("first event %+v", e)
	}
	if err := svc.Close(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(l.String(), "cut off") {
		t.Fatalf("quitting waited for the event stream:\n%s", l.String())
	}
	if e := next(t, ch); e.Kind != api.EventDisconnected || e.Problem == "" {
		t.Fatalf("after quitting: %+v", e)
	}
	again := startStreaming(t, dir, &l, time.Hour)
	if e := next(t, ch); e.Kind != api.EventConnected {
		t.Fatalf("after the restart: %+v", e)
	}
	again.RequestShow()
	if e := next(t, ch); e.Kind != api.EventShow {
		t.Fatalf("an event of the restarted Lull: %+v", e)
	}
	// The client's other calls find it too.
	if st, err := cl.Status(t.Context()); err != nil || !st.Running {
		t.Fatalf("status after the restart: %+v %v", st, err)
	}
}

// TestEventsEndWithTheirContext: the channel closes when the caller's
// context ends.
func TestEventsEndWithTheirContext(t *testing.T) {
	var l logs
	svc := startStreaming(t, t.TempDir(), &l, time.Hour)
	ctx, cancel := context.WithCancel(t.Context())
	ch, err := apiClient(t, svc).Events(ctx)
	if err != nil {
		t.Fatal(err)
	}
	next(t, ch)
	cancel()
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the channel stayed open after its context ended")
		}
	}
}

// TestEventStreamLimitAndHeartbeat: an idle stream carries a heartbeat
// comment; at most api.MaxEventStreams are open at once, and one more is
// refused in words until one closes.
func TestEventStreamLimitAndHeartbeat(t *testing.T) {
	var l logs
	svc := startStreaming(t, t.TempDir(), &l, 20*time.Millisecond)
	raw := rawClient(t, svc)
	path := api.Lookup(api.RouteEvents).URL(nil)
	var open []io.ReadCloser
	for range api.MaxEventStreams {
		body, err := raw.Stream(t.Context(), path, nil)
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, body)
	}
	br := bufio.NewReader(open[0])
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(line, ": heartbeat") {
			break
		}
	}
	_, err := apiClient(t, svc).Events(t.Context())
	var ae *api.Error
	if !errors.As(err, &ae) || ae.Status != 503 || !errors.Is(err, api.ErrTooManyStreams) {
		t.Fatalf("one stream too many: %v", err)
	}
	open[1].Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ch, err := apiClient(t, svc).Events(t.Context())
		if err == nil {
			if e := next(t, ch); e.Kind != api.EventConnected {
				t.Fatalf("%+v", e)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a closed stream did not free its place: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, b := range open {
		b.Close()
	}
}
