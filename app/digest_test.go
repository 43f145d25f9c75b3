package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/notify"
)

// rowTexts lists the Digest tab's rows as "kind|text" lines.
func rowTexts(d *digestTab) []string {
	kinds := map[digestRowKind]string{rowSection: "section", rowDigest: "digest", rowApp: "app", rowSender: "sender", rowItem: "item", rowNote: "note"}
	var out []string
	for _, r := range d.data.rows {
		out = append(out, kinds[r.Kind]+"|"+r.Text)
	}
	return out
}

// shownRows are the row widgets the list has built, in the canvas.
func shownRows(c fyne.Canvas) []*digestRowView {
	var out []*digestRowView
	for _, o := range test.LaidOutObjects(c.Content()) {
		if v, ok := o.(*digestRowView); ok && v.Visible() {
			out = append(out, v)
		}
	}
	return out
}

// rowView finds the built row widget showing text.
func rowView(t *testing.T, c fyne.Canvas, text string) *digestRowView {
	t.Helper()
	for _, v := range shownRows(c) {
		if v.row.Text == text {
			return v
		}
	}
	t.Fatalf("no row %q on screen", text)
	return nil
}

func TestDigestHeldQueueAndDeliverNow(t *testing.T) {
	h := newHarness(t)
	h.ui.selectTab(tabDigest)
	h.wait()
	d := h.ui.digest
	if d.heldTitle.Text != "Nothing held" || !d.deliver.Disabled() || !d.markAll.Disabled() {
		t.Fatalf("empty: title %q, deliver off %v, mark all off %v", d.heldTitle.Text, d.deliver.Disabled(), d.markAll.Disabled())
	}

	test.Tap(h.ui.today.toggle)
	h.wait()
	h.hold("Mail", "Invoice 42", "Lunch?")
	h.advance(2 * time.Minute)
	h.hold("CI", "Build failed")
	h.hold("CI", "Build failed") // a repeat collapses into one item ×2
	h.ui.refreshSelected()
	h.wait()
	if got := h.ui.today.held.Text; got != "4 held, delivered when this focus ends." {
		t.Errorf("Today's held line %q with 4 held", got)
	}
	if d.heldTitle.Text != "4 held while you focus" || d.deliver.Disabled() {
		t.Fatalf("focusing: title %q, deliver off %v", d.heldTitle.Text, d.deliver.Disabled())
	}
	want := []string{
		"section|Held for the next digest (4), delivered when this focus ends",
		"app|CI · 2",
		"sender|Build failed · 2",
		"item|● Build failed ×2 · 08:02 · sent to Lull: batched for the digest",
		"app|Mail · 2",
		"sender|Invoice 42 · 1",
		"item|● Invoice 42 · 08:00 · sent to Lull: batched for the digest",
		"sender|Lunch? · 1",
		"item|● Lunch? · 08:00 · sent to Lull: batched for the digest",
		"section|Broke through in the last 7 days, and why",
		"note|Nothing broke through.",
		"section|Delivered digests",
		"note|No digests delivered yet.",
	}
	if got := rowTexts(d); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
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
	if d.heldTitle.Text != "Focusing: nothing held yet · 3 unread in the digests below" || !d.deliver.Disabled() || d.markAll.Disabled() {
		t.Errorf("after delivery: title %q, deliver off %v, mark all off %v", d.heldTitle.Text, d.deliver.Disabled(), d.markAll.Disabled())
	}
	title := "08:02 · delivered on request · 4 held · 3 unread"
	rows := strings.Join(rowTexts(d), "\n")
	for _, w := range []string{"digest|" + title, "app|CI · 2", "app|Mail · 2", "item|● Invoice 42 · 08:00 · sent to Lull: batched for the digest"} {
		if !strings.Contains(rows, w) {
			t.Errorf("rows lack %q:\n%s", w, rows)
		}
	}
	if got := h.ui.today.held.Text; got != "Nothing held." {
		t.Errorf("Today's held line %q after the delivery", got)
	}
	test.AssertRendersToMarkup(t, "digest_delivered.xml", h.ui.win.Canvas())

	// Mark read on the digest's row.
	test.Tap(rowView(t, h.ui.win.Canvas(), title).button)
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
	v := rowView(t, h.ui.win.Canvas(), "08:02 · delivered on request · 4 held · read")
	if !v.button.Disabled() || !d.markAll.Disabled() {
		t.Errorf("after Mark read: button off %v, mark all off %v", v.button.Disabled(), d.markAll.Disabled())
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
	h.wait()
	if got := h.ui.digest.heldTitle.Text; got != "1 held for the next digest · 1 unread in the digests below" {
		t.Errorf("idle held title %q", got)
	}
	test.Tap(h.ui.digest.deliver)
	h.wait()
	var titles []string
	for _, r := range h.ui.digest.data.rows {
		if r.Kind == rowDigest {
			titles = append(titles, r.Text)
		}
	}
	want := "09:00 · delivered on request · 1 held · 1 unread|08:00 · delivered on request · 1 held · 1 unread"
	if strings.Join(titles, "|") != want {
		t.Errorf("digests %q, want newest first %q", titles, want)
	}
}

// desktopNote is a captured desktop notification from app whose summary line
// (the sender, for chat and mail apps) is who.
func desktopNote(app, who, body string, at time.Time) notify.Notification {
	return notify.Notification{Source: app, App: app, Title: who, Body: body, Priority: notify.PriorityNormal, Origin: notify.OriginDesktop, Urgency: notify.UrgencyNormal, ReceivedAt: at}
}

// TestDigestGroupsByAppThenSender: inside an app, items group by person
// (the desktop summary line, the API title), the busiest sender first;
// every row under an app names the sender, every item says why it was
// held as its decision recorded.
func TestDigestGroupsByAppThenSender(t *testing.T) {
	at := uiT0
	item := func(n notify.Notification, reason string, count int, mins int) notify.Item {
		n.ReceivedAt = at.Add(time.Duration(mins) * time.Minute)
		return notify.Item{Notification: n, Decision: notify.Decision{Action: notify.ActionHold, Reason: reason}, Count: count, LastAt: n.ReceivedAt}
	}
	items := []notify.Item{
		item(desktopNote("Slack", "Alice", "lunch?", at), "held during focus", 1, 1),
		item(desktopNote("Slack", "Bob", "standup notes", at), "held during focus", 1, 2),
		item(desktopNote("Slack", "Alice", "are you there", at), "held during focus", 2, 5),
		item(notify.Notification{Source: "ci", Title: "Nightly failed", Body: "main is red", Origin: notify.OriginAPI}, "sent to Lull: batched for the digest", 1, 3),
		item(desktopNote("Mail", "Invoice 42", "", at), "desktop notifications are batched all day", 1, 4),
	}
	got := appendGroups(nil, items, "", at.Add(time.Hour), time.UTC)
	var lines []string
	for _, r := range got {
		lines = append(lines, strings.Repeat("  ", map[digestRowKind]int{rowSender: 1, rowItem: 2}[r.Kind])+r.Text)
	}
	want := `Slack · 4
  Alice · 3
    ● Alice — are you there ×2 · 08:05 · held during focus
    ● Alice — lunch? · 08:01 · held during focus
  Bob · 1
    ● Bob — standup notes · 08:02 · held during focus
Mail · 1
  Invoice 42 · 1
    ● Invoice 42 · 08:04 · desktop notifications are batched all day
ci · 1
  Nightly failed · 1
    ● Nightly failed — main is red · 08:03 · sent to Lull: batched for the digest`
	if strings.Join(lines, "\n") != want {
		t.Errorf("groups:\n%s\nwant:\n%s", strings.Join(lines, "\n"), want)
	}
}

// TestDigestLabelsHeldOutsideFocus: a desktop notification batched all
// day before focus began is not labelled as held during focus, and the
// queue's title says it waits for the next digest, not for this focus.
func TestDigestLabelsHeldOutsideFocus(t *testing.T) {
	h := newHarnessWith(t, func(st *service.Settings) { st.BatchDesktopAllDay = true })
	h.ui.selectTab(tabDigest)
	submit := func(n notify.Notification) {
		t.Helper()
		if _, err := h.svc.Submitter().Submit(context.Background(), []notify.Notification{n}); err != nil {
			t.Fatal(err)
		}
		h.wait()
	}
	submit(desktopNote("Mail", "Invoice 42", "due Friday", h.clk.Now()))
	if got := h.ui.digest.heldTitle.Text; got != "1 held for the next digest" {
		t.Errorf("not focusing: title %q", got)
	}
	if _, err := h.svc.Focus.Start(50 * time.Minute); err != nil {
		t.Fatal(err)
	}
	h.advance(time.Minute)
	submit(desktopNote("Chat", "Alice", "lunch?", h.clk.Now()))
	rows := strings.Join(rowTexts(h.ui.digest), "\n")
	for _, w := range []string{
		"item|● Invoice 42 — due Friday · 08:00 · desktop notifications are batched all day",
		"item|● Alice — lunch? · 08:01 · held during focus",
	} {
		if !strings.Contains(rows, w) {
			t.Errorf("rows lack %q:\n%s", w, rows)
		}
	}
	if strings.Count(rows, "held during focus") != 1 {
		t.Errorf("only Alice's note was held during focus:\n%s", rows)
	}
}

// TestDigestBreakthroughsSayWhy: what broke through is listed with the
// rule that let it, in words (no Go durations).
func TestDigestBreakthroughsSayWhy(t *testing.T) {
	h := newHarness(t)
	h.ui.selectTab(tabDigest)
	for i := 0; i < 3; i++ {
		if _, err := h.svc.Submitter().Submit(context.Background(), []notify.Notification{{Source: "pager", Title: "db down", Priority: notify.PriorityUrgent, Origin: notify.OriginAPI}}); err != nil {
			t.Fatal(err)
		}
	}
	// Three from one sender within 15 minutes: repeat escalation.
	for i := 0; i < 3; i++ {
		if _, err := h.svc.Submitter().Submit(context.Background(), []notify.Notification{{Source: "boss", Title: "call me", Priority: notify.PriorityNormal, Origin: notify.OriginAPI}}); err != nil {
			t.Fatal(err)
		}
	}
	h.wait()
	rows := strings.Join(rowTexts(h.ui.digest), "\n")
	if !strings.Contains(rows, "item|pager · db down · 08:00 · why: urgent") {
		t.Errorf("no breakthrough with its reason:\n%s", rows)
	}
	if !strings.Contains(rows, "within 15 min") || goDuration.MatchString(rows) {
		t.Errorf("the repeat breakthrough's reason is not in words:\n%s", rows)
	}
}

func TestPlainDurations(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"held during focus", "held during focus"},
		{"repeat: 3 from ci within 15m0s", "repeat: 3 from ci within 15 min"},
		{"priority urgent, but rate limit: ci already broke through 3 times in the last 1h0m0s", "priority urgent, but rate limit: ci already broke through 3 times in the last 1 h"},
		{"within 1h30m", "within 1 h 30 min"},
		{"after 10s", "after 10 s"},
		{`keyword "5m0s outage"`, `keyword "5 min outage"`},
		{"VIP \"Boss\"", "VIP \"Boss\""},
	} {
		if got := plainDurations(tc.in); got != tc.want {
			t.Errorf("plainDurations(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDigestMarkAllRead(t *testing.T) {
	h := newHarness(t)
	for _, src := range []string{"Mail", "CI", "Chat"} {
		h.hold(src, "note from "+src)
		if _, _, err := h.svc.Notify.DeliverNow(); err != nil {
			t.Fatal(err)
		}
		h.advance(time.Minute)
	}
	h.ui.selectTab(tabDigest)
	h.wait()
	d := h.ui.digest
	if d.markAll.Disabled() || !strings.HasSuffix(d.heldTitle.Text, "3 unread in the digests below") {
		t.Fatalf("before: mark all off %v, title %q", d.markAll.Disabled(), d.heldTitle.Text)
	}
	test.Tap(d.markAll)
	h.wait()
	ds, err := h.svc.Notify.ListDigests(time.Unix(0, 0), h.clk.Now().Add(time.Minute), 0)
	if err != nil || len(ds) != 3 {
		t.Fatalf("digests %d, %v", len(ds), err)
	}
	for _, dg := range ds {
		for _, it := range dg.Items {
			if !it.Read {
				t.Errorf("%q unread after Mark all read", it.Title)
			}
		}
	}
	if !d.markAll.Disabled() || d.heldTitle.Text != "Nothing held" {
		t.Errorf("after: mark all off %v, title %q", d.markAll.Disabled(), d.heldTitle.Text)
	}
}

// TestDigestItemTapMarksItRead: tapping one unread item marks only it read.
func TestDigestItemTapMarksItRead(t *testing.T) {
	h := newHarness(t)
	h.hold("Mail", "first", "second")
	if _, _, err := h.svc.Notify.DeliverNow(); err != nil {
		t.Fatal(err)
	}
	h.ui.selectTab(tabDigest)
	h.wait()
	d := h.ui.digest
	for i, r := range d.data.rows {
		if r.Kind == rowItem && strings.Contains(r.Text, "first") {
			d.list.Select(i)
		}
	}
	h.wait()
	ds, _ := h.svc.Notify.ListDigests(time.Unix(0, 0), h.clk.Now().Add(time.Minute), 0)
	read := map[string]bool{}
	for _, it := range ds[0].Items {
		read[it.Title] = it.Read
	}
	if !read["first"] || read["second"] {
		t.Errorf("read %v, want only first", read)
	}
}

// flood holds n distinct API notifications from a few apps and senders.
func flood(tb testing.TB, svc *service.Service, n int, tag string) {
	tb.Helper()
	const batch = 1000
	for start := 0; start < n; start += batch {
		var ns []notify.Notification
		for i := start; i < min(n, start+batch); i++ {
			ns = append(ns, notify.Notification{Source: fmt.Sprintf("app %d", i%7), Title: fmt.Sprintf("%s sender %d", tag, i%50),
				Body: fmt.Sprintf("message %d", i), Priority: notify.PriorityNormal, Origin: notify.OriginAPI})
		}
		if _, err := svc.Notify.Submit(context.Background(), ns); err != nil {
			tb.Fatal(err)
		}
	}
}

// TestDigestFloodStaysSmall: with thousands held and delivered, the tab
// builds widgets only for the rows on screen, and a burst of service
// events queues one refresh, not one per event.
func TestDigestFloodStaysSmall(t *testing.T) {
	h := newHarness(t)
	flood(t, h.svc, 3000, "a")
	if _, _, err := h.svc.Notify.DeliverNow(); err != nil {
		t.Fatal(err)
	}
	flood(t, h.svc, 3000, "b")
	h.ui.selectTab(tabDigest)
	h.wait()
	if n := len(h.ui.digest.data.rows); n < 6000 {
		t.Fatalf("%d rows for 6,000 notifications", n)
	}
	if n := len(shownRows(h.ui.win.Canvas())); n == 0 || n > 40 {
		t.Errorf("%d row widgets built for a 580 px window, want only the visible ones", n)
	}
	// A burst of 500 intake events while the UI goroutine is busy: one
	// application of them waits, not 500.
	for i := 0; i < 500; i++ {
		if _, err := h.svc.Submitter().Submit(context.Background(), []notify.Notification{{Source: fmt.Sprint("burst ", i), Title: "note", Origin: notify.OriginAPI, Priority: notify.PriorityNormal}}); err != nil {
			t.Fatal(err)
		}
	}
	h.heard()
	if n := len(h.uiQueue); n > 1 {
		t.Errorf("%d functions wait for the UI goroutine after a burst, want at most 1", n)
	}
	h.wait()
	if got := h.ui.digest.heldTotal(); got != 3500 {
		t.Errorf("held %d after the burst, want 3500", got)
	}
}

// BenchmarkDigestTabRefresh is issue 13's flood, window open: 10,000
// notifications held and 10,000 in a delivered digest; one refresh reads
// them, builds the rows and redraws the list.
func BenchmarkDigestTabRefresh(b *testing.B) {
	h := newHarness(b)
	flood(b, h.svc, 10000, "a")
	if _, _, err := h.svc.Notify.DeliverNow(); err != nil {
		b.Fatal(err)
	}
	flood(b, h.svc, 10000, "b")
	h.ui.selectTab(tabDigest)
	h.wait()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.ui.digest.refresh()
		h.wait()
	}
	b.StopTimer()
	if n := len(h.ui.digest.data.rows); n < 20000 {
		b.Fatalf("%d rows", n)
	}
}

// BenchmarkDigestTabShow is the part of that refresh that runs on the UI
// goroutine (what can freeze the window): putting 20,000 read rows on
// screen.
func BenchmarkDigestTabShow(b *testing.B) {
	h := newHarness(b)
	flood(b, h.svc, 10000, "a")
	if _, _, err := h.svc.Notify.DeliverNow(); err != nil {
		b.Fatal(err)
	}
	flood(b, h.svc, 10000, "b")
	h.ui.selectTab(tabDigest)
	h.wait()
	d := h.ui.digest.read()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.ui.digest.show(d)
	}
}
