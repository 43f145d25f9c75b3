package app

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// clippedTexts lists the texts drawn in c that do not fit: cut short by
// their own box (wider than it), or reaching past the right edge of the
// window or of the scroll area they are in. A label that truncates with an
// ellipsis draws its shortened text, which fits.
func clippedTexts(c fyne.Canvas) []string {
	var out []string
	var walk func(o fyne.CanvasObject, pos fyne.Position, clipRight float32)
	walk = func(o fyne.CanvasObject, pos fyne.Position, clipRight float32) {
		if o == nil || !o.Visible() {
			return
		}
		abs := pos.Add(o.Position())
		if s, ok := o.(*container.Scroll); ok {
			clipRight = min(clipRight, abs.X+s.Size().Width)
		}
		if t, ok := o.(*canvas.Text); ok && t.Text != "" {
			need := fyne.MeasureText(t.Text, t.TextSize, t.TextStyle).Width
			switch {
			case need > t.Size().Width+1 && t.Alignment == fyne.TextAlignLeading && abs.X+need > clipRight+1:
				out = append(out, fmt.Sprintf("%q needs %.0f px, ends at %.0f past %.0f", t.Text, need, abs.X+need, clipRight))
			case abs.X+min(need, t.Size().Width) > clipRight+1:
				out = append(out, fmt.Sprintf("%q ends at %.0f, past %.0f", t.Text, abs.X+min(need, t.Size().Width), clipRight))
			}
		}
		switch v := o.(type) {
		case *fyne.Container:
			for _, ch := range v.Objects {
				walk(ch, abs, clipRight)
			}
		case fyne.Widget:
			for _, ch := range test.WidgetRenderer(v).Objects() {
				walk(ch, abs, clipRight)
			}
		}
	}
	walk(c.Content(), fyne.Position{}, c.Size().Width)
	return out
}

// fullHarness is a UI with something in every tab: a synced plan with
// accepted blocks, held and delivered notifications, a breakthrough, a
// focus session in the report.
func fullHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	h.sync()
	if _, err := h.svc.AcceptAll(t.Context()); err != nil {
		t.Fatal(err)
	}
	test.Tap(h.ui.today.toggle)
	h.wait()
	h.hold("Mail", "Invoice 42 from the accounting department, due Friday", "Lunch?")
	h.hold("A very long application name indeed", "A sender whose name goes on and on and on")
	h.advance(20 * time.Minute)
	if _, _, err := h.svc.Notify.DeliverNow(); err != nil {
		t.Fatal(err)
	}
	h.hold("CI", "Build failed")
	h.ui.refreshAll()
	h.wait()
	return h
}

// TestWindowFitsEveryWidth: at 1280 and at 500 px wide no tab draws text
// out of sight (the layout wraps, truncates with an ellipsis or scrolls),
// and no tab asks for a window wider than 500 px.
func TestWindowFitsEveryWidth(t *testing.T) {
	h := fullHarness(t)
	for _, width := range []float32{1280, 500} {
		h.ui.win.Resize(fyne.NewSize(width, 580))
		for i, label := range tabLabels {
			h.ui.selectTab(i)
			h.wait()
			h.ui.win.Content().Refresh() // wrapped labels settle on their height
			if w := h.ui.win.Canvas().Size().Width; w != width {
				t.Errorf("%s at %.0f px: the window is %.0f px wide", label, width, w)
			}
			if bad := clippedTexts(h.ui.win.Canvas()); len(bad) > 0 {
				t.Errorf("%s at %.0f px:\n  %s", label, width, strings.Join(bad, "\n  "))
			}
		}
	}
	if min := windowMinSize(h.ui.win, h.ui.win.Content()); min.Width > narrowWidth {
		t.Errorf("the window needs %.0f px (its content %.1f px and the window's padding), more than %d px",
			min.Width, h.ui.win.Content().MinSize().Width, narrowWidth)
	}
}

// windowMinSize is the smallest size a desktop window w showing content
// can take, in whole pixels at scale 1, worked out as Fyne's desktop
// driver does (glfw canvas.canvasSize, window.minSizeOnScreen): content's
// minimum size, plus the theme padding on each side when the window is
// padded (Lull's is: Fyne's default), rounded up. The test canvas puts the
// same padding around the content but does not stop at the minimum, so
// comparing the content's minimum alone with the width passes a window
// 8 px too wide.
func windowMinSize(w fyne.Window, content fyne.CanvasObject) fyne.Size {
	m := content.MinSize()
	if w.Padded() {
		m = m.Add(fyne.NewSquareSize(2 * theme.Padding()))
	}
	return fyne.NewSize(float32(math.Ceil(float64(m.Width))), float32(math.Ceil(float64(m.Height))))
}

// TestTabsDoNotResizeTheWindow: no tab, whatever it holds, needs more room
// than a small window has, so switching tabs never grows the window; every
// tab scrolls instead.
func TestTabsDoNotResizeTheWindow(t *testing.T) {
	h := fullHarness(t)
	// Smaller than the window Lull opens (760×580), and as narrow as the
	// narrowest window every tab fits.
	limit := fyne.NewSize(narrowWidth, 420)
	for i, label := range tabLabels {
		h.ui.selectTab(i)
		h.wait()
		// The tab alone in the window, with the window's padding; 60 px
		// for the tab bar.
		if m := windowMinSize(h.ui.win, h.ui.tabs.Items[i].Content); m.Width > limit.Width || m.Height > limit.Height-60 {
			t.Errorf("%s needs a %v window, more than %v", label, m, limit)
		}
	}
	if m := windowMinSize(h.ui.win, h.ui.win.Content()); m.Width > limit.Width || m.Height > limit.Height {
		t.Errorf("the window needs %v, more than %v", m, limit)
	}
}
