package app

import (
	"fmt"
	"image/color"
	"math"
	"sort"
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
// vertical centre. Size is the text's measured size.
type chartLabel struct {
	Text  string
	At    fyne.Position
	Align fyne.TextAlign
	Kind  chartKind
	Size  fyne.Size
}

// box is the label's rectangle: top-left and bottom-right corners.
func (l chartLabel) box() (fyne.Position, fyne.Position) {
	x := l.At.X
	switch l.Align {
	case fyne.TextAlignCenter:
		x -= l.Size.Width / 2
	case fyne.TextAlignTrailing:
		x -= l.Size.Width
	}
	tl := fyne.NewPos(x, l.At.Y-l.Size.Height/2)
	return tl, tl.Add(fyne.NewPos(l.Size.Width, l.Size.Height))
}

// overlaps reports whether two labels' rectangles share any area.
func (l chartLabel) overlaps(o chartLabel) bool {
	a0, a1 := l.box()
	b0, b1 := o.box()
	return a0.X < b1.X && b0.X < a1.X && a0.Y < b1.Y && b0.Y < a1.Y
}

// chartMeasure is the size a label's text takes (fyne.MeasureText at the
// caption size in the window; a fixed-width stand-in in table tests).
type chartMeasure func(text string) fyne.Size

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
	// chartRightPad is the least room right of the plot for the labels of
	// the reference lines; wider labels get what they measure.
	chartRightPad = 44
	// chartLabelGap is the least space between two labels.
	chartLabelGap = 2
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
	// pad is the room right of the plot for the reference labels.
	pad     float32
	measure chartMeasure
}

// newChartPlot fits a plot of slots over values up to max into size,
// leaving room on the right for the reference labels texts.
func newChartPlot(size fyne.Size, max time.Duration, slots int, m chartMeasure, texts ...string) chartPlot {
	pad := float32(chartRightPad)
	for _, t := range texts {
		pad = fyne.Max(pad, m(t).Width+2*chartLabelGap)
	}
	return chartPlot{size: size, max: max, slots: slots, pad: pad, measure: m}
}

func (p chartPlot) bottom() float32 { return p.size.Height - chartBottom }
func (p chartPlot) width() float32  { return max(p.size.Width-p.pad, 0) }

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
func dayChart(r *focus.WeeklyReport, size fyne.Size, m chartMeasure) chartGeom {
	base := reportBaselineDaily(r)
	vals := []time.Duration{base}
	for _, d := range r.Days {
		vals = append(vals, d.Focus, d.Goal)
	}
	scale := chartScale(vals...)
	p := newChartPlot(size, scale, max(len(r.Days), 1), m, chartHours(base), chartHours(scale))
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
	g.spread(p)
	return g
}

// trendChart lays out the trend of r in a box of the given size: one bar per
// week (met when the week reached the goal), the weekly goal and the 11.7 h
// baseline as lines across the plot.
func trendChart(r *focus.WeeklyReport, size fyne.Size, m chartMeasure) chartGeom {
	base := r.Baseline
	if base == 0 {
		base = focus.Baseline
	}
	vals := []time.Duration{base, r.Goal}
	for _, t := range r.Trend {
		vals = append(vals, t.Focus)
	}
	scale := chartScale(vals...)
	p := newChartPlot(size, scale, max(len(r.Trend), 1), m, chartHours(base), chartHours(r.Goal), chartHours(scale))
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
	g.spread(p)
	return g
}

// addBar adds slot i's bar of v, its value above it (when not zero) and
// axis, its name, below it.
func (g *chartGeom) addBar(p chartPlot, i int, v time.Duration, kind chartKind, axis string) {
	b := p.bar(i, v, kind)
	g.Rects = append(g.Rects, b)
	x, w := p.slot(i)
	if v > 0 {
		g.addLabel(p, chartHours(v), fyne.NewPos(x+w/2, b.Pos.Y-chartTop/2), fyne.TextAlignCenter, chartValue)
	}
	g.addLabel(p, axis, fyne.NewPos(x+w/2, p.bottom()+chartBottom/2), fyne.TextAlignCenter, chartAxis)
}

func (g *chartGeom) addLabel(p chartPlot, text string, at fyne.Position, align fyne.TextAlign, kind chartKind) {
	g.Labels = append(g.Labels, chartLabel{Text: text, At: at, Align: align, Kind: kind, Size: p.measure(text)})
}

// addLevel adds a line across the plot at v with its value at the right.
func (g *chartGeom) addLevel(p chartPlot, v time.Duration, size fyne.Size, kind chartKind) {
	y := p.y(v)
	g.Lines = append(g.Lines, chartLine{From: fyne.NewPos(0, y), To: fyne.NewPos(p.width(), y), Kind: kind})
	g.addLabel(p, chartHours(v), fyne.NewPos(size.Width, y), fyne.TextAlignTrailing, kind)
}

// addBaseline adds the baseline across the plot and, at the right of the
// top line, the top of the scale.
func (g *chartGeom) addBaseline(p chartPlot, base time.Duration, size fyne.Size) {
	g.addLevel(p, base, size, chartBaseline)
	g.addLabel(p, chartHours(p.max), fyne.NewPos(size.Width, p.y(p.max)), fyne.TextAlignTrailing, chartAxis)
}

// spread moves the labels in the column right of the plot (the reference
// lines' values and the top of the scale) apart where they would overlap
// ("12 h" over "11.7 h" for a 12 h goal): in their order from top to
// bottom, each at least its height below the one above, and all above the
// axis labels. A label keeps its line's height when nothing is in the way.
func (g *chartGeom) spread(p chartPlot) {
	var col []int
	for i, l := range g.Labels {
		if l.Align == fyne.TextAlignTrailing {
			col = append(col, i)
		}
	}
	sort.SliceStable(col, func(a, b int) bool { return g.Labels[col[a]].At.Y < g.Labels[col[b]].At.Y })
	top, bottom := float32(0), p.bottom()
	// Down from the top: no label above the box, none over the one above.
	prev := top
	for _, i := range col {
		l := &g.Labels[i]
		half := l.Size.Height / 2
		l.At.Y = fyne.Max(l.At.Y, prev+half)
		prev = l.At.Y + half + chartLabelGap
	}
	// Up from the bottom: none below the plot, none over the one below.
	next := bottom
	for k := len(col) - 1; k >= 0; k-- {
		l := &g.Labels[col[k]]
		half := l.Size.Height / 2
		l.At.Y = fyne.Min(l.At.Y, next-half)
		next = l.At.Y - half - chartLabelGap
	}
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

// chartTextSize measures a chart label as the chart draws it: caption size.
func chartTextSize(text string) fyne.Size {
	return fyne.MeasureText(text, theme.CaptionTextSize(), fyne.TextStyle{})
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
		tl, _ := g.box()
		r.labels[i].Move(tl)
		r.labels[i].Resize(g.Size)
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
