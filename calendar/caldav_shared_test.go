package calendar

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/radicaletest"
	"github.com/lullapp/lull/internal/store"
)

// sharedDevices opens n devices (each its own database and SourceStore)
// on one clock, each with the Radicale calendar at calPath added as a
// CalDAV source with sync on, and returns their publishers. The server's
// clock (its Date header) is clk too.
func sharedDevices(t *testing.T, srv *radicaletest.Server, calPath string, clk clock.Clock, n int) []*CalDAVPublisher {
	t.Helper()
	clks := make([]clock.Clock, n)
	for i := range clks {
		clks[i] = clk
	}
	return sharedDevicesOn(t, srv.ClockBase(t, clk.Now), calPath, clks)
}

// sharedDevicesOn opens a device per clock in clks, each with the calendar
// at base+calPath added as a CalDAV source with sync on, and returns their
// publishers.
func sharedDevicesOn(t *testing.T, base, calPath string, clks []clock.Clock) []*CalDAVPublisher {
	t.Helper()
	keyring.MockInit()
	var out []*CalDAVPublisher
	for _, clk := range clks {
		db, err := store.Open(filepath.Join(t.TempDir(), "lull.db"), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		st, err := NewSourceStore(db, Keyring{}, clk, SourceOptions{})
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := st.AddCalDAVSource(context.Background(), base+calPath, radicaletest.User, radicaletest.Password, "")
		if err != nil {
			t.Fatal(err)
		}
		if cfg, err = st.SetSync(cfg.ID, true); err != nil || !cfg.Sync {
			t.Fatalf("SetSync: %+v %v", cfg, err)
		}
		pub, err := st.Publisher(cfg.ID)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, pub)
	}
	return out
}

// TestPlannerLeaseRace: devices asking for the planner lease at the same
// moment, round after round: exactly one gets it every time, the others
// are told another device is planning, and the winner's release lets the
// next round start at once.
func TestPlannerLeaseRace(t *testing.T) {
	srv := radicaletest.Start(t)
	srv.MkCalendar(t, "/alice/race/")
	clk := clock.NewFake(testNow)
	pubs := sharedDevices(t, srv, "/alice/race/", clk, 4)
	const rounds = 30
	wins := make([]int, len(pubs))
	for round := 0; round < rounds; round++ {
		var wg sync.WaitGroup
		start := make(chan struct{})
		leases := make([]*PlannerLease, len(pubs))
		errs := make([]error, len(pubs))
		for i, p := range pubs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				leases[i], errs[i] = p.AcquirePlanner(context.Background())
			}()
		}
		close(start)
		wg.Wait()
		winner := -1
		for i := range pubs {
			switch {
			case errs[i] == nil:
				if winner >= 0 {
					t.Fatalf("round %d: devices %d and %d both hold the planner lease", round, winner, i)
				}
				winner = i
			case !errors.Is(errs[i], ErrPlannerBusy):
				t.Fatalf("round %d: device %d: %v (want another device is planning)", round, i, errs[i])
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: nobody got the planner lease: %v", round, errs)
		}
		wins[winner]++
		if err := pubs[winner].ReleasePlanner(context.Background(), leases[winner]); err != nil {
			t.Fatalf("round %d: release: %v", round, err)
		}
	}
	t.Logf("wins per device over %d rounds: %v", rounds, wins)
}

