package api

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/lullapp/lull/focus"
)

// TestReadEvents: events come out in order, whole, whatever the heartbeats
// and line breaks between them; a stream that ends, or sends an event
// over MaxEventBytes, stops with a reason.
func TestReadEvents(t *testing.T) {
	var wire bytes.Buffer
	st := focus.State{Focusing: true}
	want := []Event{
		{Kind: EventConnected, Focus: &st, Held: 3},
		{Kind: EventHeld, Held: 4},
		{Kind: EventProblem, Problem: "calendar \"Work\": the server could not be reached"},
		{Kind: EventShow},
	}
	for i, e := range want {
		if i == 1 {
			WriteHeartbeat(&wire)
		}
		if err := WriteEvent(&wire, e); err != nil {
			t.Fatal(err)
		}
	}
	wire.WriteString("event: held\r\ndata: {\"kind\":\"held\",\r\ndata: \"held\":5}\r\n\r\n") // CRLF, two data lines
	want = append(want, Event{Kind: EventHeld, Held: 5})
	wire.WriteString("data: not json\n\n") // skipped
	ch := make(chan Event, 10)
	err := readEvents(t.Context(), io.NopCloser(&wire), ch, time.Minute)
	if err == nil || !strings.Contains(err.Error(), "closed the event stream") {
		t.Errorf("end of stream: %v", err)
	}
	close(ch)
	var got []Event
	for e := range ch {
		got = append(got, e)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i].Kind != want[i].Kind || got[i].Held != want[i].Held || got[i].Problem != want[i].Problem || (want[i].Focus != nil) != (got[i].Focus != nil) {
			t.Errorf("event %d = %+v, want %+v", i, got[i], want[i])
		}
	}

	huge := "data: " + strings.Repeat("x", MaxEventBytes) + "\n\n"
	if err := readEvents(t.Context(), io.NopCloser(strings.NewReader(huge)), make(chan Event, 1), time.Minute); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("huge event: %v", err)
	}
	many := strings.Repeat("data: "+strings.Repeat("x", 1000)+"\n", MaxEventBytes/1000+1) + "\n"
	if err := readEvents(t.Context(), io.NopCloser(strings.NewReader(many)), make(chan Event, 1), time.Minute); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("huge event in many lines: %v", err)
	}
}

// TestReadEventsEndsWithItsContext: a reader blocked on a silent stream
// returns when its context ends.
func TestReadEventsEndsWithItsContext(t *testing.T) {
	r, w := io.Pipe()
	defer w.Close()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- readEvents(ctx, r, make(chan Event), time.Hour) }()
	cancel()
	select {
	case err := <-done:
		if err != context.Canceled {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("readEvents did not return when its context ended")
	}
}

// TestReadEventsGivesUpOnSilence: a stream that carries nothing, not even
// heartbeats, for the idle time is dead (a Lull killed without closing its
// connections): the reader stops and says so, while one that hears
// heartbeats keeps reading.
func TestReadEventsGivesUpOnSilence(t *testing.T) {
	r, w := io.Pipe()
	defer w.Close()
	go func() {
		for range 5 {
			WriteHeartbeat(w)
			time.Sleep(20 * time.Millisecond)
		}
		// then silence
	}()
	start := time.Now()
	err := readEvents(t.Context(), r, make(chan Event), 500*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "stopped answering") {
		t.Fatalf("err = %v, want that Lull stopped answering", err)
	}
	if time.Since(start) < 100*time.Millisecond {
		t.Errorf("gave up after %v, while heartbeats still came", time.Since(start))
	}
}

// FuzzReadEvents: whatever a listener sends, the reader neither panics nor
// hands on an event without a kind, and stops with a reason.
func FuzzReadEvents(f *testing.F) {
	var seed bytes.Buffer
	WriteEvent(&seed, Event{Kind: EventHeld, Held: 2})
	WriteHeartbeat(&seed)
	f.Add(seed.Bytes())
	f.Add([]byte("data: {\"kind\":\"x\"}\n\ndata: {\n\n: c\n\ndata:\n\n"))
	f.Add([]byte("data: " + strings.Repeat("{", 100) + "\n\n"))
	f.Fuzz(func(t *testing.T, wire []byte) {
		ch := make(chan Event, 1<<16)
		err := readEvents(t.Context(), io.NopCloser(bytes.NewReader(wire)), ch, time.Minute)
		if err == nil {
			t.Fatal("the reader stopped without a reason")
		}
		close(ch)
		for e := range ch {
			if e.Kind == "" {
				t.Fatalf("an event without a kind: %+v", e)
			}
		}
	})
}
