package service

import (
	"context"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/radicaletest"
)

// device is one Lull install (its own data directory) of a shared-plan
// test.
type device struct {
	t    *testing.T
	name string
	d    *Data
}

// openDevices opens n data directories on one clock, each with the same
// Radicale calendar added as a synced, published CalDAV calendar.
func openDevices(t *testing.T, srv *radicaletest.Server, calPath string, clk clock.Clock, n int) []*device {
	t.Helper()
	keyring.MockInit()
	var out []*device
	for i := 0; i < n; i++ {
		d, err := OpenData(DataOptions{Dir: t.TempDir(), Clock: clk})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		st := d.Settings()
		st.Plan.Zone = "Europe/Berlin"
		if err := d.SaveSettings(st); err != nil {
			t.Fatal(err)
		}
		if _, err := d.AddSource(context.Background(), AddSource{Kind: calendar.SourceCalDAV, URL: srv.Base + calPath,
			User: radicaletest.User, Password: radicaletest.Password, Publish: true, Sync: true}); err != nil {
			t.Fatal(err)
		}
		out = append(out, &device{t: t, name: string(rune('A' + i)), d: d})
	}
	return out
}

// plan is what `lull plan --sync` does on the device: read the calendars,
// plan, publish.
func (v *device) plan() {
	v.t.Helper()
	if _, err := v.d.SyncCalendars(context.Background()); err != nil {
		v.t.Fatalf("%s: sync: %v", v.name, err)
	}
	if _, err := v.d.Replan(false); err != nil {
		v.t.Fatalf("%s: plan: %v", v.name, err)
	}
	if _, err := v.d.Publish(context.Background()); err != nil {
		v.t.Fatalf("%s: publish: %v", v.name, err)
	}
}

// blocks is the device's plan: its blocks of the horizon by ID.
func (v *device) blocks() map[string]calendar.Block {
	v.t.Helper()
	list, err := v.d.UpcomingBlocks()
	if err != nil {
		v.t.Fatal(err)
	}
	out := map[string]calendar.Block{}
	for _, b := range list {
		out[b.ID] = b
	}
	return out
}

// noOverlap fails when two blocks of the plan that take time (not skipped)
// overlap.
func noOverlap(t *testing.T, who string, blocks map[string]calendar.Block) {
	t.Helper()
	var live []calendar.Block
	for _, b := range blocks {
		if b.State != calendar.StateSkipped {
			live = append(live, b)
		}
	}
	for i := range live {
		for j := i + 1; j < len(live); j++ {
			if live[i].Start.Before(live[j].End) && live[j].Start.Before(live[i].End) {
				t.Fatalf("%s: blocks %s (%s) and %s (%s) overlap: double-booked", who, live[i].ID, live[i].State, live[j].ID, live[j].State)
			}
		}
	}
}

// TestSecondDeviceAdoptsTheAcceptedPlan: device A plans and accepts; B,
// on the same synced CalDAV calendar, then syncs and plans. B must show
// A's accepted blocks as accepted, at A's times, and plan nothing over
// them — before the fix B dropped A's blocks from busy time as "its own"
// and proposed the same slots again (and publishing, claimed A's objects).
func TestSecondDeviceAdoptsTheAcceptedPlan(t *testing.T) {
	srv := radicaletest.Start(t)
	srv.MkCalendar(t, "/alice/work/")
	clk := clock.NewFake(monday)
	devs := openDevices(t, srv, "/alice/work/", clk, 2)
	a, b := devs[0], devs[1]

	a.plan()
	if _, err := a.d.AcceptAll(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.d.Publish(context.Background()); err != nil {
		t.Fatal(err)
	}
	accepted := map[string]calendar.Block{}
	for id, blk := range a.blocks() {
		if blk.State == calendar.StateAccepted {
			accepted[id] = blk
		}
	}
	if len(accepted) == 0 {
		t.Fatal("A accepted nothing")
	}

	clk.Advance(time.Minute)
	b.plan()
	got := b.blocks()
	for id, want := range accepted {
		blk, ok := got[id]
		if !ok || blk.State != calendar.StateAccepted || !blk.Start.Equal(want.Start) || !blk.End.Equal(want.End) {
			t.Errorf("B's plan lacks A's accepted block %s %s–%s: got %+v", id, want.Start, want.End, blk)
		}
	}
	noOverlap(t, "B", got)
	var proposed int
	for _, blk := range got {
		if blk.State == calendar.StateProposed {
			proposed++
		}
	}
	// A accepted the whole plan: its weeks reach their target, so B has
	// nothing to add.
	if proposed != 0 {
		t.Errorf("B proposes %d more blocks although A's accepted plan reaches the target", proposed)
	}
}
