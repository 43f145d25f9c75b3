package app

import (
	"context"
	"image/color"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/settings"
	"github.com/lullapp/lull/notify"
)

// dayPlan is one day as the timeline shows it: why a focus block sits where
// it does is plain when the day's meetings, the blocks and the digest times
// share one axis (what Clockwise and Reclaim users expect to see).
type dayPlan struct {
	// Day is the day's local midnight; its location is the user's zone.
	Day      time.Time
	Working  []calendar.Interval
	Meetings []calendar.Interval
	// Blocks are the day's focus blocks, accepted and proposed (skipped
	// ones are not drawn).
	Blocks []calendar.Block
	// Focus is the time actually focused.
	Focus   []calendar.Interval
	Digests []time.Time
	// Now is drawn when it falls inside the axis (zero: not drawn).
	Now time.Time
}

// timelineKind says what a timeline element shows, which picks its colour.
type timelineKind int

const (
	tlTrack    timelineKind = iota // the axis's whole range
	tlWorking                      // working hours
	tlMeeting                      // busy time from the calendars
	tlBlock                        // an accepted focus block
	tlProposed                     // a proposed focus block
	tlFocus                        // time actually focused
	tlDigest                       // a digest time
	tlNow                          // the current time
	tlTick                         // an hour mark and its label
)

// timelineRect is a bar of the timeline.
type timelineRect struct {
	Pos  fyne.Position
	Size fyne.Size
	Kind timelineKind
}

// timelineLine is a vertical mark (digest, now, hour tick).
type timelineLine struct {
	From, To fyne.Position
	Kind     timelineKind
}

// timelineGeom is everything the timeline draws, in its box's coordinates.
type timelineGeom struct {
	// From and To are the times at the left and right edges.
	From, To time.Time
	Rects    []timelineRect
	Lines    []timelineLine
	// Labels are the hour labels under the axis.
	Labels []chartLabel
}

// Timeline box metrics: two lanes (meetings above, focus below), the axis
// and its hour labels under them.
const (
	tlLaneH    = 18
	tlLaneGap  = 4
	tlMeetingY = 2
	tlBlockY   = tlMeetingY + tlLaneH + tlLaneGap
	tlAxisY    = tlBlockY + tlLaneH + 2
	tlFocusH   = 5 // the focused strip along the bottom of the focus lane
	tlLabelGap = 6 // least space between two hour labels
)

// timelineMinSize is the least room the timeline takes: narrow enough for a
// 500 px window, high enough for both lanes and the hour labels.
var timelineMinSize = fyne.NewSize(240, tlAxisY+22)

// timelineSteps are the hours between hour labels the axis may use, the
// smallest whose labels fit.
var timelineSteps = []int{1, 2, 3, 4, 6, 12}

// timelineRange is the axis of day d: from the earliest of working hours,
// meetings, blocks, focus and now, to the latest, in whole hours;
// 08:00–18:00 when there is nothing.
func timelineRange(d dayPlan) (time.Time, time.Time) {
	day := d.Day
	end := day.AddDate(0, 0, 1)
	var from, to time.Time
	add := func(s, e time.Time) {
		if !e.After(day) || !s.Before(end) {
			return
		}
		s, e = maxTime(s, day), minTime(e, end)
		if from.IsZero() || s.Before(from) {
			from = s
		}
		if to.IsZero() || e.After(to) {
			to = e
		}
	}
	for _, iv := range slices.Concat(d.Working, d.Meetings, d.Focus) {
		add(iv.Start, iv.End)
	}
	for _, b := range d.Blocks {
		add(b.Start, b.End)
	}
	// Digest times are marked where they fall on this axis but do not
	// stretch it: one at 06:00 would push the working day into a corner.
	if !d.Now.IsZero() {
		add(d.Now, d.Now)
	}
	if from.IsZero() {
		return atHour(day, 8), atHour(day, 18)
	}
	// Whole hours, on the local clock.
	from = atHour(day, from.In(day.Location()).Hour())
	if to.Before(end) {
		t := to.In(day.Location())
		h := t.Hour()
		if t.Minute() > 0 || t.Second() > 0 || t.Nanosecond() > 0 {
			h++
		}
		to = atHour(day, h)
	}
	if !to.After(from) {
		to = from.Add(time.Hour)
	}
	return from, to
}