// TestPlannerLeaseTakeoverRace: when the lease expired (its holder died),
// devices taking it over at the same moment (If-Match on the expired
// lease) again leave exactly one holder, round after round.
func TestPlannerLeaseTakeoverRace(t *testing.T) {
	srv := radicaletest.Start(t)
	srv.MkCalendar(t, "/alice/takeover/")
	clk := clock.NewFake(testNow)
	pubs := sharedDevices(t, srv, "/alice/takeover/", clk, 4)
	if _, err := pubs[0].AcquirePlanner(context.Background()); err != nil {
		t.Fatal(err)
	}
	const rounds = 20
	for round := 0; round < rounds; round++ {
		// The holder never releases: it died.
		clk.Advance(PlannerLeaseTTL + time.Second)
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, len(pubs))
		for i, p := range pubs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = p.AcquirePlanner(context.Background())
			}()
		}
		close(start)
		wg.Wait()
		winners := 0
		for i, err := range errs {
			switch {
			case err == nil:
				winners++
			case !errors.Is(err, ErrPlannerBusy):
				t.Fatalf("round %d: device %d: %v", round, i, err)
			}
		}
		if winners != 1 {
			t.Fatalf("round %d: %d devices took the expired lease over, want exactly 1 (%v)", round, winners, errs)
		}
	}
}

// TestPlannerLeaseExpiry: a held lease keeps the others out until it
// expires (a device that died holding it blocks them for PlannerLeaseTTL
// at most); its holder renews it; a release by a device whose lease was
// taken over leaves the new holder's lease alone.
func TestPlannerLeaseExpiry(t *testing.T) {
	srv := radicaletest.Start(t)
	srv.MkCalendar(t, "/alice/lease/")
	clk := clock.NewFake(testNow)
	pubs := sharedDevices(t, srv, "/alice/lease/", clk, 3)
	a, b, c := pubs[0], pubs[1], pubs[2]
	ctx := context.Background()
	la, err := a.AcquirePlanner(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.AcquirePlanner(ctx); !errors.Is(err, ErrPlannerBusy) {
		t.Fatalf("B while A holds the lease: %v, want busy", err)
	}
	clk.Advance(PlannerLeaseTTL / 2)
	if la, err = a.AcquirePlanner(ctx); err != nil {
		t.Fatalf("A renews its own lease: %v", err)
	}
	clk.Advance(PlannerLeaseTTL - time.Second)
	if _, err := b.AcquirePlanner(ctx); !errors.Is(err, ErrPlannerBusy) {
		t.Fatalf("B before A's renewed lease expired: %v, want busy", err)
	}
	clk.Advance(2 * time.Second)
	lb, err := b.AcquirePlanner(ctx)
	if err != nil {
		t.Fatalf("B after A's lease expired: %v", err)
	}
	if err := a.ReleasePlanner(ctx, la); err != nil {
		t.Fatalf("A releases a lease B took over: %v", err)
	}
	if _, err := c.AcquirePlanner(ctx); !errors.Is(err, ErrPlannerBusy) {
		t.Fatalf("C after A's stale release: %v, want busy (B holds it)", err)
	}
	if err := b.ReleasePlanner(ctx, lb); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AcquirePlanner(ctx); err != nil {
		t.Fatalf("C after B released: %v", err)
	}
}

// TestPlannerLeaseSkewedClocks: the lease is dated and judged on the
// server's clock, so devices whose own clocks are minutes off (one ahead,
// one behind) still see a live lease as held and an expired one as
// expired, and the lease written says the server's time.
func TestPlannerLeaseSkewedClocks(t *testing.T) {
	srv := radicaletest.Start(t)
	srv.MkCalendar(t, "/alice/skew/")
	server := clock.NewFake(testNow)
	skew := 10 * PlannerLeaseTTL
	behind, ahead := clock.NewFake(testNow.Add(-skew)), clock.NewFake(testNow.Add(skew))
	pubs := sharedDevicesOn(t, srv.ClockBase(t, server.Now), "/alice/skew/", []clock.Clock{behind, ahead})
	slow, fast := pubs[0], pubs[1]
	ctx := context.Background()
	advance := func(d time.Duration) {
		for _, c := range []*clock.Fake{server, behind, ahead} {
			c.Advance(d)
		}
	}
	l, err := slow.AcquirePlanner(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := server.Now().Add(PlannerLeaseTTL); !l.Until.Equal(want) {
		t.Errorf("lease until %v, want %v (the server's clock + %v)", l.Until, want, PlannerLeaseTTL)
	}
	advance(PlannerLeaseTTL / 2)
	// The device running ahead sees its own clock far past the lease's end.
	if _, err := fast.AcquirePlanner(ctx); !errors.Is(err, ErrPlannerBusy) {
		t.Fatalf("a device %v ahead took a live lease: %v, want busy", skew, err)
	}
	advance(PlannerLeaseTTL)
	// The device running behind would still wait on its own clock.
	if _, err := fast.AcquirePlanner(ctx); err != nil {
		t.Fatalf("takeover of an expired lease: %v", err)
	}
	advance(PlannerLeaseTTL / 2)
	if _, err := slow.AcquirePlanner(ctx); !errors.Is(err, ErrPlannerBusy) {
		t.Fatalf("the device behind took the live lease back: %v, want busy", err)
	}
	advance(PlannerLeaseTTL)
	if _, err := slow.AcquirePlanner(ctx); err != nil {
		t.Fatalf("the device behind, after the lease expired on the server's clock: %v", err)
	}
}

// TestPlannerLeaseNotLulls: an object at the lease's name that Lull did
// not write is never overwritten; sharing the plan stops with a clear
// error instead.
func TestPlannerLeaseNotLulls(t *testing.T) {
	srv := radicaletest.Start(t)
	srv.MkCalendar(t, "/alice/foreign/")
	foreign := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other//EN\r\nBEGIN:VEVENT\r\nUID:someone@else\r\nDTSTAMP:20261101T000000Z\r\n" +
		"DTSTART:20261123T100000Z\r\nDTEND:20261123T110000Z\r\nSUMMARY:Mine\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	srv.Put(t, "/alice/foreign/"+PlannerLeaseName, foreign)
	_, _, before := srv.Do(t, "GET", "/alice/foreign/"+PlannerLeaseName, "")
	pubs := sharedDevices(t, srv, "/alice/foreign/", clock.NewFake(testNow), 1)
	if _, err := pubs[0].AcquirePlanner(context.Background()); !errors.Is(err, ErrNotLullObject) {
		t.Fatalf("AcquirePlanner over a foreign object: %v", err)
	}
	if _, _, after := srv.Do(t, "GET", "/alice/foreign/"+PlannerLeaseName, ""); after != before {
		t.Fatalf("the foreign object changed:\n%s\n→\n%s", before, after)
	}
}

const berlinVTimezone = "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n" +
	"BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n" +
	"BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n" +
	"END:VTIMEZONE\r\n"

func sharedBlockAt(id string, start time.Time, d time.Duration) Block {
	return Block{ID: id, Start: start, End: start.Add(d), State: StateAccepted}
}

func blockIDs(bs []Block) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.ID)
	}
	sort.Strings(out)
	return out
}

