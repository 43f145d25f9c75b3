package service

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/notify"
)

// TestSlowSubscriberNeverStallsTheService: a subscriber stuck in its
// callback (a window busy drawing) does not hold up intake, focus or the
// notifications the service emits about; once it reads again it gets the
// latest state of each kind, not a backlog of thousands.
func TestSlowSubscriberNeverStallsTheService(t *testing.T) {
	clk := clock.NewFake(monday)
	svc, _ := startService(t, clk, false)
	release := make(chan struct{})
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	var mu sync.Mutex
	var got []Event
	unsub := svc.Subscribe(func(e Event) {
		<-release
		mu.Lock()
		got = append(got, e)
		mu.Unlock()
	})
	defer unsub()
	defer unblock() // a failing run must not leave intake stuck behind it

	const n = 2000
	done := make(chan error, 1)
	go func() {
		for i := 0; i < n; i++ {
			ns := []notify.Notification{{Source: "load", Title: "flood", Body: string(rune('a' + i%26)), Priority: notify.PriorityNormal, Origin: notify.OriginAPI}}
			if _, err := svc.Submitter().Submit(context.Background(), ns); err != nil {
				done <- err
				return
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
	case <-time.After(2 * time.Minute):
		t.Fatal("intake and focus stalled behind a subscriber that does not return")
	}
	unblock()
	svc.Flush()
	mu.Lock()
	defer mu.Unlock()
	kinds := map[EventKind]int{}
	var lastFocus focus.State
	for _, e := range got {
		kinds[e.Kind]++
		if e.Kind == FocusChanged {
			lastFocus = e.Focus
		}
	}
	if len(got) > 8 {
		t.Errorf("the subscriber got %d events (%v), want the pile-up merged into a few", len(got), kinds)
	}
	if kinds[HeldChanged] == 0 {
		t.Error("no HeldChanged reached the subscriber")
	}
	if kinds[FocusChanged] == 0 || lastFocus.Focusing {
		t.Errorf("focus events %d, last focusing %v: want the latest state, not focusing", kinds[FocusChanged], lastFocus.Focusing)
	}
}

// TestMergeEvent is the pending queue's rule: latest of a kind wins and
// moves to the end; a focus change that reverses the pending one is kept
// while the queue is short.
func TestMergeEvent(t *testing.T) {
	on := Event{Kind: FocusChanged, Focus: focus.State{Focusing: true}}
	off := Event{Kind: FocusChanged}
	held := Event{Kind: HeldChanged}
	plan := Event{Kind: PlanChanged}
	kinds := func(q []Event) []string {
		var out []string
		for _, e := range q {
			s := map[EventKind]string{FocusChanged: "focus", HeldChanged: "held", PlanChanged: "plan"}[e.Kind]
			if e.Kind == FocusChanged && e.Focus.Focusing {
				s += "+"
			}
			out = append(out, s)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		in   []Event
		want []string
	}{
		{"one kind collapses", []Event{held, held, held}, []string{"held"}},
		{"latest moves to the end", []Event{held, plan, held}, []string{"plan", "held"}},
		{"focus on then off both kept", []Event{on, off}, []string{"focus+", "focus"}},
		{"on off on keeps the order, latest last", []Event{on, off, on}, []string{"focus+", "focus", "focus+"}},
		{"same focus state collapses", []Event{on, held, on}, []string{"held", "focus+"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var q []Event
			for _, e := range tc.in {
				q = mergeEvent(q, e)
			}
			if g := kinds(q); !slices.Equal(g, tc.want) {
				t.Errorf("queue %v, want %v", g, tc.want)
			}
		})
	}
	// At the bound even reversals merge: the queue stops growing.
	var q []Event
	for i := 0; i < 10*maxPendingEvents; i++ {
		q = mergeEvent(q, Event{Kind: FocusChanged, Focus: focus.State{Focusing: i%2 == 0}})
	}
	if len(q) > maxPendingEvents {
		t.Errorf("%d pending after alternating focus changes, want at most %d", len(q), maxPendingEvents)
	}
	if q[len(q)-1].Focus.Focusing {
		t.Error("the latest focus state is not last")
	}
}