// atHour is hour h (0–24) on day's clock.
func atHour(day time.Time, h int) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), h, 0, 0, 0, day.Location())
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// timelineLayout lays day d out in a box of the given size: the working
// hours and the meetings in the upper lane, focus blocks (and below them
// the time actually focused) in the lower lane, a mark across both lanes
// for each digest time and for now, and hour labels under the axis, as
// many as fit without touching.
func timelineLayout(d dayPlan, size fyne.Size, m chartMeasure) timelineGeom {
	from, to := timelineRange(d)
	g := timelineGeom{From: from, To: to}
	span := to.Sub(from).Seconds()
	x := func(t time.Time) float32 {
		f := t.Sub(from).Seconds() / span
		return float32(min(max(f, 0), 1)) * size.Width
	}
	bar := func(s, e time.Time, y, h float32, kind timelineKind) {
		if !e.After(from) || !s.Before(to) || !e.After(s) {
			return
		}
		// At least a pixel wide, so a short meeting still shows.
		x0, x1 := x(s), x(e)
		w := max(x1-x0, 1)
		x0 = min(x0, size.Width-w)
		g.Rects = append(g.Rects, timelineRect{Pos: fyne.NewPos(x0, y), Size: fyne.NewSize(w, h), Kind: kind})
	}
	mark := func(t time.Time, kind timelineKind) {
		if t.Before(from) || t.After(to) {
			return
		}
		g.Lines = append(g.Lines, timelineLine{From: fyne.NewPos(x(t), 0), To: fyne.NewPos(x(t), tlAxisY), Kind: kind})
	}
	g.Rects = append(g.Rects, timelineRect{Size: fyne.NewSize(size.Width, tlAxisY), Kind: tlTrack})
	for _, w := range d.Working {
		bar(w.Start, w.End, 0, tlAxisY, tlWorking)
	}
	for _, mt := range d.Meetings {
		bar(mt.Start, mt.End, tlMeetingY, tlLaneH, tlMeeting)
	}
	for _, b := range d.Blocks {
		switch b.State {
		case calendar.StateAccepted:
			bar(b.Start, b.End, tlBlockY, tlLaneH, tlBlock)
		case calendar.StateProposed:
			bar(b.Start, b.End, tlBlockY, tlLaneH, tlProposed)
		}
	}
	for _, f := range d.Focus {
		bar(f.Start, f.End, tlBlockY+tlLaneH-tlFocusH, tlFocusH, tlFocus)
	}
	for _, t := range d.Digests {
		mark(t, tlDigest)
	}
	if !d.Now.IsZero() {
		mark(d.Now, tlNow)
	}

	// Hour labels: the smallest step whose labels keep apart.
	hours := int(to.Sub(from).Round(time.Hour) / time.Hour)
	labelW := m("00:00").Width
	step := timelineSteps[len(timelineSteps)-1]
	for _, s := range timelineSteps {
		if float32(s)/float32(max(hours, 1))*size.Width >= labelW+tlLabelGap {
			step = s
			break
		}
	}
	start := from.In(d.Day.Location()).Hour()
	for h := start; h <= start+hours; h++ {
		if h%step != 0 {
			continue
		}
		t := atHour(d.Day, h)
		if t.Before(from) || t.After(to) {
			continue
		}
		text := t.Format("15:04")
		if h == 24 {
			text = "24:00"
		}
		px := x(t)
		g.Lines = append(g.Lines, timelineLine{From: fyne.NewPos(px, tlAxisY-4), To: fyne.NewPos(px, tlAxisY), Kind: tlTick})
		l := chartLabel{Text: text, At: fyne.NewPos(px, tlAxisY+11), Align: fyne.TextAlignCenter, Kind: chartAxis, Size: m(text)}
		// The first and last labels stay inside the box.
		if tl, br := l.box(); tl.X < 0 {
			l.At.X, l.Align = 0, fyne.TextAlignLeading
		} else if br.X > size.Width {
			l.At.X, l.Align = size.Width, fyne.TextAlignTrailing
		}
		if n := len(g.Labels); n > 0 && g.Labels[n-1].overlaps(l) {
			continue
		}
		g.Labels = append(g.Labels, l)
	}
	return g
}

// timelineColor is an element's theme colour, so the timeline follows the
// light and dark themes.
func timelineColor(k timelineKind) color.Color {
	switch k {
	case tlTrack:
		return theme.Color(theme.ColorNameInputBackground)
	case tlWorking:
		return theme.Color(theme.ColorNameButton)
	case tlMeeting:
		return withAlpha(theme.Color(theme.ColorNameForeground), 0x88)
	case tlBlock:
		return theme.Color(theme.ColorNamePrimary)
	case tlProposed:
		return withAlpha(theme.Color(theme.ColorNamePrimary), 0x55)
	case tlFocus:
		return theme.Color(theme.ColorNameSuccess)
	case tlDigest:
		return theme.Color(theme.ColorNameWarning)
	case tlNow:
		return theme.Color(theme.ColorNameError)
	}
	return theme.Color(theme.ColorNamePlaceHolder)
}

// withAlpha is c at alpha a (0–255).
func withAlpha(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}

// timelineKey explains the timeline's colours, in the order of the lanes.
func timelineKey() *widget.RichText {
	seg := func(text string, c fyne.ThemeColorName) *widget.TextSegment {
		return reportKeySegment(text, c)
	}
	key := widget.NewRichText(
		seg("■ meetings  ", theme.ColorNameForeground),
		seg("■ focus block  ", theme.ColorNamePrimary),
		seg("■ proposed  ", theme.ColorNamePrimary),
		seg("▁ focused  ", theme.ColorNameSuccess),
		seg("│ digest  ", theme.ColorNameWarning),
		seg("│ now", theme.ColorNameError),
	)
	key.Wrapping = fyne.TextWrapWord
	return key
}

