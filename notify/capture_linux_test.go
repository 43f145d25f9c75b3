//go:build linux

package notify

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/lullapp/lull/internal/clock"
)

func notifyBody(app, summary, body string, hints map[string]dbus.Variant) []any {
	return []any{app, uint32(0), "", summary, body, []string{}, hints, int32(-1)}
}

func TestParseNotify(t *testing.T) {
	tests := []struct {
		name string
		body []any
		ok   bool
		want Notification
	}{
		{"plain", notifyBody("Mail", "New mail", "from Ann", map[string]dbus.Variant{}), true,
			Notification{Source: "Mail", App: "Mail", Title: "New mail", Body: "from Ann", Priority: PriorityNormal, Urgency: UrgencyNormal, Origin: OriginDesktop}},
		{"critical byte hint", notifyBody("Pager", "down", "", map[string]dbus.Variant{"urgency": dbus.MakeVariant(byte(2))}), true,
			Notification{Source: "Pager", App: "Pager", Title: "down", Priority: PriorityNormal, Urgency: UrgencyCritical, Origin: OriginDesktop}},
		{"low uint32 hint", notifyBody("x", "t", "", map[string]dbus.Variant{"urgency": dbus.MakeVariant(uint32(0))}), true,
			Notification{Source: "x", App: "x", Title: "t", Priority: PriorityNormal, Urgency: UrgencyLow, Origin: OriginDesktop}},
		{"out of range clamps", notifyBody("x", "t", "", map[string]dbus.Variant{"urgency": dbus.MakeVariant(int32(9))}), true,
			Notification{Source: "x", App: "x", Title: "t", Priority: PriorityNormal, Urgency: UrgencyCritical, Origin: OriginDesktop}},
		{"no app, no summary", notifyBody("", "", "b", map[string]dbus.Variant{}), true,
			Notification{Source: "desktop", Title: "(no title)", Body: "b", Priority: PriorityNormal, Urgency: UrgencyNormal, Origin: OriginDesktop}},
		{"short body", []any{"a", uint32(0)}, false, Notification{}},
		{"wrong types", []any{1, uint32(0), "", "s", "b", []string{}, map[string]dbus.Variant{}, int32(0)}, false, Notification{}},
	}
	for _, tc := range tests {
		got, ok := ParseNotify(tc.body)
		if ok != tc.ok || got != tc.want {
			t.Errorf("%s: ParseNotify = %+v, %v; want %+v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

type submitRec struct {
	mu  sync.Mutex
	got []Notification
}

func (s *submitRec) Submit(_ context.Context, ns []Notification) ([]Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, ns...)
	return nil, nil
}

// TestCaptureMatchesReplies: a Notify call is submitted with the id from its
// reply; Lull's own notifications and its own connections are never
// captured; a call answered by an error, or never answered, is submitted
// without an id.
func TestCaptureMatchesReplies(t *testing.T) {
	sub := &submitRec{}
	clk := clock.NewFake(mon)
	c := &Capture{cfg: CaptureConfig{Submitter: sub, Clock: clk, IgnoreSenders: []string{":1.9"}, IgnoreApps: []string{"Self"}},
		pending: map[callKey]pendingCall{}}
	ctx := t.Context()
	hints := map[string]dbus.Variant{}
	c.onCall(":1.5", 7, notifyBody("Mail", "a", "", hints))
	c.onCall(":1.6", 7, notifyBody("Chat", "b", "", hints))
	c.onCall(":1.5", 8, notifyBody("Lull", "Lull — 2 held", "", hints)) // our digest
	c.onCall(":1.5", 9, notifyBody("self", "x", "", hints))             // an ignored app
	c.onCall(":1.9", 1, notifyBody("Mail", "from our own connection", "", hints))
	c.onReply(ctx, ":1.6", 7, true, []any{uint32(42)})
	c.onReply(ctx, ":1.5", 7, false, []any{"org.freedesktop.DBus.Error.Failed"})
	c.onReply(ctx, ":1.5", 8, true, []any{uint32(43)})
	c.onReply(ctx, ":1.7", 7, true, []any{uint32(44)}) // a reply to nobody we track
	c.onCall(":1.5", 10, notifyBody("CI", "never answered", "", hints))
	clk.Advance(replyTimeout + time.Second)
	c.expire(ctx)
	if len(sub.got) != 3 {
		t.Fatalf("submitted %+v, want Chat, Mail, CI", sub.got)
	}
	if sub.got[0].App != "Chat" || sub.got[0].ServerID != 42 {
		t.Errorf("first = %+v, want Chat with server id 42", sub.got[0])
	}
	if sub.got[1].App != "Mail" || sub.got[1].ServerID != 0 {
		t.Errorf("second = %+v, want Mail without id", sub.got[1])
	}
	if sub.got[2].App != "CI" || sub.got[2].ServerID != 0 {
		t.Errorf("third = %+v, want CI (expired) without id", sub.got[2])
	}
	if len(c.pending) != 0 {
		t.Errorf("pending left: %+v", c.pending)
	}
}