// TestReconcileAdoptsMovesSkipsDrops walks the shared plan between two
// devices on a real server: B adopts A's accepted blocks (at A's times,
// once), adopts A's move, skips what A removed, drops its own unpublished
// block that A's plan overlaps, and keeps its own pending skip; a block a
// calendar app moved and rewrote in another zone is read at its new time,
// and foreign events are never taken for blocks.
func TestReconcileAdoptsMovesSkipsDrops(t *testing.T) {
	srv := radicaletest.Start(t)
	srv.MkCalendar(t, "/alice/shared/")
	srv.Put(t, "/alice/shared/meeting.ics", sampleICS)
	clk := clock.NewFake(testNow)
	pubs := sharedDevices(t, srv, "/alice/shared/", clk, 2)
	a, b := pubs[0], pubs[1]
	ctx := context.Background()
	mon := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	x := sharedBlockAt("lull-20261123T0800Z", mon, 2*time.Hour)
	y := sharedBlockAt("lull-20261124T0800Z", mon.AddDate(0, 0, 1), 2*time.Hour)
	w := sharedBlockAt("lull-20261125T0800Z", mon.AddDate(0, 0, 2), 2*time.Hour)
	if _, err := a.Sync(ctx, []Block{x, y, w}); err != nil {
		t.Fatal(err)
	}

	ch, err := b.Reconcile(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := blockIDs(ch.Adopt); strings.Join(got, ",") != strings.Join([]string{x.ID, y.ID, w.ID}, ",") || len(ch.Skipped)+len(ch.Dropped) != 0 {
		t.Fatalf("first reconcile: %+v", ch)
	}
	for _, ad := range ch.Adopt {
		want := map[string]Block{x.ID: x, y.ID: y, w.ID: w}[ad.ID]
		if !ad.Start.Equal(want.Start) || !ad.End.Equal(want.End) || ad.State != StateAccepted {
			t.Fatalf("adopted %+v, want %+v", ad, want)
		}
	}
	local := []Block{x, y, w}
	if ch, err := b.Reconcile(ctx, local); err != nil || !ch.Empty() {
		t.Fatalf("second reconcile changes something: %+v %v", ch, err)
	}

	// A moves X an hour later and removes Y (skipped on A); B has an
	// unpublished accepted block Z where X now is, and skipped W itself
	// without having published that yet.
	x2 := x
	x2.Start, x2.End = x.Start.Add(time.Hour), x.End.Add(time.Hour)
	if _, err := a.Sync(ctx, []Block{x2, w}); err != nil {
		t.Fatal(err)
	}
	z := sharedBlockAt("lull-20261123T1030Z", mon.Add(150*time.Minute), time.Hour)
	wSkipped := w
	wSkipped.State = StateSkipped
	ch, err = b.Reconcile(ctx, []Block{x, y, wSkipped, z})
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Adopt) != 1 || ch.Adopt[0].ID != x.ID || !ch.Adopt[0].Start.Equal(x2.Start) || !strings.Contains(ch.Adopt[0].Reason, "moved") {
		t.Fatalf("B does not adopt A's move: %+v", ch.Adopt)
	}
	if strings.Join(ch.Skipped, ",") != y.ID {
		t.Fatalf("B does not skip the block A removed: %v", ch.Skipped)
	}
	if len(ch.Dropped) != 1 || ch.Dropped[0].ID != z.ID {
		t.Fatalf("B keeps its unpublished block over A's: %+v", ch.Dropped)
	}

	// A calendar app moves W to 14:00 Berlin and writes it with a TZID.
	_, etag, body := srv.Do(t, "GET", "/alice/shared/"+BlockUID(w.ID)+".ics", "")
	// Calendar apps send the zone's definition along.
	body = strings.Replace(body, "BEGIN:VEVENT", berlinVTimezone+"BEGIN:VEVENT", 1)
	moved := strings.Replace(strings.Replace(body, "DTSTART:20261125T080000Z", "DTSTART;TZID=Europe/Berlin:20261125T140000", 1),
		"DTEND:20261125T100000Z", "DTEND;TZID=Europe/Berlin:20261125T160000", 1)
	if code, _, resp := srv.Do(t, "PUT", "/alice/shared/"+BlockUID(w.ID)+".ics", moved, "If-Match", etag, "Content-Type", "text/calendar"); code/100 != 2 {
		t.Fatalf("PUT moved W: %d %s", code, resp)
	}
	plan, err := b.SharedPlan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, sb := range plan {
		if sb.ID == w.ID {
			found = true
			if want := time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC); !sb.Start.Equal(want) || !sb.End.Equal(want.Add(2*time.Hour)) {
				t.Fatalf("W moved in a calendar app read at %s–%s, want %s", sb.Start, sb.End, want)
			}
		}
		if !strings.HasPrefix(BlockUID(sb.ID), BlockUIDPrefix) || sb.ID == "m1@example.com" {
			t.Fatalf("a foreign event read as a block: %+v", sb)
		}
	}
	if !found || len(plan) != 2 {
		t.Fatalf("shared plan: %+v", plan)
	}
}

