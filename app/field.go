package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// entry is a text field that lets the window's shortcuts through. Fyne's
// desktop driver gives a shortcut to the focused widget and, when that
// widget handles shortcuts (every entry does), never to the window: Ctrl+1…5
// and Ctrl+F did nothing while the cursor was in a field. The entry passes
// the window's own shortcuts (windowShortcut) on to the window and keeps
// the rest (copy, paste, undo …).
type entry struct {
	widget.Entry
}

func newEntry() *entry {
	e := &entry{}
	e.ExtendBaseWidget(e)
	return e
}

// TypedShortcut implements fyne.Shortcutable.
func (e *entry) TypedShortcut(s fyne.Shortcut) {
	if windowShortcut(s) {
		if c, ok := fyne.CurrentApp().Driver().CanvasForObject(e).(fyne.Shortcutable); ok {
			c.TypedShortcut(s)
			return
		}
	}
	e.Entry.TypedShortcut(s)
}

// windowShortcut reports whether s is one of the window's shortcuts
// (addShortcuts): the shortcut modifier with a tab number or F.
func windowShortcut(s fyne.Shortcut) bool {
	cs, ok := s.(*desktop.CustomShortcut)
	if !ok || cs.Modifier != fyne.KeyModifierShortcutDefault {
		return false
	}
	if cs.KeyName == fyne.KeyF {
		return true
	}
	for _, k := range tabKeys {
		if cs.KeyName == k {
			return true
		}
	}
	return false
}

// wheelScroll is a vertical scroll whose mouse wheel works wherever the
// pointer is. A single-line Fyne entry scrolls its own text sideways and
// takes the wheel for it, so in a form of fields the page stopped
// scrolling whenever the pointer crossed a field. A transparent layer over
// the content takes the wheel (only the wheel: taps, hovering and typing
// reach the fields below, as the driver looks those up by other
// interfaces) and scrolls the page.
type wheelScroll struct {
	widget.BaseWidget
	scroll *container.Scroll
	catch  *wheelCatcher
}

func newWheelScroll(content fyne.CanvasObject) *wheelScroll {
	w := &wheelScroll{scroll: container.NewVScroll(content)}
	w.catch = &wheelCatcher{to: w.scroll}
	w.catch.ExtendBaseWidget(w.catch)
	w.ExtendBaseWidget(w)
	return w
}

// ScrollToTop scrolls back to the start.
func (w *wheelScroll) ScrollToTop() { w.scroll.ScrollToTop() }

func (w *wheelScroll) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(w.scroll, w.catch))
}

// wheelCatcher takes scroll events over its area for a Scroll.
type wheelCatcher struct {
	widget.BaseWidget
	to *container.Scroll
}

// Scrolled implements fyne.Scrollable.
func (c *wheelCatcher) Scrolled(ev *fyne.ScrollEvent) { c.to.Scrolled(ev) }

func (c *wheelCatcher) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewWithoutLayout())
}

// MinSize is nothing: the layer only covers what the scroll shows.
func (c *wheelCatcher) MinSize() fyne.Size { return fyne.Size{} }

// flowLayout lays its objects out in a row, left to right, and wraps to a
// new row where the next one does not fit: a row of buttons that fits a
// 1280 px window stacks up at 500 px instead of widening the window.
type flowLayout struct {
	// width is the width of the last layout: MinSize reports the height
	// the objects take at that width.
	width float32
	// box is the container laid out, repainted when a new width changes
	// its height so that the canvas lays its parents out again.
	box fyne.CanvasObject
}

// newFlow is a container whose objects flow into rows.
func newFlow(objects ...fyne.CanvasObject) *fyne.Container {
	l := &flowLayout{}
	c := container.New(l, objects...)
	l.box = c
	return c
}

// flowRows places sizes into rows no wider than width (a row holds at least
// one object) and returns each object's position and the total height.
func flowRows(sizes []fyne.Size, width, gap float32) ([]fyne.Position, float32) {
	pos := make([]fyne.Position, len(sizes))
	var x, y, rowH float32
	for i, s := range sizes {
		if x > 0 && x+s.Width > width {
			x, y, rowH = 0, y+rowH+gap, 0
		}
		pos[i] = fyne.NewPos(x, y)
		x += s.Width + gap
		rowH = max(rowH, s.Height)
	}
	if len(sizes) == 0 {
		return pos, 0
	}
	return pos, y + rowH
}

func (l *flowLayout) visible(objects []fyne.CanvasObject) ([]fyne.CanvasObject, []fyne.Size) {
	var objs []fyne.CanvasObject
	var sizes []fyne.Size
	for _, o := range objects {
		if o.Visible() {
			objs = append(objs, o)
			sizes = append(sizes, o.MinSize())
		}
	}
	return objs, sizes
}

// Layout implements fyne.Layout.
func (l *flowLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	before := l.MinSize(objects).Height
	l.width = size.Width
	objs, sizes := l.visible(objects)
	pos, h := flowRows(sizes, size.Width, flowGap)
	for i, o := range objs {
		o.Move(pos[i])
		o.Resize(sizes[i])
	}
	if h != before && l.box != nil {
		canvas.Refresh(l.box)
	}
}

// MinSize implements fyne.Layout: as wide as the widest object, as high as
// the rows at the last laid-out width (one row before the first layout).
func (l *flowLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	_, sizes := l.visible(objects)
	var w float32
	for _, s := range sizes {
		w = max(w, s.Width)
	}
	width := l.width
	if width <= 0 {
		width = 1 << 20
	}
	_, h := flowRows(sizes, max(width, w), flowGap)
	return fyne.NewSize(w, h)
}

// flowGap is the space between objects of a flow.
const flowGap = 4
