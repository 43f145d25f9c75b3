package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/localapi"
)

// EventKind says what changed.
type EventKind string

// The kinds of events GET /v1/events sends, and the one the Client adds.
const (
	// EventConnected starts every stream, with the focus state and the
	// held count: events may have been missed before it, so a client reads
	// the state it shows again.
	EventConnected EventKind = "connected"
	// EventFocus: focus started, stopped or was extended (Focus).
	EventFocus EventKind = "focus"
	// EventHeld: what is held changed (Held).
	EventHeld EventKind = "held"
	// EventDigest: a digest was delivered (Digest, Held).
	EventDigest EventKind = "digest"
	// EventPlan: blocks were planned, accepted, skipped or moved.
	EventPlan EventKind = "plan"
	// EventCalendars: a calendar was added, changed, removed or read.
	EventCalendars EventKind = "calendars"
	// EventSettings: the settings were saved and apply now.
	EventSettings EventKind = "settings"
	// EventShow: show the window (a second `lull`, the tray), on Tab.
	EventShow EventKind = "show"
	// EventShowDigest: show the window on the Digest tab (a digest
	// notification was clicked).
	EventShowDigest EventKind = "show_digest"
	// EventTray: the desktop started or stopped showing tray icons
	// (Tray); without one, closing the window minimises it.
	EventTray EventKind = "tray"
	// EventProblem: background work failed (Problem says how).
	EventProblem EventKind = "problem"
	// EventMeeting: a meeting began or ended, or its stretch changed
	// (Quiet).
	EventMeeting EventKind = "meeting"
	// EventPresenting: presenting began or ended (Quiet).
	EventPresenting EventKind = "presenting"
	// EventDisconnected is the Client's own: the stream broke (Problem
	// says why) and it is reconnecting; EventConnected follows once it is
	// back.
	EventDisconnected EventKind = "disconnected"
)

// Event is one change, as GET /v1/events sends it (one JSON object per
// Server-Sent Event, its "event:" the Kind).
type Event struct {
	Kind EventKind `json:"kind"`
	// Focus is the focus state, with EventFocus and EventConnected.
	Focus *focus.State `json:"focus,omitempty"`
	// Held is how many notifications are held now, with EventHeld,
	// EventDigest and EventConnected.
	Held int `json:"held,omitempty"`
	// Digest is the ID of the digest delivered, with EventDigest.
	Digest string `json:"digest,omitempty"`
	// Tab is the tab to show ("report", "digest" or "" for the last one),
	// with EventShow and EventShowDigest.
	Tab string `json:"tab,omitempty"`
	// Tray says whether a tray icon can be shown, with EventTray and
	// EventConnected.
	Tray *bool `json:"tray,omitempty"`
	// Problem says what went wrong, in words, with EventProblem and
	// EventDisconnected.
	Problem string `json:"problem,omitempty"`
	// Quiet is what keeps the desktop quiet, with EventMeeting,
	// EventPresenting and EventConnected.
	Quiet *Quiet `json:"quiet,omitempty"`
	// Seq numbers the running Lull's changes in the order they happened:
	// a client that has seen Seq n has been told of every change up to n
	// (the latest of each kind: numbers in between may be skipped).
	// EventConnected carries the number of the last change before it.
	// Zero on the Client's own EventDisconnected.
	Seq uint64 `json:"seq,omitempty"`
}

// HeartbeatInterval is how often an idle event stream carries a comment
// line: a client that hears nothing for two of them knows the connection
// is dead (a resident killed without closing it) and reconnects, and the
// server learns of a client that went away at its next write.
const HeartbeatInterval = 15 * time.Second

// MaxEventBytes bounds one event on the wire, and so what a client
// buffers for one: real events are under 2 KiB (a focus state), and a
// listener that is not Lull must not make a client read without end.
const MaxEventBytes = 64 << 10

// MaxEventStreams bounds the event streams open at once: the window and a
// few scripts need a handful, and each holds a goroutine and a connection
// in the resident process.
const MaxEventStreams = 16

// Reconnection backoff of Client.Events: the first retry comes soon (a
// resident restarting is back within a second or two), later ones no
// more often than reconnectMax, so a stopped Lull costs the window next to
// nothing.
const (
	reconnectMin = 100 * time.Millisecond
	reconnectMax = 5 * time.Second
)

