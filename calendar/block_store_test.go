package calendar

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/lullapp/lull/internal/store"
)

// mustOpenBlocks opens a block store on a fresh database in t.TempDir and
// closes it at cleanup; it also returns the path for reopening.
func mustOpenBlocks(t *testing.T) (*BlockStore, *store.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lull.db")
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	bs, err := NewBlockStore(db)
	if err != nil {
		t.Fatal(err)
	}
	return bs, db, path
}

func TestBlockStoreSaveListRange(t *testing.T) {
	loc := planLoc(t)
	st, _, _ := mustOpenBlocks(t)
	blocks := []Block{
		{ID: "lull-c", Start: planAt(loc, 2, 9, 0), End: planAt(loc, 2, 11, 0), State: StateProposed, Reason: "c"},
		{ID: "lull-a", Start: planAt(loc, 0, 9, 0), End: planAt(loc, 0, 11, 0), State: StateAccepted, Reason: "a"},
		{ID: "lull-b", Start: planAt(loc, 1, 23, 0), End: planAt(loc, 2, 1, 0), State: StateProposed, Reason: "b"},
	}
	if err := st.Save(blocks...); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		from, to time.Time
		want     []string
	}{
		{planAt(loc, 0, 0, 0), planAt(loc, 7, 0, 0), []string{"lull-a", "lull-b", "lull-c"}},
		{planAt(loc, 2, 0, 0), planAt(loc, 3, 0, 0), []string{"lull-b", "lull-c"}}, // b started the day before
		{planAt(loc, 0, 11, 0), planAt(loc, 1, 23, 0), nil},                        // half-open at both ends
		{planAt(loc, 0, 10, 59), planAt(loc, 0, 11, 0), []string{"lull-a"}},
	}
	for _, c := range cases {
		got, err := st.List(c.from, c.to)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, b := range got {
			ids = append(ids, b.ID)
		}
		if len(ids) != len(c.want) || (len(ids) > 0 && !sameIDs(ids, c.want)) {
			t.Errorf("List(%v, %v) = %v, want %v", c.from, c.to, ids, c.want)
		}
	}
	got, err := st.Get("lull-a")
	if err != nil || !got.Start.Equal(blocks[1].Start) || got.State != StateAccepted || got.Reason != "a" {
		t.Fatalf("Get: %+v, %v", got, err)
	}
	if _, err := st.Get("nope"); !errors.Is(err, ErrNoSuchBlock) {
		t.Fatalf("Get unknown: %v, want ErrNoSuchBlock", err)
	}
}