// timeline draws a timelineGeom with canvas primitives; its layout runs
// again whenever its size changes.
type timeline struct {
	widget.BaseWidget
	day dayPlan
}

func newTimeline(d dayPlan) *timeline {
	t := &timeline{day: d}
	t.ExtendBaseWidget(t)
	return t
}

// SetDay shows day d.
func (t *timeline) SetDay(d dayPlan) {
	t.day = d
	t.Refresh()
}

// CreateRenderer implements fyne.Widget.
func (t *timeline) CreateRenderer() fyne.WidgetRenderer {
	r := &timelineRenderer{t: t}
	r.build(t.Size())
	return r
}

type timelineRenderer struct {
	t       *timeline
	size    fyne.Size
	objects []fyne.CanvasObject
}

func (r *timelineRenderer) build(size fyne.Size) {
	r.size = size
	g := timelineLayout(r.t.day, size, chartTextSize)
	r.objects = r.objects[:0]
	for _, e := range g.Rects {
		o := canvas.NewRectangle(timelineColor(e.Kind))
		switch e.Kind {
		case tlTrack, tlWorking:
			o.CornerRadius = 3
		case tlProposed:
			o.StrokeColor = timelineColor(tlBlock)
			o.StrokeWidth = 1
			o.CornerRadius = 2
		default:
			o.CornerRadius = 2
		}
		o.Move(e.Pos)
		o.Resize(e.Size)
		r.objects = append(r.objects, o)
	}
	for _, e := range g.Lines {
		o := canvas.NewLine(timelineColor(e.Kind))
		o.StrokeWidth = 2
		if e.Kind == tlTick {
			o.StrokeWidth = 1
		}
		o.Position1, o.Position2 = e.From, e.To
		r.objects = append(r.objects, o)
	}
	for _, l := range g.Labels {
		o := canvas.NewText(l.Text, theme.Color(theme.ColorNamePlaceHolder))
		o.TextSize = theme.CaptionTextSize()
		tl, _ := l.box()
		o.Move(tl)
		o.Resize(l.Size)
		r.objects = append(r.objects, o)
	}
}

func (r *timelineRenderer) Layout(size fyne.Size) {
	if size != r.size {
		r.build(size)
	}
}

func (r *timelineRenderer) MinSize() fyne.Size { return timelineMinSize }

func (r *timelineRenderer) Refresh() {
	r.build(r.t.Size())
	canvas.Refresh(r.t)
}

func (r *timelineRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *timelineRenderer) Destroy() {}

// dayPlanFor lays out day (a local midnight in the user's zone) for the
// timeline: working hours from st, busy time, the day's blocks, the time
// focused (a running session up to now), the digest times; now is marked
// when the day is today.
func dayPlanFor(day time.Time, st settings.Settings, busy []calendar.Interval, blocks []calendar.Block, sessions []focus.Session, now time.Time) dayPlan {
	end := day.AddDate(0, 0, 1)
	d := dayPlan{Day: day, Working: st.WorkingHours(day)}
	overlaps := func(from, to time.Time) bool { return to.After(day) && from.Before(end) }
	for _, iv := range busy {
		if overlaps(iv.Start, iv.End) {
			d.Meetings = append(d.Meetings, iv)
		}
	}
	for _, b := range blocks {
		if overlaps(b.Start, b.End) {
			d.Blocks = append(d.Blocks, b)
		}
	}
	for _, s := range sessions {
		e := s.End
		if e.IsZero() {
			e = now
		}
		if overlaps(s.Start, e) {
			d.Focus = append(d.Focus, calendar.Interval{Start: s.Start, End: e})
		}
	}
	for _, v := range st.DigestTimes {
		if t, err := notify.ParseTimeOfDay(v); err == nil {
			d.Digests = append(d.Digests, time.Date(day.Year(), day.Month(), day.Day(), t.Hour, t.Minute, 0, 0, day.Location()))
		}
	}
	if !now.Before(day) && now.Before(end) {
		d.Now = now
	}
	return d
}

// readDays reads from the resident what the timelines of days (local
// midnights, in order) show beside blocks: the busy time and the sessions
// over all of them, in one request each.
func readDays(ctx context.Context, b Backend, st settings.Settings, days []time.Time, blocks []calendar.Block, now time.Time) ([]dayPlan, error) {
	if len(days) == 0 {
		return nil, nil
	}
	span := api.Between(days[0], days[len(days)-1].AddDate(0, 0, 1))
	busy, err := b.Busy(ctx, span)
	if err != nil {
		return nil, err
	}
	sessions, err := b.Sessions(ctx, span)
	if err != nil {
		return nil, err
	}
	out := make([]dayPlan, len(days))
	for i, day := range days {
		out[i] = dayPlanFor(day, st, busy, blocks, sessions, now)
	}
	return out, nil
}
