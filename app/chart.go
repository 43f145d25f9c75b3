package app

import (
	"fmt"
	"image/color"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lullapp/lull/focus"
)

// chartKind says what a chart element shows, which picks its colour.
type chartKind int

const (
	// chartBar is a focus bar below its goal (or with no goal).
	chartBar chartKind = iota
	// chartBarMet is a focus bar that reached its goal.
	chartBarMet
	// chartGoal is a goal line (the day's share of the weekly goal, or the
	// weekly goal itself in the trend).
	chartGoal
	// chartBaseline is the 11.7 h survey baseline (or its daily share).
	chartBaseline
	// chartAxis is the base line and the axis labels.
	chartAxis
	// chartValue is the number written above a bar.
	chartValue
)

// chartRect is a bar: top-left corner and size inside the chart's box.
type chartRect struct {
	Pos  fyne.Position
	Size fyne.Size
	Kind chartKind
}

// chartLine is a straight line inside the chart's box.
type chartLine struct {
	From, To fyne.Position
	Kind     chartKind
}

// chartLabel is a text anchored at At: its horizontal centre (Align
// TextAlignCenter), left edge (Leading) or right edge (Trailing), and its
// vertical centre.
type chartLabel struct {
	Text  string
	At    fyne.Position
	Align fyne.TextAlign
	Kind  chartKind
}

// chartGeom is everything a chart draws, in the coordinates of its box.
type chartGeom struct {
	Rects  []chartRect
	Lines  []chartLine
	Labels []chartLabel
	// Max is the value at the top of the plot area.
	Max time.Duration
}

// Chart box metrics: room above the plot for value labels and below it for
// the axis labels.
const (
	chartTop      = 18
	chartBottom   = 20
	chartBarShare = 0.6 // of each slot's width
	chartRightPad = 44  // room for the reference line labels
)

// chartScale rounds the largest value up to whole hours (at least one).
func chartScale(vals ...time.Duration) time.Duration {
	var m time.Duration
	for _, v := range vals {
		m = max(m, v)
	}
	h := math.Ceil(m.Hours())
	if h < 1 {
		h = 1
	}
	return time.Duration(h) * time.Hour
}

// chartPlot maps values to y inside a box of the given size.
type chartPlot struct {
	size  fyne.Size
	max   time.Duration
	slots int
}

func (p chartPlot) bottom() float32 { return p.size.Height - chartBottom }
func (p chartPlot) width() float32  { return max(p.size.Width-chartRightPad, 0) }

func (p chartPlot) y(d time.Duration) float32 {
	h := max(p.bottom()-chartTop, 0)
	frac := float32(d.Seconds() / p.max.Seconds())
	frac = min(max(frac, 0), 1)
	return p.bottom() - frac*h
}

func (p chartPlot) slot(i int) (x, w float32) {
	w = p.width() / float32(p.slots)
	return float32(i) * w, w
}

// bar returns bar i reaching value d.
func (p chartPlot) bar(i int, d time.Duration, kind chartKind) chartRect {
	x, w := p.slot(i)
	bw := w * chartBarShare
	top := p.y(d)
	return chartRect{Pos: fyne.NewPos(x+(w-bw)/2, top), Size: fyne.NewSize(bw, p.bottom()-top), Kind: kind}
}

// chartHours writes a duration as hours with one decimal ("1.5 h", "0 h").
func chartHours(d time.Duration) string {
	h := math.Round(d.Hours()*10) / 10
	if h == math.Trunc(h) {
		return fmt.Sprintf("%.0f h", h)
	}
	return fmt.Sprintf("%.1f h", h)
}

// reportWorkingDays counts the report's days with working hours (5 when none has
// any, so the baseline's daily share stays meaningful).
func reportWorkingDays(r *focus.WeeklyReport) int {
	n := 0
	for _, d := range r.Days {
		if d.Working > 0 || d.Goal > 0 {
			n++
		}
	}
	if n == 0 {
		return 5
	}
	return n
}

// reportBaselineDaily is the survey baseline spread over the week's working days.
func reportBaselineDaily(r *focus.WeeklyReport) time.Duration {
	b := r.Baseline
	if b == 0 {
		b = focus.Baseline
	}
	return b / time.Duration(reportWorkingDays(r))
}

