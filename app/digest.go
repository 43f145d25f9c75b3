package app

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/notify"
)

// digestsShown is how many of the latest digests the tab lists.
const digestsShown = 30

// brokeWindow is how far back the tab lists breakthroughs, and brokeShown
// how many of them at most: the last week's are what a user asks about
// ("why did that one get through?"); older ones are in the Report.
const (
	brokeWindow = 7 * 24 * time.Hour
	brokeShown  = 50
)

// digestTab is the Digest tab: what waits for the next digest, what broke
// through lately and why, and the delivered digests, newest first, each
// one's items grouped by app and, inside an app, by sender, with mark as
// read. One widget.List draws every row, so the tab costs what its visible
// rows cost however many notifications there are, and the rows are built
// off the UI goroutine by a loader (one read in flight, latest wins).
type digestTab struct {
	ui *UI

	heldTitle *widget.Label
	deliver   *widget.Button
	markAll   *widget.Button
	list      *widget.List
	// data is what the tab shows, as last read.
	data   digestData
	loader *loader[digestData]

	content fyne.CanvasObject
}

// digestData is one read of everything the tab shows, and its rows.
type digestData struct {
	loaded    bool
	focusing  bool
	heldTotal int
	// unread counts unread items over the listed digests.
	unread int
	rows   []digestRow
}

// digestRowKind says what a row of the list is.
type digestRowKind int

const (
	// rowSection heads a part of the tab ("Delivered digests").
	rowSection digestRowKind = iota
	// rowDigest is one delivered digest's title, with its Mark read button.
	rowDigest
	// rowApp names an app inside the held queue or a digest: "Slack · 5".
	rowApp
	// rowSender names a sender inside an app: "Alice · 3".
	rowSender
	// rowItem is one notification.
	rowItem
	// rowNote is a plain line: nothing there yet, or a read error.
	rowNote
)

// digestRow is one line of the Digest tab.
type digestRow struct {
	Kind digestRowKind
	Text string
	// Read marks a read item (drawn faint) or a digest read through.
	Read bool
	// Digest and Item are what Mark read acts on (Item empty: all of it).
	Digest, Item string
}

func newDigestTab(u *UI) *digestTab {
	t := &digestTab{ui: u}
	t.heldTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.heldTitle.Wrapping = fyne.TextWrapWord
	t.deliver = widget.NewButtonWithIcon("Deliver now", theme.MailSendIcon(), u.deliverNow)
	t.deliver.Disable()
	t.markAll = widget.NewButtonWithIcon("Mark all read", theme.VisibilityOffIcon(), t.onMarkAll)
	t.markAll.Disable()
	t.list = widget.NewList(func() int { return len(t.data.rows) }, newDigestRowView, func(id widget.ListItemID, o fyne.CanvasObject) {
		if id >= 0 && id < len(t.data.rows) {
			o.(*digestRowView).set(t.data.rows[id], t)
		}
	})
	t.list.OnSelected = func(id widget.ListItemID) {
		t.list.Unselect(id)
		if id >= 0 && id < len(t.data.rows) {
			if r := t.data.rows[id]; r.Kind == rowItem && r.Digest != "" && !r.Read {
				t.markRead(r.Digest, r.Item)
			}
		}
	}
	t.loader = newLoader(u.bridge, t.read, t.show)
	top := container.NewBorder(nil, nil, nil, container.NewHBox(t.deliver, t.markAll), t.heldTitle)
	t.content = container.NewBorder(top, nil, nil, nil, t.list)
	return t
}

// refresh asks for a fresh read of the queue and the digests; the tab and
// the held count on Today follow when it is in.
func (t *digestTab) refresh() { t.loader.request() }

// heldTotal is the held count as last read.
func (t *digestTab) heldTotal() int { return t.data.heldTotal }

// read gathers everything the tab shows; it runs off the UI goroutine.
func (t *digestTab) read() digestData {
	u := t.ui
	ctx, cancel := u.call()
	defer cancel()
	return readDigest(ctx, u.api, u.now())
}

