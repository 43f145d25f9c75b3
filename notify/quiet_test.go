package notify

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestQuietHoldsAndDigestsAtEnd: a meeting or a presentation holds desktop
// notifications like focus (DND on, originals closed at the end) and its
// end delivers a digest only when something was held; no interruption is
// recorded (it is no focus).
func TestQuietHoldsAndDigestsAtEnd(t *testing.T) {
	for _, q := range []Quiet{{Meeting: true}, {Presenting: true}, {Meeting: true, Presenting: true}} {
		r := newRig(t, mon, Config{Rules: Rules{VIP: []string{"Pager"}}}, false)
		r.svc.SetQuiet(q)
		res := r.submit(t, deskN("Mail", "m1", UrgencyNormal, 7), deskN("Pager", "page", UrgencyNormal, 8))
		if res[0].Decision != ActionHold || res[1].Decision != ActionBreakthrough {
			t.Fatalf("%+v: results %+v", q, res)
		}
		want := "held during a meeting"
		if q.Presenting {
			want = "held while presenting"
		}
		held, _ := r.svc.Held()
		if len(held) != 1 || held[0].Decision.Reason != want {
			t.Fatalf("%+v: held %+v, want reason %q", q, held, want)
		}
		r.svc.SetQuiet(Quiet{})
		wantLog := []string{"dnd enter", "close 7", "dnd leave", "send Lull — 1 held | Mail: m1"}
		if got := r.rec.log(); !reflect.DeepEqual(got, wantLog) {
			t.Fatalf("%+v: events\n%s\nwant\n%s", q, strings.Join(got, "\n"), strings.Join(wantLog, "\n"))
		}
		ds, _ := r.svc.ListDigests(mon.Add(-time.Hour), mon.Add(time.Hour), 0)
		if len(ds) != 1 || ds[0].Reason != DigestQuietEnd {
			t.Fatalf("digests %+v", ds)
		}
		if len(r.rec.ints) != 0 {
			t.Fatalf("interruptions recorded outside focus: %+v", r.rec.ints)
		}
	}
}

// TestQuietEndWithNothingHeld: no digest when nothing was held.
func TestQuietEndWithNothingHeld(t *testing.T) {
	r := newRig(t, mon, Config{}, false)
	r.svc.SetQuiet(Quiet{Meeting: true})
	r.svc.SetQuiet(Quiet{})
	if got := r.rec.log(); !reflect.DeepEqual(got, []string{"dnd enter", "dnd leave"}) {
		t.Fatalf("events %q", got)
	}
	if len(r.rec.Sent()) != 0 {
		t.Fatal("a digest with nothing held")
	}
}

// TestQuietAndFocusOverlap: a meeting overlapping focus holds until both
// end, whichever ends last, with one digest at the very end.
func TestQuietAndFocusOverlap(t *testing.T) {
	t.Run("focus ends first", func(t *testing.T) {
		r := newRig(t, mon, Config{}, false)
		r.focus.set(true, mon.Add(time.Hour))
		r.svc.FocusStarted()
		r.svc.SetQuiet(Quiet{Meeting: true})
		r.submit(t, deskN("Mail", "m1", UrgencyNormal, 7))
		r.focus.set(false, time.Time{})
		r.svc.FocusEnded(time.Hour)
		if len(r.rec.Sent()) != 0 {
			t.Fatal("digest while the meeting still runs")
		}
		r.submit(t, deskN("Mail", "m2", UrgencyNormal, 8)) // still held: the meeting goes on
		r.svc.SetQuiet(Quiet{})
		want := []string{"dnd enter", "close 7", "close 8", "dnd leave", "send Lull — 2 held | Mail: m1, m2"}
		if got := r.rec.log(); !reflect.DeepEqual(got, want) {
			t.Fatalf("events %q, want %q", got, want)
		}
	})
	t.Run("meeting ends first", func(t *testing.T) {
		r := newRig(t, mon, Config{}, false)
		r.svc.SetQuiet(Quiet{Meeting: true})
		r.focus.set(true, mon.Add(time.Hour))
		r.svc.FocusStarted()
		r.submit(t, deskN("Mail", "m1", UrgencyNormal, 7))
		r.svc.SetQuiet(Quiet{})
		if len(r.rec.Sent()) != 0 {
			t.Fatal("digest while focus still runs")
		}
		res := r.submit(t, deskN("Mail", "m2", UrgencyNormal, 8))
		if res[0].Decision != ActionHold || !strings.Contains(res[0].Reason, "focus") {
			t.Fatalf("after the meeting, in focus: %+v", res[0])
		}
		r.focus.set(false, time.Time{})
		r.svc.FocusEnded(5 * time.Minute) // short, but the meeting held something
		want := []string{"dnd enter", "close 7", "close 8", "dnd leave", "send Lull — 2 held | Mail: m1, m2"}
		if got := r.rec.log(); !reflect.DeepEqual(got, want) {
			t.Fatalf("events %q, want %q", got, want)
		}
	})
}