// eventBuffer is how many events Events' channel holds for a reader that
// is busy: more than a burst of changes (a sync emits a handful), few
// enough that a reader that stopped reading holds up only its stream.
const eventBuffer = 64

// WriteEvent writes e as one Server-Sent Event.
func WriteEvent(w io.Writer, e Event) error {
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.Kind, data)
	return err
}

// WriteHeartbeat writes the comment line an idle stream carries every
// HeartbeatInterval.
func WriteHeartbeat(w io.Writer) error {
	_, err := io.WriteString(w, ": heartbeat\n\n")
	return err
}

// Events is GET /v1/events: the changes of the running Lull, in order, as
// they happen. It connects before it returns (an error when it cannot);
// afterwards, when the stream breaks (Lull restarting, killed), the channel
// carries EventDisconnected and the client reconnects with backoff, finding
// a restarted Lull through the discovery file when the Client came from
// Dial, until ctx ends; then the channel is closed. A reader that falls
// behind by more than the channel holds holds up only its own stream.
func (c *Client) Events(ctx context.Context) (<-chan Event, error) {
	body, err := c.openEvents(ctx)
	if err != nil {
		return nil, err
	}
	ch := make(chan Event, eventBuffer)
	go func() {
		defer close(ch)
		for {
			err := readEvents(ctx, body, ch, 2*HeartbeatInterval)
			if ctx.Err() != nil {
				return
			}
			if !send(ctx, ch, Event{Kind: EventDisconnected, Problem: err.Error()}) {
				return
			}
			if body = c.reconnectEvents(ctx); body == nil {
				return
			}
		}
	}()
	return ch, nil
}

// openEvents opens one stream.
func (c *Client) openEvents(ctx context.Context) (io.ReadCloser, error) {
	body, err := c.transport().Stream(ctx, Lookup(RouteEvents).URL(nil), nil)
	return body, fromStatus(err)
}

// reconnectEvents opens a stream again, waiting longer after each failure;
// nil when ctx ended first.
func (c *Client) reconnectEvents(ctx context.Context) io.ReadCloser {
	wait := reconnectMin
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		body, err := c.openEvents(ctx)
		if errors.Is(err, localapi.ErrNotRunning) && c.redial() {
			body, err = c.openEvents(ctx)
		}
		if err == nil {
			return body
		}
		wait = min(2*wait, reconnectMax)
	}
}

// readEvents reads body's events into ch until the stream ends, ctx ends,
// or nothing, not even a heartbeat, came for idle; it closes body and says
// why it stopped.
func readEvents(ctx context.Context, body io.ReadCloser, ch chan<- Event, idle time.Duration) error {
	var once sync.Once
	var why error
	stop := func(err error) {
		once.Do(func() {
			why = err
			body.Close()
		})
	}
	defer stop(nil)
	silence := time.AfterFunc(idle, func() { stop(errors.New("Lull stopped answering")) })
	defer silence.Stop()
	done := context.AfterFunc(ctx, func() { stop(ctx.Err()) })
	defer done()

	br := bufio.NewReaderSize(body, MaxEventBytes)
	var data []byte
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			stop(nil)
			if why != nil {
				return why
			}
			if errors.Is(err, bufio.ErrBufferFull) {
				return fmt.Errorf("an event larger than %d KiB", MaxEventBytes>>10)
			}
			if errors.Is(err, io.EOF) {
				return errors.New("Lull closed the event stream")
			}
			return err
		}
		silence.Reset(idle)
		line = bytes.TrimRight(line, "\r\n")
		switch {
		case len(line) == 0 && len(data) > 0:
			var e Event
			if err := json.Unmarshal(data, &e); err == nil && e.Kind != "" {
				if !send(ctx, ch, e) {
					return ctx.Err()
				}
			}
			data = data[:0]
		case bytes.HasPrefix(line, []byte("data:")):
			if len(data)+len(line) > MaxEventBytes {
				return fmt.Errorf("an event larger than %d KiB", MaxEventBytes>>10)
			}
			data = append(data, bytes.TrimPrefix(bytes.TrimPrefix(line, []byte("data:")), []byte(" "))...)
		}
	}
}

// send hands e to ch unless ctx ends first.
func send(ctx context.Context, ch chan<- Event, e Event) bool {
	select {
	case ch <- e:
		return true
	case <-ctx.Done():
		return false
	}
}