// TestBlockIDFromUIDRoundTrip: every block ID survives BlockUID and back,
// and UIDs BlockUID never makes are refused.
func TestBlockIDFromUIDRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(16))
	for i := 0; i < 2000; i++ {
		b := make([]byte, 1+rng.Intn(30))
		for j := range b {
			b[j] = byte(rng.Intn(256))
		}
		id := string(b)
		got, ok := blockIDFromUID(BlockUID(id))
		if !ok || got != id {
			t.Fatalf("%q → %q → %q, %v", id, BlockUID(id), got, ok)
		}
	}
	for _, uid := range []string{"", "lull-block-", "lull-block-_4", "lull-block-_zz", "lull-block-_41", "other-x", "lull-block-a b"} {
		if id, ok := blockIDFromUID(uid); ok {
			t.Errorf("%q read as block ID %q", uid, id)
		}
	}
}

// TestSetSyncNeedsCalDAV: only a CalDAV calendar can share the plan with
// other devices; asking it of a file calendar says so and changes nothing.
func TestSetSyncNeedsCalDAV(t *testing.T) {
	env := newSourceEnv(t, SourceOptions{})
	path := filepath.Join(t.TempDir(), "work.ics")
	if err := os.WriteFile(path, []byte(sampleICS), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := env.st.AddFileSource(path, "Work")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.st.SetSync(cfg.ID, true); !errors.Is(err, ErrBadSource) || !strings.Contains(err.Error(), "needs a CalDAV calendar") ||
		strings.Contains(err.Error(), "save") { // a refusal, not a failure to save
		t.Fatalf("SetSync on a file calendar: %v", err)
	}
	if got, err := env.st.Config(cfg.ID); err != nil || got.Sync {
		t.Fatalf("sync stored for a file calendar: %+v %v", got, err)
	}
	if got, err := env.st.SetSync(cfg.ID, false); err != nil || got.Sync {
		t.Fatalf("switching sync off: %+v %v", got, err)
	}
}

// TestSetSyncOneCalendar: one calendar carries the sync. Switching it on
// for a second calendar while the first has it is refused in words (which
// calendar has it, what to do) and changes nothing; switching it off is
// always possible, again on is no change, and once the first lets go the
// second can take it.
func TestSetSyncOneCalendar(t *testing.T) {
	env := newSourceEnv(t, SourceOptions{})
	dav := newFakeDAV(t)
	first, second := addFakeCalDAV(t, env, dav), addFakeCalDAV(t, env, dav)
	if _, err := env.st.SetSync(first.ID, true); err != nil {
		t.Fatal(err)
	}
	if got, err := env.st.SetSync(first.ID, true); err != nil || !got.Sync {
		t.Fatalf("on again for the calendar that has it: %+v %v", got, err)
	}
	_, err := env.st.SetSync(second.ID, true)
	want := fmt.Sprintf(`calendar %q: sync is on for another calendar, %q: one calendar carries the sync with your other devices, so switch sync off for %q first`,
		second.Name, first.Name, first.Name)
	if !errors.Is(err, ErrSyncElsewhere) || err.Error() != want {
		t.Fatalf("sync on for a second calendar: %v, want %q", err, want)
	}
	for id, on := range map[string]bool{first.ID: true, second.ID: false} {
		if got, err := env.st.Config(id); err != nil || got.Sync != on {
			t.Errorf("%s after the refusal: sync %v, %v; want %v", id, got.Sync, err, on)
		}
	}
	if got, err := env.st.SetSync(second.ID, false); err != nil || got.Sync {
		t.Errorf("off for the calendar without it: %+v %v", got, err)
	}
	if got, err := env.st.SetSync(first.ID, false); err != nil || got.Sync {
		t.Fatalf("off for the calendar that has it: %+v %v", got, err)
	}
	if got, err := env.st.SetSync(second.ID, true); err != nil || !got.Sync {
		t.Fatalf("on for the second once the first let go: %+v %v", got, err)
	}
	if _, err := env.st.SetSync(first.ID, true); !errors.Is(err, ErrSyncElsewhere) {
		t.Errorf("on for the first while the second has it: %v", err)
	}
}
