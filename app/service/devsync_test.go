package service

import (
	"testing"
	"time"

	"github.com/lullapp/lull/calendar/devsync"
)

// TestFollowOtherDevice: focus follows another device's newest change:
// started there with an end, it starts here to the same end; open-ended,
// open here; stopped there, stopped here; a focus that already ended
// there (its end passed) starts nothing.
func TestFollowOtherDevice(t *testing.T) {
	r := startLive(t)
	now := r.clk.Now()
	r.svc.follow(devsync.State{DeviceName: "desktop", Focusing: true, Since: now, Until: now.Add(50 * time.Minute), Changed: now})
	st := r.svc.Focus.State()
	if !st.Focusing || !st.PlannedEnd.Equal(now.Add(50*time.Minute)) {
		t.Fatalf("after desktop started: %+v, want focus until %v", st, now.Add(50*time.Minute))
	}
	r.clk.Advance(10 * time.Minute)
	r.svc.follow(devsync.State{DeviceName: "desktop", Changed: r.clk.Now()})
	if r.svc.Focus.State().Focusing {
		t.Fatal("still focusing after desktop stopped")
	}
	r.svc.follow(devsync.State{DeviceName: "desktop", Focusing: true, Since: now, Until: r.clk.Now().Add(-time.Minute), Changed: now})
	if r.svc.Focus.State().Focusing {
		t.Fatal("started a focus that already ended on desktop")
	}
	r.svc.follow(devsync.State{DeviceName: "desktop", Focusing: true, Since: r.clk.Now(), Changed: r.clk.Now()})
	if st := r.svc.Focus.State(); !st.Focusing || !st.PlannedEnd.IsZero() {
		t.Fatalf("after desktop started open-ended: %+v", st)
	}
}
