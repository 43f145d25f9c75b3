package service

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
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
		out = append(out, openDevice(t, srv, calPath, clk, string(rune('A'+i))))
	}
	return out
}

// openDevice opens one device of openDevices (over the keyring mock as it
// is).
func openDevice(t *testing.T, srv *radicaletest.Server, calPath string, clk clock.Clock, name string) *device {
	t.Helper()
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
	addShared(t, d, srv, calPath)
	return &device{t: t, name: name, d: d}
}

// addShared adds the Radicale calendar at calPath to d as a published
// CalDAV calendar with sync on.
func addShared(t *testing.T, d *Data, srv *radicaletest.Server, calPath string) {
	t.Helper()
	if _, err := d.AddSource(context.Background(), AddSource{Kind: calendar.SourceCalDAV, URL: srv.Base + calPath,
		User: radicaletest.User, Password: radicaletest.Password, Publish: true, Sync: true}); err != nil {
		t.Fatal(err)
	}
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

// accepted is the device's accepted blocks as "ID start–end" lines.
func (v *device) accepted() []string {
	var out []string
	for _, b := range v.blocks() {
		if b.State == calendar.StateAccepted {
			out = append(out, b.ID+" "+b.Start.UTC().Format(time.RFC3339)+"–"+b.End.UTC().Format(time.RFC3339))
		}
	}
	sort.Strings(out)
	return out
}

// serverPlan is the accepted blocks on the shared calendar from today on,
// read through v, as accepted() lines; it fails when two blocks there
// overlap.
func (v *device) serverPlan() []string {
	v.t.Helper()
	pub, _, err := v.d.publisher()
	if err != nil {
		v.t.Fatal(err)
	}
	shared, err := pub.SharedPlan(context.Background())
	if err != nil {
		v.t.Fatal(err)
	}
	// Listed as UpcomingBlocks lists: from today on (the server also
	// holds the last day's, history).
	loc := v.d.Settings().Location()
	y, m, dd := v.d.Clock.Now().In(loc).Date()
	today := time.Date(y, m, dd, 0, 0, 0, 0, loc)
	byID := map[string]calendar.Block{}
	var out []string
	for _, s := range shared {
		byID[s.ID] = s.Block
		if s.End.After(today) {
			out = append(out, s.ID+" "+s.Start.UTC().Format(time.RFC3339)+"–"+s.End.UTC().Format(time.RFC3339))
		}
	}
	noOverlap(v.t, "the server", byID)
	sort.Strings(out)
	return out
}

// TestAcceptAndSkipTravelBetweenDevices: a block accepted on B reaches A
// at A's next sync (A's own proposal for that slot gives way); a block
// skipped on A is skipped on B at B's next sync.
func TestAcceptAndSkipTravelBetweenDevices(t *testing.T) {
	srv := radicaletest.Start(t)
	srv.MkCalendar(t, "/alice/work/")
	clk := clock.NewFake(monday)
	devs := openDevices(t, srv, "/alice/work/", clk, 2)
	a, b := devs[0], devs[1]
	a.plan()
	b.plan()
	var proposals []calendar.Block
	for _, blk := range b.blocks() {
		if blk.State == calendar.StateProposed {
			proposals = append(proposals, blk)
		}
	}
	if len(proposals) < 2 {
		t.Fatalf("B proposes %d blocks", len(proposals))
	}
	sort.Slice(proposals, func(i, j int) bool { return proposals[i].Start.Before(proposals[j].Start) })
	first, second := proposals[0], proposals[1]
	for _, blk := range []calendar.Block{first, second} {
		if _, err := b.d.Blocks.Accept(blk.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.d.Publish(context.Background()); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	a.plan()
	if got, want := a.accepted(), b.accepted(); strings.Join(got, "\n") != strings.Join(want, "\n") || len(got) != 2 {
		t.Fatalf("accepted on B, after A's sync A has:\n%s\nB has:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	noOverlap(t, "A", a.blocks())

	if _, err := a.d.Blocks.Skip(first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.d.Publish(context.Background()); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	b.plan()
	if got := b.blocks()[first.ID]; got.State != calendar.StateSkipped {
		t.Fatalf("skipped on A, B has %s as %q", first.ID, got.State)
	}
	if got := b.blocks()[second.ID]; got.State != calendar.StateAccepted {
		t.Fatalf("B lost the other accepted block %s: %q", second.ID, got.State)
	}
	if got := b.serverPlan(); len(got) != 1 || !strings.HasPrefix(got[0], second.ID+" ") {
		t.Fatalf("the server holds %v, want only %s", got, second.ID)
	}
	noOverlap(t, "B", b.blocks())
}

// TestDevicesPlanningAtOnceNeverDoubleBook: two devices that see
// different calendars (B has a morning commitment A does not know) plan,
// accept everything and publish at the same moment, in several rounds on
// fresh calendars. Exactly one publishes first; the other adopts that plan
// at its next sync. Nothing on the server or on either device ever
// overlaps, and after one more sync each both show the same accepted
// plan, the one on the server.
func TestDevicesPlanningAtOnceNeverDoubleBook(t *testing.T) {
	srv := radicaletest.Start(t)
	clk := clock.NewFake(monday)
	// B's morning commitment: 08:30–09:30 makes B plan over A's morning
	// blocks; 09:00–12:00 makes it plan the afternoons A leaves free, so
	// together they would plan the week's goal twice.
	dir := t.TempDir()
	gym := func(name, from, to string) string {
		return writeFile(t, dir, name, calHead+
			"BEGIN:VEVENT\r\nUID:gym@test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/Berlin:20260105T"+from+"\r\n"+
			"DTEND;TZID=Europe/Berlin:20260105T"+to+"\r\nRRULE:FREQ=DAILY;COUNT=30\r\nSUMMARY:Gym\r\nEND:VEVENT\r\n"+calTail)
	}
	mornings := []string{gym("overlapping.ics", "083000", "093000"), gym("elsewhere.ics", "090000", "120000")}
	const rounds = 6
	for round := 0; round < rounds; round++ {
		morning := mornings[round%len(mornings)]
		path := fmt.Sprintf("/alice/round-%d/", round)
		srv.MkCalendar(t, path)
		devs := openDevices(t, srv, path, clk, 2)
		a, b := devs[0], devs[1]
		if _, err := b.d.AddSource(context.Background(), AddSource{Kind: calendar.SourceFile, Path: morning, Name: "Gym"}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, 2)
		// Each device that gets as far as writing waits there until the
		// other one got there too or gave up, so both have read the
		// server before either writes: the worst moment.
		var atWrite, gaveUp atomic.Int32
		for _, v := range devs {
			v.d.beforeSharedWrite = func() {
				atWrite.Add(1)
				for deadline := time.Now().Add(10 * time.Second); atWrite.Load()+gaveUp.Load() < int32(len(devs)) && time.Now().Before(deadline); {
					time.Sleep(5 * time.Millisecond)
				}
			}
		}
		for i, v := range devs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() {
					if errs[i] != nil {
						gaveUp.Add(1)
					}
				}()
				<-start
				ctx := context.Background()
				if _, err := v.d.SyncCalendars(ctx); err != nil {
					errs[i] = err
					return
				}
				if _, err := v.d.Replan(false); err != nil {
					errs[i] = err
					return
				}
				if _, err := v.d.AcceptAll(); err != nil {
					errs[i] = err
					return
				}
				_, errs[i] = v.d.Publish(ctx)
			}()
		}
		close(start)
		wg.Wait()
		for _, v := range devs {
			v.d.beforeSharedWrite = nil
		}
		busy := 0
		for i, err := range errs {
			switch {
			case err == nil:
			case errors.Is(err, calendar.ErrPlannerBusy):
				busy++
			default:
				t.Fatalf("round %d: device %s: %v", round, devs[i].name, err)
			}
		}
		server := a.serverPlan()
		if len(server) == 0 {
			t.Fatalf("round %d: nothing published", round)
		}
		weeklyGoal(t, a, round)
		t.Logf("round %d: %d blocks on the server, %d device(s) waited for the other", round, len(server), busy)
		for _, v := range devs {
			v.plan() // the next sync: adopt, plan around, publish
			noOverlap(t, v.name, v.blocks())
		}
		a.plan()
		after := a.serverPlan()
		weeklyGoal(t, a, round)
		for _, v := range devs {
			if got := v.accepted(); strings.Join(got, "\n") != strings.Join(after, "\n") {
				t.Fatalf("round %d: %s's accepted plan:\n%s\nthe server's:\n%s", round, v.name, strings.Join(got, "\n"), strings.Join(after, "\n"))
			}
			noOverlap(t, v.name, v.blocks())
		}
	}
}

// weeklyGoal fails when the accepted blocks on the shared calendar add up
// to more than the weekly goal in some week: two devices each planned the
// whole goal, and the user would get it twice.
func weeklyGoal(t *testing.T, v *device, round int) {
	t.Helper()
	pub, _, err := v.d.publisher()
	if err != nil {
		t.Fatal(err)
	}
	shared, err := pub.SharedPlan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	st := v.d.Settings()
	perWeek := map[string]time.Duration{}
	for _, s := range shared {
		y, w := s.Start.In(st.Location()).ISOWeek()
		perWeek[fmt.Sprintf("%d-W%02d", y, w)] += s.Duration()
	}
	for week, total := range perWeek {
		if total > st.Plan.WeeklyGoal {
			t.Fatalf("round %d: week %s has %s of accepted focus on the server, more than the %s goal: planned twice", round, week, total, st.Plan.WeeklyGoal)
		}
	}
}

// TestResidentRetriesWhenAnotherDeviceHoldsTheLease: an accept while
// another device writes the shared plan is not a problem shown to the
// user; the running Lull publishes it again shortly (plannerRetryDelay),
// and it reaches the server once the other device is done.
func TestResidentRetriesWhenAnotherDeviceHoldsTheLease(t *testing.T) {
	srv := radicaletest.Start(t)
	srv.MkCalendar(t, "/alice/work/")
	clk := clock.NewFake(monday)
	svc, _ := startService(t, clk, false)
	addShared(t, svc.Data, srv, "/alice/work/")
	other := openDevice(t, srv, "/alice/work/", clk, "B")
	var problems atomic.Int32
	unsub := svc.Subscribe(func(e Event) {
		if e.Kind == Problem {
			t.Logf("problem: %v", e.Err)
			problems.Add(1)
		}
	})
	defer unsub()
	ctx := context.Background()
	res, err := svc.Replan(ctx, false)
	if err != nil || len(res.Blocks) == 0 {
		t.Fatalf("plan: %+v %v", res, err)
	}
	id := res.Blocks[0].ID
	pub, _, err := other.d.publisher()
	if err != nil {
		t.Fatal(err)
	}
	lease, err := pub.AcquirePlanner(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Accept(ctx, id); err != nil {
		t.Fatal(err)
	}
	if got := other.serverPlan(); len(got) != 0 {
		t.Fatalf("published while another device held the lease: %v", got)
	}
	if err := pub.ReleasePlanner(ctx, lease); err != nil {
		t.Fatal(err)
	}
	clk.Advance(plannerRetryDelay)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if got := other.serverPlan(); len(got) == 1 && strings.HasPrefix(got[0], id+" ") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the accepted block never reached the server: %v", other.serverPlan())
		}
	}
	if n := problems.Load(); n != 0 {
		t.Fatalf("%d problems shown for another device writing the plan", n)
	}
}

// TestSharedPlanRandomInterleavings: three devices on one calendar do
// random things in random order — plan, accept a proposal they made
// (perhaps before another device's publish), skip an accepted block, only
// read the calendars, let time pass — each acting on what it last saw.
// After every step the server holds no overlapping blocks and no week
// beyond the goal; at the end, after two syncs each, every device shows
// exactly the server's accepted plan.
func TestSharedPlanRandomInterleavings(t *testing.T) {
	srv := radicaletest.Start(t)
	for _, seed := range []int64{1, 2, 3, 4} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			rng := rand.New(rand.NewSource(seed))
			path := fmt.Sprintf("/alice/random-%d/", seed)
			srv.MkCalendar(t, path)
			clk := clock.NewFake(monday)
			devs := openDevices(t, srv, path, clk, 3)
			ctx := context.Background()
			pick := func(v *device, state calendar.BlockState) (calendar.Block, bool) {
				var ids []string
				blocks := v.blocks()
				for id, b := range blocks {
					if b.State == state && b.Start.After(clk.Now()) {
						ids = append(ids, id)
					}
				}
				if len(ids) == 0 {
					return calendar.Block{}, false
				}
				sort.Strings(ids)
				return blocks[ids[rng.Intn(len(ids))]], true
			}
			publish := func(v *device) {
				if _, err := v.d.Publish(ctx); err != nil {
					t.Fatalf("%s: publish: %v", v.name, err)
				}
			}
			const steps = 40
			for step := 0; step < steps; step++ {
				v := devs[rng.Intn(len(devs))]
				switch op := rng.Intn(6); op {
				case 0, 1:
					v.plan()
				case 2:
					if b, ok := pick(v, calendar.StateProposed); ok {
						if _, err := v.d.Blocks.Accept(b.ID); err != nil {
							t.Fatal(err)
						}
						publish(v)
					}
				case 3:
					if b, ok := pick(v, calendar.StateAccepted); ok {
						if _, err := v.d.Blocks.Skip(b.ID); err != nil {
							t.Fatal(err)
						}
						publish(v)
					}
				case 4:
					if _, err := v.d.SyncCalendars(ctx); err != nil {
						t.Fatal(err)
					}
				case 5:
					clk.Advance(time.Duration(rng.Intn(180)) * time.Minute)
				}
				devs[0].serverPlan()
				weeklyGoal(t, devs[0], step)
			}
			for range 2 {
				for _, v := range devs {
					v.plan()
				}
			}
			server := devs[0].serverPlan()
			for _, v := range devs {
				if got := v.accepted(); strings.Join(got, "\n") != strings.Join(server, "\n") {
					t.Fatalf("%s's accepted plan:\n%s\nthe server's:\n%s", v.name, strings.Join(got, "\n"), strings.Join(server, "\n"))
				}
				noOverlap(t, v.name, v.blocks())
			}
			t.Logf("%d accepted blocks on the server at the end", len(server))
		})
	}
}