func sameIDs(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestBlockStoreRejectsBadBlocks(t *testing.T) {
	loc := planLoc(t)
	st, _, _ := mustOpenBlocks(t)
	good := Block{ID: "lull-ok", Start: planAt(loc, 0, 9, 0), End: planAt(loc, 0, 10, 0), State: StateProposed}
	for _, b := range []Block{
		{ID: "", Start: planAt(loc, 0, 9, 0), End: planAt(loc, 0, 10, 0), State: StateProposed},
		{ID: "lull-x", Start: planAt(loc, 0, 9, 0), End: planAt(loc, 0, 9, 0), State: StateProposed},
		{ID: "lull-x", Start: planAt(loc, 0, 9, 0), End: planAt(loc, 2, 9, 0), State: StateProposed},
		{ID: "lull-x", Start: planAt(loc, 0, 9, 0), End: planAt(loc, 0, 10, 0), State: "maybe"},
	} {
		// One bad block spoils the whole transaction: nothing is saved.
		if err := st.Save(good, b); !errors.Is(err, ErrBadBlock) {
			t.Errorf("Save(%+v): %v, want ErrBadBlock", b, err)
		}
	}
	if all, _ := st.List(planAt(loc, -1, 0, 0), planAt(loc, 7, 0, 0)); len(all) != 0 {
		t.Fatalf("a failed Save left %d blocks behind", len(all))
	}
}

func TestBlockStoreUserActions(t *testing.T) {
	loc := planLoc(t)
	st, db, path := mustOpenBlocks(t)
	a := Block{ID: "lull-a", Start: planAt(loc, 0, 9, 0), End: planAt(loc, 0, 11, 0), State: StateProposed, Reason: "r"}
	b := Block{ID: "lull-b", Start: planAt(loc, 1, 9, 0), End: planAt(loc, 1, 11, 0), State: StateProposed, Reason: "r"}
	c := Block{ID: "lull-c", Start: planAt(loc, 2, 9, 0), End: planAt(loc, 2, 11, 0), State: StateProposed, Reason: "r"}
	if err := st.Save(a, b, c); err != nil {
		t.Fatal(err)
	}
	if got, err := st.Accept("lull-a"); err != nil || got.State != StateAccepted {
		t.Fatalf("Accept: %+v, %v", got, err)
	}
	if got, err := st.Skip("lull-b"); err != nil || got.State != StateSkipped {
		t.Fatalf("Skip: %+v, %v", got, err)
	}
	// Move re-indexes: the block leaves Monday's range and appears on Thursday's.
	moved, err := st.Move("lull-a", planAt(loc, 3, 14, 0), planAt(loc, 3, 15, 30))
	if err != nil || moved.ID != "lull-a" || moved.State != StateAccepted || moved.Reason != "moved by you" {
		t.Fatalf("Move: %+v, %v", moved, err)
	}
	if mon, _ := st.List(planAt(loc, 0, 0, 0), planAt(loc, 1, 0, 0)); len(mon) != 0 {
		t.Fatalf("moved block still listed on Monday: %+v", mon)
	}
	if thu, _ := st.List(planAt(loc, 3, 0, 0), planAt(loc, 4, 0, 0)); len(thu) != 1 || thu[0].ID != "lull-a" {
		t.Fatalf("moved block not listed on Thursday: %+v", thu)
	}
	if _, err := st.Move("lull-a", planAt(loc, 3, 15, 0), planAt(loc, 3, 14, 0)); !errors.Is(err, ErrBadBlock) {
		t.Fatalf("Move backwards: %v, want ErrBadBlock", err)
	}
	for _, f := range []func() error{
		func() error { _, err := st.Accept("nope"); return err },
		func() error { _, err := st.Skip("nope"); return err },
		func() error { _, err := st.Move("nope", a.Start, a.End); return err },
		func() error { _, err := st.Delete("nope", a.Start); return err },
	} {
		if err := f(); !errors.Is(err, ErrNoSuchBlock) {
			t.Errorf("action on unknown block: %v, want ErrNoSuchBlock", err)
		}
	}
	deletedAt := planAt(loc, 0, 8, 30)
	ts, err := st.Delete("lull-c", deletedAt)
	if err != nil || ts.ID != "lull-c" || !ts.Start.Equal(c.Start) || !ts.End.Equal(c.End) || !ts.Deleted.Equal(deletedAt) {
		t.Fatalf("Delete: %+v, %v", ts, err)
	}
	if _, err := st.Get("lull-c"); !errors.Is(err, ErrNoSuchBlock) {
		t.Fatalf("deleted block still there: %v", err)
	}
	// Everything survives a reopen.
	db.Close()
	db2, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	st2, err := NewBlockStore(db2)
	if err != nil {
		t.Fatal(err)
	}
	all, err := st2.List(planAt(loc, -1, 0, 0), planAt(loc, 7, 0, 0))
	if err != nil || len(all) != 2 || all[0].ID != "lull-b" || all[0].State != StateSkipped || all[1].ID != "lull-a" {
		t.Fatalf("after reopen: %+v, %v", all, err)
	}
	tombs, err := st2.Tombstones()
	if err != nil || len(tombs) != 1 || tombs[0].ID != "lull-c" {
		t.Fatalf("tombstones after reopen: %+v, %v", tombs, err)
	}
}

// TestBlockStorePlanCycle is the user's loop: plan, store, accept one,
// delete one, calendar changes, re-plan from the store. The deleted block
// never comes back, the accepted block moves only because of the conflict,
// and the store ends up equal to the plan.
func TestBlockStorePlanCycle(t *testing.T) {
	loc := planLoc(t)
	st, _, _ := mustOpenBlocks(t)
	s := DefaultPlanSettings()
	s.Zone = "Europe/Berlin"
	in := PlanInput{From: planAt(loc, 0, 8, 0), Settings: s, Location: loc, Busy: []Interval{planSpan(loc, 1, 13, 0, 14, 0)}}
	lo, hi := planAt(loc, -1, 0, 0), planAt(loc, 21, 0, 0)

	first, err := Plan(in)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Save(first...); err != nil {
		t.Fatal(err)
	}
	accepted, deleted := first[0], first[1]
	if _, err := st.Accept(accepted.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Delete(deleted.ID, in.From); err != nil {
		t.Fatal(err)
	}
	// A meeting lands in the accepted block.
	in.Busy = append(in.Busy, Interval{accepted.Start.Add(time.Hour), accepted.End})
	prev, err := st.List(lo, hi)
	if err != nil {
		t.Fatal(err)
	}
	if in.Tombstones, err = st.Tombstones(); err != nil {
		t.Fatal(err)
	}
	c, err := Replan(prev, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Move) != 1 || c.Move[0].To.ID != accepted.ID {
		t.Fatalf("want the accepted block moved, got %+v", c.Move)
	}
	if err := st.Apply(c); err != nil {
		t.Fatal(err)
	}
	stored, err := st.List(lo, hi)
	if err != nil {
		t.Fatal(err)
	}
	want := c.Blocks()
	if len(stored) != len(want) {
		t.Fatalf("store has %d blocks, plan %d", len(stored), len(want))
	}
	for i := range want {
		if stored[i].ID != want[i].ID || !stored[i].Start.Equal(want[i].Start) || stored[i].State != want[i].State {
			t.Errorf("stored %+v, planned %+v", stored[i], want[i])
		}
		if stored[i].ID == deleted.ID || stored[i].Interval().Overlaps(deleted.Interval()) {
			t.Errorf("deleted block re-created as %+v", stored[i])
		}
	}
	in.Existing = prev
	checkInvariants(t, in, want)
}