// dayChart lays out the per-day chart of r in a box of the given size: one
// bar per day (met when it reached the day's goal), the day's share of the
// weekly goal as a short line across each working day's slot, and the
// baseline's daily share as one line across the plot.
func dayChart(r *focus.WeeklyReport, size fyne.Size) chartGeom {
	base := reportBaselineDaily(r)
	vals := []time.Duration{base}
	for _, d := range r.Days {
		vals = append(vals, d.Focus, d.Goal)
	}
	p := chartPlot{size: size, max: chartScale(vals...), slots: max(len(r.Days), 1)}
	g := chartGeom{Max: p.max}
	g.Lines = append(g.Lines, chartLine{From: fyne.NewPos(0, p.bottom()), To: fyne.NewPos(p.width(), p.bottom()), Kind: chartAxis})
	for i, d := range r.Days {
		kind := chartBar
		if d.Goal > 0 && d.Focus >= d.Goal {
			kind = chartBarMet
		}
		g.addBar(p, i, d.Focus, kind, d.Date.Format("Mon 2"))
		if d.Goal > 0 {
			x, w := p.slot(i)
			y := p.y(d.Goal)
			g.Lines = append(g.Lines, chartLine{From: fyne.NewPos(x+w*0.1, y), To: fyne.NewPos(x+w*0.9, y), Kind: chartGoal})
		}
	}
	g.addBaseline(p, base, size)
	return g
}

// trendChart lays out the trend of r in a box of the given size: one bar per
// week (met when the week reached the goal), the weekly goal and the 11.7 h
// baseline as lines across the plot.
func trendChart(r *focus.WeeklyReport, size fyne.Size) chartGeom {
	base := r.Baseline
	if base == 0 {
		base = focus.Baseline
	}
	vals := []time.Duration{base, r.Goal}
	for _, t := range r.Trend {
		vals = append(vals, t.Focus)
	}
	p := chartPlot{size: size, max: chartScale(vals...), slots: max(len(r.Trend), 1)}
	g := chartGeom{Max: p.max}
	g.Lines = append(g.Lines, chartLine{From: fyne.NewPos(0, p.bottom()), To: fyne.NewPos(p.width(), p.bottom()), Kind: chartAxis})
	for i, t := range r.Trend {
		kind := chartBar
		if t.MetGoal {
			kind = chartBarMet
		}
		g.addBar(p, i, t.Focus, kind, fmt.Sprintf("W%02d", t.Week.Num))
	}
	if r.Goal > 0 {
		g.addLevel(p, r.Goal, size, chartGoal)
	}
	g.addBaseline(p, base, size)
	return g
}

// addBar adds slot i's bar of v, its value above it (when not zero) and
// axis, its name, below it.
func (g *chartGeom) addBar(p chartPlot, i int, v time.Duration, kind chartKind, axis string) {
	b := p.bar(i, v, kind)
	g.Rects = append(g.Rects, b)
	x, w := p.slot(i)
	if v > 0 {
		g.Labels = append(g.Labels, chartLabel{Text: chartHours(v), At: fyne.NewPos(x+w/2, b.Pos.Y-chartTop/2), Align: fyne.TextAlignCenter, Kind: chartValue})
	}
	g.Labels = append(g.Labels, chartLabel{Text: axis, At: fyne.NewPos(x+w/2, p.bottom()+chartBottom/2), Align: fyne.TextAlignCenter, Kind: chartAxis})
}

// addLevel adds a line across the plot at v with its value at the right.
func (g *chartGeom) addLevel(p chartPlot, v time.Duration, size fyne.Size, kind chartKind) {
	y := p.y(v)
	g.Lines = append(g.Lines, chartLine{From: fyne.NewPos(0, y), To: fyne.NewPos(p.width(), y), Kind: kind})
	g.Labels = append(g.Labels, chartLabel{Text: chartHours(v), At: fyne.NewPos(size.Width, y), Align: fyne.TextAlignTrailing, Kind: kind})
}

// addBaseline adds the baseline across the plot and the top of the scale.
func (g *chartGeom) addBaseline(p chartPlot, base time.Duration, size fyne.Size) {
	g.addLevel(p, base, size, chartBaseline)
	g.Labels = append(g.Labels, chartLabel{Text: chartHours(p.max), At: fyne.NewPos(0, chartTop/2), Align: fyne.TextAlignLeading, Kind: chartAxis})
}

