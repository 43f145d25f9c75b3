package app

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lullapp/lull/notify"
)

// digestsShown is how many of the latest digests the tab lists.
const digestsShown = 30

// digestTab is the Digest tab: the held queue with "Deliver now", then the
// delivered digests, newest first, items grouped by source, mark as read.
type digestTab struct {
	ui *UI

	heldTitle *widget.Label
	heldItems *fyne.Container
	deliver   *widget.Button
	list      *fyne.Container
	// views are the shown digests, newest first.
	views []*digestView

	content *fyne.Container
}

// digestView is one delivered digest's widgets.
type digestView struct {
	digest   notify.Digest
	title    *widget.Label
	markRead *widget.Button
	// sources are the digest's items by source, and groups their headings
	// ("Mail (9)").
	sources []notify.Group
	groups  []*widget.Label
	// items are the item lines, by item ID.
	items map[string]*widget.Label
}

func newDigestTab(u *UI) *digestTab {
	t := &digestTab{ui: u}
	t.heldTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.heldItems = container.NewVBox()
	t.deliver = widget.NewButtonWithIcon("Deliver now", theme.MailSendIcon(), u.deliverNow)
	t.list = container.NewVBox()
	held := container.NewVBox(
		container.NewBorder(nil, nil, nil, t.deliver, t.heldTitle),
		t.heldItems,
		widget.NewSeparator(),
		widget.NewLabelWithStyle("Delivered digests", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
	)
	t.content = container.NewBorder(held, nil, nil, nil, container.NewVScroll(t.list))
	return t
}

// refresh re-reads the held queue and the digests.
func (t *digestTab) refresh() {
	u := t.ui
	now := u.now()
	loc := u.svc.Location()
	focusing := u.svc.Focus.State().Focusing
	held, err := u.svc.Notify.Held()
	var heldObjs []fyne.CanvasObject
	if err != nil {
		heldObjs = append(heldObjs, widget.NewLabel("Could not read the held queue: "+err.Error()))
	}
	t.heldTitle.SetText(heldTitle(heldTotal(held), focusing))
	if len(held) > 0 {
		// Newest first, like the digests.
		for i := len(held) - 1; i >= 0; i-- {
			heldObjs = append(heldObjs, itemLabel(held[i], now, loc))
		}
		t.deliver.Enable()
	} else {
		t.deliver.Disable()
	}
	t.heldItems.Objects = heldObjs

	digests, err := u.svc.Notify.ListDigests(time.Unix(0, 0), now.Add(time.Minute), digestsShown)
	t.views = t.views[:0]
	var objs []fyne.CanvasObject
	if err != nil {
		objs = append(objs, widget.NewLabel("Could not read the digests: "+err.Error()))
	}
	for _, d := range digests {
		v := t.newView(d, now, loc)
		t.views = append(t.views, v)
		objs = append(objs, v.card())
	}
	if err == nil && len(digests) == 0 {
		objs = append(objs, widget.NewLabel("No digests delivered yet."))
	}
	t.list.Objects = objs
	t.list.Refresh()
	// The held queue's height changed: lay the whole tab out again.
	t.content.Refresh()
}

// heldTitle heads the held queue.
func heldTitle(n int, focusing bool) string {
	switch {
	case n == 0 && focusing:
		return "Focusing: nothing held yet"
	case n == 0:
		return "Nothing held"
	case focusing:
		return fmt.Sprintf("Held while focusing (%d)", n)
	default:
		return fmt.Sprintf("Held for the next digest (%d)", n)
	}
}

// digestTitle heads one digest: "Mon 12:30 · scheduled · 14 held · 3 unread".
func digestTitle(d notify.Digest, now time.Time, loc *time.Location) string {
	unread := 0
	for _, it := range d.Items {
		if !it.Read {
			unread++
		}
	}
	s := fmt.Sprintf("%s · %s · %d held", pastLabel(d.At, now, loc), d.Reason, d.Total())
	if unread > 0 {
		s += fmt.Sprintf(" · %d unread", unread)
	} else {
		s += " · read"
	}
	return s
}

// itemText is one notification's line: "● Build failed — main is red ×3
// (11:02)"; the dot marks an unread item.
func itemText(it notify.Item, now time.Time, loc *time.Location) string {
	var b strings.Builder
	if it.Read {
		b.WriteString("   ")
	} else {
		b.WriteString("● ")
	}
	b.WriteString(it.Title)
	if it.Body != "" {
		b.WriteString(" — ")
		b.WriteString(it.Body)
	}
	if it.Count > 1 {
		fmt.Fprintf(&b, " ×%d", it.Count)
	}
	at := it.LastAt
	if at.IsZero() {
		at = it.ReceivedAt
	}
	fmt.Fprintf(&b, " (%s)", pastLabel(at, now, loc))
	return b.String()
}

func itemLabel(it notify.Item, now time.Time, loc *time.Location) *widget.Label {
	l := widget.NewLabel(itemText(it, now, loc))
	l.Truncation = fyne.TextTruncateEllipsis
	if it.Read {
		l.Importance = widget.LowImportance
	}
	return l
}

func (t *digestTab) newView(d notify.Digest, now time.Time, loc *time.Location) *digestView {
	v := &digestView{digest: d, items: map[string]*widget.Label{}}
	v.title = widget.NewLabelWithStyle(digestTitle(d, now, loc), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.markRead = widget.NewButtonWithIcon("Mark read", theme.VisibilityOffIcon(), func() { t.markRead(v) })
	allRead := true
	for _, it := range d.Items {
		allRead = allRead && it.Read
	}
	if allRead {
		v.markRead.Disable()
	}
	v.sources = d.Groups()
	for _, g := range v.sources {
		v.groups = append(v.groups, widget.NewLabelWithStyle(fmt.Sprintf("%s (%d)", g.Source, g.Count), fyne.TextAlignLeading, fyne.TextStyle{Italic: true}))
		for _, it := range g.Items {
			v.items[it.ID] = itemLabel(it, now, loc)
		}
	}
	return v
}

// card lays a digest out: title and button, then each source's items.
func (v *digestView) card() fyne.CanvasObject {
	box := container.NewVBox(container.NewBorder(nil, nil, nil, v.markRead, v.title))
	for i, g := range v.sources {
		box.Add(v.groups[i])
		for _, it := range g.Items {
			box.Add(v.items[it.ID])
		}
	}
	box.Add(widget.NewSeparator())
	return box
}

// markRead marks every item of v's digest read.
func (t *digestTab) markRead(v *digestView) {
	v.markRead.Disable()
	id := v.digest.ID
	t.ui.bridge.run(func() error { return t.ui.svc.Notify.MarkRead(id, "") }, func(err error) {
		t.ui.showError(err)
		t.refresh()
	})
}