// TestScheduledDigestWaitsForQuietEnd: a digest time during a meeting
// delivers when it ends, not during it.
func TestScheduledDigestWaitsForQuietEnd(t *testing.T) {
	r := newRig(t, mon, Config{}, false)
	if err := r.svc.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	r.submit(t, apiN("CI", "red")) // held before the meeting
	r.clk.Set(mon.Add(50 * time.Minute))
	r.svc.SetQuiet(Quiet{Meeting: true})
	r.clk.Set(mon.Add(70 * time.Minute)) // 09:00 digest time passes
	if len(r.rec.Sent()) != 0 {
		t.Fatal("digest during the meeting")
	}
	r.svc.SetQuiet(Quiet{})
	if got := r.rec.Sent(); len(got) != 1 {
		t.Fatalf("digests at the meeting's end: %+v", got)
	}
}

// TestPresentingBreakthroughKinds: while presenting, every breakthrough
// rule but keywords still applies; in a meeting (as in focus), keywords do
// too.
func TestPresentingBreakthroughKinds(t *testing.T) {
	rules := Rules{VIP: []string{"boss"}, Keywords: []string{"outage"}}
	cases := []struct {
		name       string
		n          Notification
		repeat     int // sent this many times; the last decides
		meeting    Action
		presenting Action
	}{
		{"urgent desktop", deskN("Chat", "call", UrgencyCritical, 0), 1, ActionBreakthrough, ActionBreakthrough},
		{"urgent API", Notification{Source: "ci", Title: "down", Priority: PriorityUrgent, Origin: OriginAPI}, 1, ActionBreakthrough, ActionBreakthrough},
		{"VIP", deskN("boss", "hi", UrgencyNormal, 0), 1, ActionBreakthrough, ActionBreakthrough},
		{"keyword", deskN("Mail", "outage in prod", UrgencyNormal, 0), 1, ActionBreakthrough, ActionHold},
		{"keyword via API", apiN("ci", "outage"), 1, ActionBreakthrough, ActionHold},
		{"repeat", deskN("Chat", "Alice", UrgencyNormal, 0), 3, ActionBreakthrough, ActionBreakthrough},
		{"plain", deskN("Mail", "news", UrgencyNormal, 0), 1, ActionHold, ActionHold},
	}
	for _, c := range cases {
		for _, presenting := range []bool{false, true} {
			e := NewEngine(rules)
			mode := Mode{Meeting: !presenting, Presenting: presenting}
			var d Decision
			for i := 0; i < c.repeat; i++ {
				d = e.DecideIn(c.n, mon.Add(time.Duration(i)*time.Minute), mode)
			}
			want := c.meeting
			if presenting {
				want = c.presenting
			}
			if d.Action != want {
				t.Errorf("%s, presenting %v: %v (%s), want %v", c.name, presenting, d.Action, d.Reason, want)
			}
			if presenting && c.name == "keyword" && !strings.Contains(d.Reason, "keywords do not break through while presenting") {
				t.Errorf("keyword hold not explained: %q", d.Reason)
			}
		}
	}
}
