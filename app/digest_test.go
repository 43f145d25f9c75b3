package app

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

func TestDigestHeldQueueAndDeliverNow(t *testing.T) {
	h := newHarness(t)
	h.ui.selectTab(tabDigest)
	d := h.ui.digest
	if d.heldTitle.Text != "Nothing held" || !d.deliver.Disabled() || len(d.views) != 0 {
		t.Fatalf("empty: title %q, deliver off %v, %d digests", d.heldTitle.Text, d.deliver.Disabled(), len(d.views))
	}

	test.Tap(h.ui.today.toggle)
	h.wait()
	h.hold("Mail", "Invoice 42", "Lunch?")
	h.advance(2 * time.Minute)
	h.hold("CI", "Build failed")
	h.hold("CI", "Build failed") // a repeat collapses into one item ×2
	h.advance(time.Minute)       // the minute refresh shows them while focusing
	if menu, _, _ := h.app.state(); menuItem(t, menu, "Deliver digest now (4 held)").Disabled {
		t.Error("tray deliver item off with items held")
	}
	if d.heldTitle.Text != "Held while focusing (4)" || d.deliver.Disabled() {
		t.Fatalf("focusing: title %q, deliver off %v", d.heldTitle.Text, d.deliver.Disabled())
	}
	if got := texts(d.heldItems); strings.Join(got, "|") != "● Build failed ×2 (08:02)|● Lunch? (08:00)|● Invoice 42 (08:00)" {
		t.Errorf("held items %q, want newest first", got)
	}
	test.AssertRendersToMarkup(t, "digest_held.xml", h.ui.win.Canvas())

	test.Tap(d.deliver)
	h.wait()
	sent := h.sent.Sent()
	if len(sent) != 1 || sent[0].Title != "Lull — 4 held" {
		t.Fatalf("sent %+v, want one digest of 4", sent)
	}
	held, err := h.svc.Notify.Held()
	if err != nil || len(held) != 0 {
		t.Fatalf("held after delivery: %d, %v", len(held), err)
	}
	if d.heldTitle.Text != "Focusing: nothing held yet" || !d.deliver.Disabled() {
		t.Errorf("after delivery: title %q, deliver off %v", d.heldTitle.Text, d.deliver.Disabled())
	}
	if len(d.views) != 1 {
		t.Fatalf("%d digests listed, want 1", len(d.views))
	}
	v := d.views[0]
	if v.title.Text != "08:03 · manual · 4 held · 3 unread" {
		t.Errorf("digest title %q", v.title.Text)
	}
	var groups []string
	for _, g := range v.groups {
		groups = append(groups, g.Text)
	}
	if strings.Join(groups, "|") != "Mail (2)|CI (2)" && strings.Join(groups, "|") != "CI (2)|Mail (2)" {
		t.Errorf("groups %q, want Mail and CI", groups)
	}
	if menu, _, _ := h.app.state(); !menuItem(t, menu, "Deliver digest now (none held)").Disabled {
		t.Error("tray still offers to deliver")
	}
	test.AssertRendersToMarkup(t, "digest_delivered.xml", h.ui.win.Canvas())

	test.Tap(v.markRead)
	h.wait()
	ds, err := h.svc.Notify.ListDigests(time.Unix(0, 0), h.clk.Now().Add(time.Minute), 0)
	if err != nil || len(ds) != 1 {
		t.Fatalf("digests %d, %v", len(ds), err)
	}
	for _, it := range ds[0].Items {
		if !it.Read {
			t.Errorf("item %q not read after Mark read", it.Title)
		}
	}
	v = d.views[0]
	if !strings.HasSuffix(v.title.Text, "· read") || !v.markRead.Disabled() {
		t.Errorf("after Mark read: title %q, button off %v", v.title.Text, v.markRead.Disabled())
	}
}

func TestDigestsNewestFirst(t *testing.T) {
	h := newHarness(t)
	h.hold("Mail", "first")
	if _, _, err := h.svc.Notify.DeliverNow(); err != nil {
		t.Fatal(err)
	}
	h.advance(time.Hour)
	h.hold("Chat", "second")
	h.ui.selectTab(tabDigest)
	if got := h.ui.digest.heldTitle.Text; got != "Held for the next digest (1)" {
		t.Errorf("idle held title %q", got)
	}
	test.Tap(h.ui.digest.deliver)
	h.wait()
	var titles []string
	for _, v := range h.ui.digest.views {
		titles = append(titles, v.title.Text)
	}
	want := "09:00 · manual · 1 held · 1 unread|08:00 · manual · 1 held · 1 unread"
	if strings.Join(titles, "|") != want {
		t.Errorf("digests %q, want newest first %q", titles, want)
	}
}
