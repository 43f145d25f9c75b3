package notify

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/store"
)

func TestDigestMessage(t *testing.T) {
	at := mon
	item := func(source, title string, count int) Item {
		at = at.Add(time.Minute) // later items are newer
		return Item{Notification: Notification{Source: source, Title: title}, Count: count, LastAt: at}
	}
	long := strings.Repeat("Quarterly planning ", 5)
	for _, tc := range []struct {
		name  string
		items []Item
		want  Message
	}{
		{"counts when there are no titles", []Item{item("Chat", "", 2), item("Mail", "", 5), item("CI", "", 3), item("Mail", "", 4), item("Build", "", 2)},
			Message{Title: "Lull — 16 held", Body: "Mail 9 · CI 3 · Build 2 · Chat 2"}},
		{"top senders per app, the rest counted", []Item{
			item("Slack", "Dana", 1), item("Slack", "Erin", 1), item("Slack", "Frank", 1),
			item("Slack", "Bob", 1), item("Slack", "Alice", 1), item("ci", "Nightly failed", 1)},
			Message{Title: "Lull — 6 held", Body: "Slack: Alice, Bob +3 · ci: Nightly failed"}},
		{"the most frequent sender first, with its count", []Item{
			item("Slack", "Bob", 1), item("Slack", "Dana", 1), item("Slack", "alice", 3), item("Slack", "Alice", 1), item("Mail", "Invoice", 1)},
			Message{Title: "Lull — 7 held", Body: "Slack: Alice ×4, Dana +1 · Mail: Invoice"}},
		{"long titles are cut", []Item{item("Mail", long, 1)},
			Message{Title: "Lull — 1 held", Body: "Mail: Quarterly planning Quarterly planning Q…"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := (Digest{Items: tc.items}).Message(); got != tc.want {
				t.Fatalf("Message() = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestDigestMessageBounded: however many sources and titles, the popup
// stays within MaxDigestBodyRunes plus the closing summary, and the numbers
// add up to the total.
func TestDigestMessageBounded(t *testing.T) {
	var items []Item
	for i := range 60 {
		items = append(items, Item{Notification: Notification{Source: fmt.Sprintf("source-%02d-%s", i, strings.Repeat("x", i)),
			Title: strings.Repeat("title ", 10)}, Count: 60 - i, LastAt: mon})
	}
	m := Digest{Items: items}.Message()
	if n := utf8.RuneCountInString(m.Body); n > MaxDigestBodyRunes+40 {
		t.Fatalf("body of %d runes: %q", n, m.Body)
	}
	if !strings.Contains(m.Body, "more sources") || !strings.HasPrefix(m.Body, "source-00") {
		t.Fatalf("body %q does not start with the biggest source and sum up the rest", m.Body)
	}
}

func TestDigestScheduledAndEmpty(t *testing.T) {
	r := newRig(t, mon, Config{}, false)
	if err := r.svc.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	r.clk.Advance(10 * time.Minute)
	r.submit(t, apiN("Mail", "a"), apiN("CI", "red"))
	r.clk.Advance(5 * time.Minute)
	r.submit(t, apiN("Mail", "a")) // collapses into the first
	r.clk.Advance(25 * time.Minute)
	r.submit(t, apiN("Mail", "b"))
	r.clk.Set(time.Date(2026, 11, 23, 8, 59, 59, 0, time.UTC))
	if n := len(r.rec.Sent()); n != 0 {
		t.Fatalf("%d messages before 09:00", n)
	}
	r.clk.Set(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	want := []Message{{Title: "Lull — 4 held", Body: "Mail: a ×2, b · CI: red"}}
	if got := r.rec.Sent(); !reflect.DeepEqual(got, want) {
		t.Fatalf("at 09:00 sent %+v, want %+v", got, want)
	}
	// 12:30 and 16:30 find nothing held: nothing is sent.
	r.clk.Set(time.Date(2026, 11, 23, 17, 0, 0, 0, time.UTC))
	if got := r.rec.Sent(); len(got) != 1 {
		t.Fatalf("empty digests sent something: %+v", got)
	}
	// The next day's 09:00 is armed.
	r.submit(t, apiN("Chat", "hi"))
	r.clk.Set(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
	if got := r.rec.Sent(); len(got) != 2 || got[1].Title != "Lull — 1 held" {
		t.Fatalf("next day: %+v", got)
	}
	ds, err := r.svc.ListDigests(mon, mon.Add(48*time.Hour), 0)
	if err != nil || len(ds) != 2 || ds[0].At.Before(ds[1].At) || ds[1].Reason != DigestScheduled {
		t.Fatalf("ListDigests = %+v, %v", ds, err)
	}
	g := ds[1].Groups()
	if len(g) != 2 || g[0].Source != "Mail" || g[0].Count != 3 || g[0].Items[0].Title != "b" || g[0].Items[1].Title != "a" {
		t.Fatalf("groups (newest first within Mail) = %+v", g)
	}
	if err := r.svc.MarkRead(ds[1].ID, g[0].Items[0].ID); err != nil {
		t.Fatal(err)
	}
	ds, _ = r.svc.ListDigests(mon, mon.Add(48*time.Hour), 1)
	if len(ds) != 1 || ds[0].Items[0].Read {
		t.Fatalf("limit or wrong digest marked: %+v", ds)
	}
	ds, _ = r.svc.ListDigests(mon, mon.Add(24*time.Hour), 0)
	read := 0
	for _, it := range ds[0].Items {
		if it.Read {
			read++
		}
	}
	if read != 1 {
		t.Fatalf("%d items read, want 1", read)
	}
	if err := r.svc.MarkRead(ds[0].ID, "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("MarkRead(unknown item) = %v", err)
	}
	batched, digests, err := r.svc.Stats(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC))
	if err != nil || batched != 5 || digests != 2 {
		t.Fatalf("Stats = %d, %d, %v; want 5 batched, 2 digests", batched, digests, err)
	}
}

// TestDigestDeferredToBlockEnd: the 09:00 digest falls inside a 08:30–10:00
// block; nothing is sent until the block ends, and then, in this order, the
// held originals are closed on the server, DND is left, and one digest is
// sent.
func TestDigestDeferredToBlockEnd(t *testing.T) {
	r := newRig(t, mon, Config{}, false)
	if err := r.svc.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	r.clk.Advance(30 * time.Minute)
	end := mon.Add(2 * time.Hour)
	r.focus.set(true, end)
	r.svc.FocusStarted()
	r.submit(t, deskN("Mail", "m1", UrgencyNormal, 7), deskN("Mail", "m2", UrgencyNormal, 8), apiN("CI", "red"))
	r.clk.Set(time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC))
	if got := r.rec.Sent(); len(got) != 0 {
		t.Fatalf("digest sent during focus: %+v", got)
	}
	if !r.svc.Pending() {
		t.Fatal("09:00 digest not pending during focus")
	}
	r.clk.Set(end)
	r.focus.set(false, time.Time{})
	r.svc.FocusEnded(time.Hour)
	want := []string{"dnd enter", "close 7", "close 8", "dnd leave", "send Lull — 3 held | Mail: m1, m2 · CI: red"}
	if got := r.rec.log(); !reflect.DeepEqual(got, want) {
		t.Fatalf("events = %q, want %q", got, want)
	}
	// The safety-net retry at the block's planned end finds nothing more.
	r.clk.Advance(time.Minute)
	if got := r.rec.log(); len(got) != len(want) || r.svc.Pending() {
		t.Fatalf("extra events after block end: %q", got)
	}
	ds, _ := r.svc.ListDigests(mon, end.Add(time.Hour), 0)
	if len(ds) != 1 || ds[0].Reason != DigestFocusEnd {
		t.Fatalf("digests = %+v", ds)
	}
}

// TestDigestDeferredWithoutFocusEnd: if the block end is never announced,
// the deferred digest still goes out once the planned end has passed.
func TestDigestDeferredWithoutFocusEnd(t *testing.T) {
	r := newRig(t, mon, Config{}, false)
	if err := r.svc.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	end := time.Date(2026, 11, 23, 9, 45, 0, 0, time.UTC)
	r.focus.set(true, end)
	r.submit(t, apiN("CI", "red"))
	r.clk.Set(time.Date(2026, 11, 23, 9, 44, 0, 0, time.UTC))
	if len(r.rec.Sent()) != 0 {
		t.Fatal("sent during focus")
	}
	r.focus.set(false, time.Time{})
	r.clk.Set(end.Add(2 * time.Second))
	if got := r.rec.Sent(); len(got) != 1 || got[0].Title != "Lull — 1 held" {
		t.Fatalf("after the block: %+v", got)
	}
}

// TestDigestCatchUp: Lull stopped at 08:10 with items held and restarted at
// 17:00: one catch-up digest at start for the three missed times, not three.
func TestDigestCatchUp(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lull.db")
	run := func(at time.Time, focusing bool, f func(s *Service, rec *recorder, clk *clock.Fake)) {
		db, err := store.Open(path, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		rec, clk := newRecorder(), clock.NewFake(at)
		focus := &fakeFocus{on: focusing, until: at.Add(time.Hour)}
		s, err := New(Deps{DB: db, Clock: clk, Focus: focus, Sender: rec, Logf: t.Logf}, Config{Location: time.UTC})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := s.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		f(s, rec, clk)
	}
	run(mon, false, func(s *Service, rec *recorder, clk *clock.Fake) {
		clk.Advance(10 * time.Minute)
		if _, err := s.Submit(t.Context(), []Notification{apiN("Mail", "a"), apiN("CI", "b")}); err != nil {
			t.Fatal(err)
		}
		if len(rec.Sent()) != 0 {
			t.Fatal("first start sent a digest")
		}
	})
	run(mon.Add(9*time.Hour), false, func(s *Service, rec *recorder, clk *clock.Fake) {
		want := []Message{{Title: "Lull — 2 held", Body: "CI: b · Mail: a"}}
		if got := rec.Sent(); !reflect.DeepEqual(got, want) {
			t.Fatalf("catch-up sent %+v, want %+v", got, want)
		}
		ds, _ := s.ListDigests(mon, mon.Add(24*time.Hour), 0)
		if len(ds) != 1 || ds[0].Reason != DigestCatchUp {
			t.Fatalf("digests = %+v", ds)
		}
	})
	// Restarting before the next digest time catches nothing up.
	run(mon.Add(9*time.Hour+time.Minute), false, func(s *Service, rec *recorder, clk *clock.Fake) {
		if got := rec.Sent(); len(got) != 0 {
			t.Fatalf("second restart sent %+v", got)
		}
		if _, err := s.Submit(t.Context(), []Notification{apiN("Chat", "x")}); err != nil {
			t.Fatal(err)
		}
	})
	// Missed times and restarting inside a focus block: the catch-up waits
	// for the block's end.
	run(mon.Add(25*time.Hour), true, func(s *Service, rec *recorder, clk *clock.Fake) {
		if got := rec.Sent(); len(got) != 0 || !s.Pending() {
			t.Fatalf("catch-up during focus: sent %+v, pending %v", got, s.Pending())
		}
		s.d.Focus.(*fakeFocus).set(false, time.Time{})
		s.FocusEnded(time.Hour)
		if got := rec.Sent(); len(got) != 1 || got[0].Title != "Lull — 1 held" {
			t.Fatalf("after the block: %+v", got)
		}
	})
}

// TestBreakthroughDuringFocus: breakthroughs are shown at once and reported
// as interruptions; with a server that hides even critical notifications in
// DND (dunst), DND is lifted after closing the held originals, and later
// held originals are closed as they arrive.
func TestBreakthroughDuringFocus(t *testing.T) {
	r := newRig(t, mon, Config{}, true)
	r.focus.set(true, mon.Add(time.Hour))
	r.svc.FocusStarted()
	r.submit(t, deskN("Mail", "held", UrgencyNormal, 3))
	res := r.submit(t, Notification{Source: "ci", Title: "prod down", Priority: PriorityUrgent, Origin: OriginAPI})
	if res[0].Decision != ActionBreakthrough {
		t.Fatalf("urgent: %+v", res[0])
	}
	r.submit(t, deskN("Chat", "call me", UrgencyCritical, 4))
	r.submit(t, deskN("Mail", "held later", UrgencyNormal, 5))
	r.focus.set(false, time.Time{})
	r.svc.FocusEnded(time.Hour)
	want := []string{
		"dnd enter",
		"interruption ci: urgent",
		"close 3", "dnd leave",
		"send ci: prod down | Let through: urgent",
		"interruption Chat: urgent",
		"close 5",
		"send Lull — 2 held | Mail: held, held later",
	}
	if got := r.rec.log(); !reflect.DeepEqual(got, want) {
		t.Fatalf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(r.rec.ints) != 2 || r.rec.ints[0].NotificationID != res[0].ID {
		t.Fatalf("interruptions = %+v", r.rec.ints)
	}
	// Outside focus a breakthrough is not an interruption, and a desktop
	// notification passes untouched.
	res = r.submit(t, Notification{Source: "ci", Title: "again", Priority: PriorityUrgent, Origin: OriginAPI},
		deskN("Chat", "hello", UrgencyNormal, 9))
	if res[1].Decision != ActionPass || len(r.rec.ints) != 2 {
		t.Fatalf("outside focus: %+v, %d interruptions", res, len(r.rec.ints))
	}
	logged, err := r.svc.Queue().Log(mon.Add(-time.Hour), mon.Add(time.Hour))
	if err != nil || len(logged) != 4 {
		t.Fatalf("decision log = %+v, %v; want 4 entries", logged, err)
	}
	for _, it := range logged {
		if it.Decision.Reason == "" {
			t.Errorf("decision without reason: %+v", it)
		}
	}
}

func TestDeliverNow(t *testing.T) {
	r := newRig(t, mon, Config{DigestTimes: []TimeOfDay{{18, 0}}}, false)
	if _, ok, err := r.svc.DeliverNow(); ok || err != nil {
		t.Fatalf("empty DeliverNow: ok=%v err=%v", ok, err)
	}
	r.submit(t, apiN("CI", "x"))
	r.focus.set(true, mon.Add(time.Hour))
	d, ok, err := r.svc.DeliverNow()
	if err != nil || !ok || d.Total() != 1 || d.Reason != DigestManual {
		t.Fatalf("DeliverNow = %+v %v %v", d, ok, err)
	}
	if got := r.rec.Sent(); len(got) != 1 {
		t.Fatalf("sent %+v", got)
	}
	if h, _ := r.svc.Held(); len(h) != 0 {
		t.Fatalf("still held: %+v", h)
	}
}

func TestNextDigestZoneAndParse(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	r := newRig(t, mon, Config{Location: loc, DigestTimes: []TimeOfDay{{16, 30}, {9, 0}}}, false)
	got := r.svc.NextDigest(time.Date(2026, 11, 23, 8, 30, 0, 0, time.UTC)) // 09:30 in Berlin
	if want := time.Date(2026, 11, 23, 16, 30, 0, 0, loc); !got.Equal(want) {
		t.Fatalf("NextDigest = %v, want %v", got, want)
	}
	got = r.svc.NextDigest(time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC))
	if want := time.Date(2026, 11, 24, 9, 0, 0, 0, loc); !got.Equal(want) {
		t.Fatalf("NextDigest = %v, want %v", got, want)
	}
	if tod, err := ParseTimeOfDay("12:30"); err != nil || tod != (TimeOfDay{12, 30}) || tod.String() != "12:30" {
		t.Fatalf("ParseTimeOfDay = %v, %v", tod, err)
	}
	if _, err := ParseTimeOfDay("25:00"); err == nil {
		t.Fatal("ParseTimeOfDay accepted 25:00")
	}
}

// TestBatchDesktopAllDay: with the setting on, a desktop notification
// outside focus is held and its original closed on the server at once.
func TestBatchDesktopAllDay(t *testing.T) {
	r := newRig(t, mon, Config{Rules: Rules{BatchDesktopAllDay: true}}, false)
	res := r.submit(t, deskN("Chat", "hi", UrgencyNormal, 11), deskN("Mail", "x", UrgencyNormal, 0))
	if res[0].Decision != ActionHold || res[1].Decision != ActionHold {
		t.Fatalf("results = %+v", res)
	}
	if got, want := r.rec.log(), []string{"close 11"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("events = %q, want %q", got, want)
	}
}

func TestSplitSender(t *testing.T) {
	normal, urgent := newRecorder(), newRecorder()
	s := splitSender{normal: normal, urgent: urgent}
	if err := s.Send(Message{Title: "digest"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(Message{Title: "now", Urgent: true}); err != nil {
		t.Fatal(err)
	}
	if n, u := normal.Sent(), urgent.Sent(); len(n) != 1 || n[0].Title != "digest" || len(u) != 1 || u[0].Title != "now" {
		t.Fatalf("normal %+v, urgent %+v", n, u)
	}
}

// TestDeliveredIsToldOfEveryDigest: Deps.Delivered hears of each digest
// delivered, with its ID, after delivery let go of its lock (so it may ask
// the service again), and of no digest when nothing was held.
func TestDeliveredIsToldOfEveryDigest(t *testing.T) {
	db := MustOpen(t)
	var svc *Service
	var told []string
	svc, err := New(Deps{DB: db, Clock: clock.NewFake(mon), Focus: &fakeFocus{}, Logf: t.Logf,
		Delivered: func(d Digest) {
			told = append(told, d.ID)
			if _, ok, err := svc.DeliverNow(); ok || err != nil { // nothing held any more; no deadlock
				t.Errorf("deliver again from Delivered: %v %v", ok, err)
			}
		}}, Config{Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	if _, ok, _ := svc.DeliverNow(); ok || len(told) != 0 {
		t.Fatalf("nothing held: delivered %v, told %v", ok, told)
	}
	if _, err := svc.Submit(t.Context(), []Notification{apiN("ci", "a")}); err != nil {
		t.Fatal(err)
	}
	d, ok, err := svc.DeliverNow()
	if !ok || err != nil || len(told) != 1 || told[0] != d.ID {
		t.Fatalf("delivered %v %v, told %v, want [%s]", ok, err, told, d.ID)
	}
}
