package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// meter is a progress bar whose empty part looks empty. Fyne's progress
// bar fills its whole track with a tint of the primary colour, so at 0 %
// it read as a full bar; here the track is the neutral field colour with a
// thin border and only the part done is primary.
type meter struct {
	widget.BaseWidget
	// Value of Max is done; Max > 0.
	Value, Max float64
}

// meterHeight is the bar's height.
const meterHeight = 12

func newMeter() *meter {
	m := &meter{Max: 1}
	m.ExtendBaseWidget(m)
	return m
}

// SetValue shows v of Max done.
func (m *meter) SetValue(v float64) {
	m.Value = v
	m.Refresh()
}

// meterFill is how wide the done part of a track width wide is: nothing at
// or below zero, the whole track at or above max.
func meterFill(width float32, value, max float64) float32 {
	if max <= 0 || value <= 0 {
		return 0
	}
	return width * float32(min(value/max, 1))
}

// CreateRenderer implements fyne.Widget.
func (m *meter) CreateRenderer() fyne.WidgetRenderer {
	r := &meterRenderer{m: m, track: canvas.NewRectangle(nil), fill: canvas.NewRectangle(nil)}
	r.Refresh()
	return r
}

type meterRenderer struct {
	m           *meter
	track, fill *canvas.Rectangle
}

func (r *meterRenderer) Layout(size fyne.Size) {
	r.track.Resize(size)
	w := meterFill(size.Width, r.m.Value, r.m.Max)
	r.fill.Resize(fyne.NewSize(w, size.Height))
	r.fill.Hidden = w <= 0
}

func (r *meterRenderer) MinSize() fyne.Size { return fyne.NewSize(40, meterHeight) }

func (r *meterRenderer) Refresh() {
	r.track.FillColor = theme.Color(theme.ColorNameInputBackground)
	r.track.StrokeColor = theme.Color(theme.ColorNameInputBorder)
	r.track.StrokeWidth = 1
	r.track.CornerRadius = meterHeight / 2
	r.fill.FillColor = theme.Color(theme.ColorNamePrimary)
	r.fill.CornerRadius = meterHeight / 2
	r.Layout(r.m.Size())
	canvas.Refresh(r.m)
}

func (r *meterRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.track, r.fill} }

func (r *meterRenderer) Destroy() {}