// readDigest reads the held queue, the breakthroughs of the last
// brokeWindow and the latest digests from b, and lays them out as rows.
func readDigest(ctx context.Context, b Backend, now time.Time) digestData {
	d := digestData{loaded: true}
	loc := time.Local
	if st, err := b.Settings(ctx); err == nil {
		loc = st.Location()
	}
	if st, err := b.Focus(ctx); err == nil {
		d.focusing = st.Focusing
	}
	held, err := b.Held(ctx)
	d.heldTotal = heldTotal(held)
	d.rows = append(d.rows, digestRow{Kind: rowSection, Text: heldTitle(d.heldTotal, d.focusing)})
	switch {
	case err != nil:
		d.rows = append(d.rows, digestRow{Kind: rowNote, Text: "Could not read the held notifications: " + userError(err).Error()})
	case len(held) == 0:
		d.rows = append(d.rows, digestRow{Kind: rowNote, Text: "Nothing held."})
	default:
		d.rows = appendGroups(d.rows, held, "", now, loc)
	}

	items, err := b.Breakthroughs(ctx, api.Between(now.Add(-brokeWindow), now.Add(time.Minute)))
	d.rows = append(d.rows, digestRow{Kind: rowSection, Text: "Broke through in the last 7 days, and why"})
	switch {
	case err != nil:
		d.rows = append(d.rows, digestRow{Kind: rowNote, Text: "Could not read the breakthroughs: " + userError(err).Error()})
	case len(items) == 0:
		d.rows = append(d.rows, digestRow{Kind: rowNote, Text: "Nothing broke through."})
	default:
		for i := len(items) - 1; i >= 0 && len(items)-i <= brokeShown; i-- {
			d.rows = append(d.rows, digestRow{Kind: rowItem, Text: brokeText(items[i], now, loc), Read: true})
		}
	}

	digests, err := b.Digests(ctx, digestsShown)
	d.rows = append(d.rows, digestRow{Kind: rowSection, Text: "Delivered digests"})
	if err != nil {
		d.rows = append(d.rows, digestRow{Kind: rowNote, Text: "Could not read the digests: " + userError(err).Error()})
	} else if len(digests) == 0 {
		d.rows = append(d.rows, digestRow{Kind: rowNote, Text: "No digests delivered yet."})
	}
	for _, dg := range digests {
		unread := 0
		for _, it := range dg.Items {
			if !it.Read {
				unread++
			}
		}
		d.unread += unread
		d.rows = append(d.rows, digestRow{Kind: rowDigest, Text: digestTitle(dg, now, loc), Read: unread == 0, Digest: dg.ID})
		d.rows = appendGroups(d.rows, dg.Items, dg.ID, now, loc)
	}
	return d
}

// show puts a read on screen, and the held count it carries on Today and
// the tray.
func (t *digestTab) show(d digestData) {
	t.data = d
	t.heldTitle.SetText(heldSummary(d.heldTotal, d.focusing, d.unread))
	if d.heldTotal > 0 {
		t.deliver.Enable()
	} else {
		t.deliver.Disable()
	}
	if d.unread > 0 {
		t.markAll.Enable()
	} else {
		t.markAll.Disable()
	}
	t.list.Refresh()
	t.ui.today.refreshHeld()
}

// appGroup is one app's items, by sender.
type appGroup struct {
	app     string
	count   int
	senders []senderGroup
}

// senderGroup is one sender's items inside an app, newest first.
type senderGroup struct {
	sender string
	count  int
	latest time.Time
	items  []notify.Item
}

// itemApp is the app an item came from: the desktop app or the API source.
func itemApp(it notify.Item) string {
	switch {
	case strings.TrimSpace(it.Source) != "":
		return strings.TrimSpace(it.Source)
	case strings.TrimSpace(it.App) != "":
		return strings.TrimSpace(it.App)
	}
	return "Unknown app"
}

// itemSender is who sent an item, as PRODUCT.md defines a sender: inside
// its app, the summary line of a desktop notification (chat and mail apps
// put the person or the subject there) or the title of one sent to Lull.
func itemSender(it notify.Item) string {
	if s := strings.TrimSpace(it.Title); s != "" {
		return s
	}
	return "No title"
}

func itemAt(it notify.Item) time.Time {
	if it.LastAt.IsZero() {
		return it.ReceivedAt
	}
	return it.LastAt
}