// chartColor is the theme colour of a chart element, so charts follow the
// light and dark themes.
func chartColor(k chartKind) color.Color {
	switch k {
	case chartBar:
		return theme.Color(theme.ColorNamePrimary)
	case chartBarMet:
		return theme.Color(theme.ColorNameSuccess)
	case chartGoal:
		return theme.Color(theme.ColorNameForeground)
	case chartBaseline:
		return theme.Color(theme.ColorNameWarning)
	case chartAxis:
		return theme.Color(theme.ColorNamePlaceHolder)
	}
	return theme.Color(theme.ColorNameForeground)
}

// chart draws a chartGeom with canvas primitives. Its layout function is
// called again whenever its size changes.
type chart struct {
	widget.BaseWidget
	layout  func(fyne.Size) chartGeom
	minSize fyne.Size
}

func newChart(minSize fyne.Size, layout func(fyne.Size) chartGeom) *chart {
	c := &chart{layout: layout, minSize: minSize}
	c.ExtendBaseWidget(c)
	return c
}

// SetLayout replaces the chart's content.
func (c *chart) SetLayout(layout func(fyne.Size) chartGeom) {
	c.layout = layout
	c.Refresh()
}

// CreateRenderer implements fyne.Widget.
func (c *chart) CreateRenderer() fyne.WidgetRenderer {
	r := &chartRenderer{c: c}
	r.build(c.Size())
	return r
}

type chartRenderer struct {
	c       *chart
	geom    chartGeom
	rects   []*canvas.Rectangle
	lines   []*canvas.Line
	labels  []*canvas.Text
	objects []fyne.CanvasObject
	size    fyne.Size
}

// build creates the primitives for the geometry at size.
func (r *chartRenderer) build(size fyne.Size) {
	r.size = size
	r.geom = chartGeom{}
	if r.c.layout != nil {
		r.geom = r.c.layout(size)
	}
	r.rects, r.lines, r.labels, r.objects = nil, nil, nil, nil
	for _, g := range r.geom.Rects {
		o := canvas.NewRectangle(chartColor(g.Kind))
		o.CornerRadius = 2
		r.rects = append(r.rects, o)
		r.objects = append(r.objects, o)
	}
	for _, g := range r.geom.Lines {
		o := canvas.NewLine(chartColor(g.Kind))
		o.StrokeWidth = 1
		if g.Kind == chartGoal || g.Kind == chartBaseline {
			o.StrokeWidth = 2
		}
		r.lines = append(r.lines, o)
		r.objects = append(r.objects, o)
	}
	for _, g := range r.geom.Labels {
		o := canvas.NewText(g.Text, chartColor(g.Kind))
		o.TextSize = theme.CaptionTextSize()
		r.labels = append(r.labels, o)
		r.objects = append(r.objects, o)
	}
	r.place()
}

// place moves the primitives to the geometry's coordinates.
func (r *chartRenderer) place() {
	for i, g := range r.geom.Rects {
		r.rects[i].Move(g.Pos)
		r.rects[i].Resize(g.Size)
	}
	for i, g := range r.geom.Lines {
		r.lines[i].Position1 = g.From
		r.lines[i].Position2 = g.To
	}
	for i, g := range r.geom.Labels {
		t := r.labels[i]
		sz := fyne.MeasureText(t.Text, t.TextSize, t.TextStyle)
		x := g.At.X
		switch g.Align {
		case fyne.TextAlignCenter:
			x -= sz.Width / 2
		case fyne.TextAlignTrailing:
			x -= sz.Width
		}
		t.Move(fyne.NewPos(x, g.At.Y-sz.Height/2))
		t.Resize(sz)
	}
}

func (r *chartRenderer) Layout(size fyne.Size) {
	if size != r.size {
		r.build(size)
	}
}

func (r *chartRenderer) MinSize() fyne.Size { return r.c.minSize }

func (r *chartRenderer) Refresh() {
	r.build(r.c.Size())
	canvas.Refresh(r.c)
}

func (r *chartRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *chartRenderer) Destroy() {}
