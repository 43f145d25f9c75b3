package notify

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

// TestSourceDigest: a source batched to 16:30 stays out of the 09:00 and
// 12:30 digests and of a focus-end digest, is delivered by the 16:30 one,
// and an item arriving after 16:30 waits for the next day's; identical
// repeats still collapse into the item left held; "deliver now" takes
// everything.
func TestSourceDigest(t *testing.T) {
	at := func(day, h, m int) time.Time { return time.Date(2026, 11, 23+day, h, m, 0, 0, time.UTC) }
	r := newRig(t, mon, Config{SourceDigest: map[string]TimeOfDay{"ci": {16, 30}}}, false)
	if err := r.svc.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	r.clk.Set(at(0, 8, 10))
	r.submit(t, apiN("CI", "build red"), apiN("Mail", "a"))
	r.clk.Set(at(0, 9, 0))
	r.clk.Set(at(0, 10, 0))
	r.submit(t, apiN("CI", "build red")) // collapses into the held item
	r.clk.Set(at(0, 12, 30))
	r.submit(t, apiN("Mail", "b"))
	r.focus.set(true, at(0, 15, 0))
	r.clk.Set(at(0, 14, 0))
	r.focus.set(false, time.Time{})
	r.svc.FocusEnded(time.Hour) // focus-end digest: Mail b, not CI
	r.clk.Set(at(0, 16, 30))
	r.clk.Set(at(0, 17, 0))
	r.submit(t, apiN("CI", "deploy done"))
	r.clk.Set(at(1, 9, 0))
	r.clk.Set(at(1, 16, 30))
	want := []Message{
		{Title: "Lull — 1 held", Body: "Mail: a"},
		{Title: "Lull — 1 held", Body: "Mail: b"},
		{Title: "Lull — 2 held", Body: "CI: build red ×2"},
		{Title: "Lull — 1 held", Body: "CI: deploy done"},
	}
	if got := r.rec.Sent(); !reflect.DeepEqual(got, want) {
		t.Fatalf("sent %+v\nwant %+v", got, want)
	}
	r.submit(t, apiN("ci", "late"))
	d, ok, err := r.svc.DeliverNow()
	if err != nil || !ok || d.Total() != 1 {
		t.Fatalf("DeliverNow = %+v, %v, %v; want the batched item", d, ok, err)
	}
}

// TestMarkOpened: opening a digest is recorded once, with the first time,
// and survives a reopen of the database; an unknown id is ErrNotFound.
func TestMarkOpened(t *testing.T) {
	r := newRig(t, mon, Config{}, false)
	r.submit(t, apiN("Mail", "a"))
	d, ok, err := r.svc.DeliverNow()
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	r.clk.Advance(time.Hour)
	if err := r.svc.MarkOpened(d.ID); err != nil {
		t.Fatal(err)
	}
	r.clk.Advance(time.Hour)
	if err := r.svc.MarkOpened(d.ID); err != nil {
		t.Fatal(err)
	}
	ds, err := r.svc.ListDigests(mon, mon.Add(24*time.Hour), 0)
	if err != nil || len(ds) != 1 || !ds[0].Opened.Equal(mon.Add(time.Hour)) {
		t.Fatalf("ListDigests = %+v, %v; want opened at %v", ds, err, mon.Add(time.Hour))
	}
	if err := r.svc.MarkOpened("00"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("MarkOpened(bad) = %v", err)
	}
}