// groupItems groups items by app and, inside each app, by sender: apps
// with the most notifications first, then by name; inside an app the
// senders with the most first, then the latest; each sender's items newest
// first. Repeats count as often as they came.
func groupItems(items []notify.Item) []appGroup {
	byApp := map[string]map[string]*senderGroup{}
	for _, it := range items {
		app, who := itemApp(it), itemSender(it)
		if byApp[app] == nil {
			byApp[app] = map[string]*senderGroup{}
		}
		g := byApp[app][who]
		if g == nil {
			g = &senderGroup{sender: who}
			byApp[app][who] = g
		}
		g.count += max(it.Count, 1)
		g.items = append(g.items, it)
		if at := itemAt(it); at.After(g.latest) {
			g.latest = at
		}
	}
	out := make([]appGroup, 0, len(byApp))
	for app, senders := range byApp {
		a := appGroup{app: app}
		for _, g := range senders {
			slices.SortStableFunc(g.items, func(x, y notify.Item) int { return itemAt(y).Compare(itemAt(x)) })
			a.count += g.count
			a.senders = append(a.senders, *g)
		}
		slices.SortFunc(a.senders, func(x, y senderGroup) int {
			return cmp.Or(cmp.Compare(y.count, x.count), y.latest.Compare(x.latest), strings.Compare(x.sender, y.sender))
		})
		out = append(out, a)
	}
	slices.SortFunc(out, func(x, y appGroup) int {
		return cmp.Or(cmp.Compare(y.count, x.count), strings.Compare(x.app, y.app))
	})
	return out
}

// appendGroups adds items grouped by app and sender; digestID is the
// digest they belong to ("" for the held queue).
func appendGroups(rows []digestRow, items []notify.Item, digestID string, now time.Time, loc *time.Location) []digestRow {
	for _, a := range groupItems(items) {
		rows = append(rows, digestRow{Kind: rowApp, Text: fmt.Sprintf("%s · %d", a.app, a.count), Digest: digestID})
		for _, s := range a.senders {
			rows = append(rows, digestRow{Kind: rowSender, Text: fmt.Sprintf("%s · %d", s.sender, s.count), Digest: digestID})
			for _, it := range s.items {
				rows = append(rows, digestRow{Kind: rowItem, Text: itemText(it, now, loc), Read: it.Read, Digest: digestID, Item: it.ID})
			}
		}
	}
	return rows
}

// heldTitle heads the held queue in the list.
func heldTitle(n int, focusing bool) string {
	switch {
	case n == 0:
		return "Held for the next digest"
	case focusing:
		return fmt.Sprintf("Held for the next digest (%d), delivered when this focus ends", n)
	}
	return fmt.Sprintf("Held for the next digest (%d)", n)
}

// heldSummary is the line above the list.
func heldSummary(held int, focusing bool, unread int) string {
	var s string
	switch {
	case held == 0 && focusing:
		s = "Focusing: nothing held yet"
	case held == 0:
		s = "Nothing held"
	case focusing:
		s = fmt.Sprintf("%d held while you focus", held)
	default:
		s = fmt.Sprintf("%d held for the next digest", held)
	}
	if unread > 0 {
		s += fmt.Sprintf(" · %d unread in the digests below", unread)
	}
	return s
}

// digestReasonText says why a digest was delivered, in words.
func digestReasonText(r notify.DigestReason) string {
	switch r {
	case notify.DigestScheduled:
		return "scheduled"
	case notify.DigestFocusEnd:
		return "after focus"
	case notify.DigestCatchUp:
		return "catching up after a restart"
	case notify.DigestManual:
		return "delivered on request"
	case notify.DigestQuietEnd:
		return "after a meeting or presentation"
	}
	return string(r)
}

// digestTitle heads one digest: "Mon 12:30 · scheduled · 14 held · 3 unread".
func digestTitle(d notify.Digest, now time.Time, loc *time.Location) string {
	unread := 0
	for _, it := range d.Items {
		if !it.Read {
			unread++
		}
	}
	s := fmt.Sprintf("%s · %s · %d held", pastLabel(d.At, now, loc), digestReasonText(d.Reason), d.Total())
	if unread > 0 {
		s += fmt.Sprintf(" · %d unread", unread)
	} else {
		s += " · read"
	}
	return s
}

// itemText is one notification's line: "● Build failed — main is red ×3 ·
// 11:02 · held during focus"; the dot marks an unread item, the end says
// why it was held, as its decision recorded.
func itemText(it notify.Item, now time.Time, loc *time.Location) string {
	var b strings.Builder
	if it.Read {
		b.WriteString("   ")
	} else {
		b.WriteString("● ")
	}
	b.WriteString(oneLine(it.Title))
	if it.Body != "" {
		b.WriteString(" — ")
		b.WriteString(oneLine(it.Body))
	}
	if it.Count > 1 {
		fmt.Fprintf(&b, " ×%d", it.Count)
	}
	b.WriteString(" · ")
	b.WriteString(pastLabel(itemAt(it), now, loc))
	if r := plainDurations(it.Decision.Reason); r != "" {
		b.WriteString(" · ")
		b.WriteString(r)
	}
	return b.String()
}

// brokeText is one breakthrough's line: "Pager · Disk full · 09:12 · why:
// urgency critical".
func brokeText(it notify.Item, now time.Time, loc *time.Location) string {
	s := itemApp(it) + " · " + oneLine(itemSender(it))
	if it.Body != "" {
		s += " — " + oneLine(it.Body)
	}
	s += " · " + pastLabel(itemAt(it), now, loc)
	if r := plainDurations(it.Decision.Reason); r != "" {
		s += " · why: " + r
	}
	return s
}

// oneLine folds line breaks and runs of spaces so an item stays one row.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// markRead marks one item of a digest read, or all of it when item is "".
func (t *digestTab) markRead(digest, item string) {
	u := t.ui
	u.bridge.run(func() error {
		ctx, cancel := u.call()
		defer cancel()
		return u.api.MarkRead(ctx, digest, item)
	}, func(err error) {
		u.showError(err)
		t.refresh()
	})
}

// onMarkAll marks every delivered digest read.
func (t *digestTab) onMarkAll() {
	t.markAll.Disable()
	u := t.ui
	u.bridge.run(func() error {
		ctx, cancel := u.call()
		defer cancel()
		_, err := u.api.MarkAllRead(ctx)
		return err
	}, func(err error) {
		u.showError(err)
		t.refresh()
	})
}

// digestRowView draws one row: an indent, the text, and on digest rows the
// Mark read button.
type digestRowView struct {
	widget.BaseWidget
	indent *canvas.Rectangle
	label  *widget.Label
	button *widget.Button
	row    digestRow
	tab    *digestTab
}

// digestIndent is how far each level of the list is indented.
const digestIndent = 16

func newDigestRowView() fyne.CanvasObject {
	v := &digestRowView{indent: canvas.NewRectangle(nil), label: widget.NewLabel("")}
	v.label.Truncation = fyne.TextTruncateEllipsis
	v.button = widget.NewButtonWithIcon("Mark read", theme.VisibilityOffIcon(), func() {
		if v.tab != nil && v.row.Digest != "" {
			v.button.Disable()
			v.tab.markRead(v.row.Digest, "")
		}
	})
	v.button.Hide()
	v.ExtendBaseWidget(v)
	return v
}

func (v *digestRowView) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, v.indent, v.button, v.label))
}

// set shows row r.
func (v *digestRowView) set(r digestRow, t *digestTab) {
	v.row, v.tab = r, t
	level := map[digestRowKind]float32{rowApp: 1, rowSender: 2, rowItem: 3}[r.Kind]
	if r.Kind == rowItem && r.Digest == "" && r.Item == "" {
		level = 1 // a breakthrough
	}
	v.indent.SetMinSize(fyne.NewSize(level*digestIndent, 0))
	v.indent.Hidden = level == 0
	v.label.TextStyle = fyne.TextStyle{Bold: r.Kind == rowSection || r.Kind == rowDigest, Italic: r.Kind == rowSender}
	v.label.Importance = widget.MediumImportance
	if r.Kind == rowItem && r.Read && r.Digest != "" {
		v.label.Importance = widget.LowImportance
	}
	v.label.SetText(r.Text)
	if r.Kind == rowDigest {
		v.button.Show()
		if r.Read {
			v.button.Disable()
		} else {
			v.button.Enable()
		}
	} else {
		v.button.Hide()
	}
	v.Refresh()
}
