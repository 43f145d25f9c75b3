package app

import (
	"fmt"
	"image/color"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/lullapp/lull/calendar"
)

// tlDay is Monday 30 Nov 2026 in loc at hh:mm.
func tlAt(loc *time.Location, hh, mm int) time.Time {
	return time.Date(2026, 11, 30, hh, mm, 0, 0, loc)
}

func tlIv(loc *time.Location, h0, m0, h1, m1 int) calendar.Interval {
	return calendar.Interval{Start: tlAt(loc, h0, m0), End: tlAt(loc, h1, m1)}
}

// sampleDay is a working day 09:00–17:00 with a stand-up and an afternoon
// meeting, an accepted block between them, a proposed one after, an hour
// focused, digests at 09:00, 12:30 and 16:30, now at 11:00.
func sampleDay(loc *time.Location) dayPlan {
	return dayPlan{
		Day:      tlAt(loc, 0, 0),
		Working:  []calendar.Interval{tlIv(loc, 9, 0, 17, 0)},
		Meetings: []calendar.Interval{tlIv(loc, 9, 0, 9, 30), tlIv(loc, 14, 0, 15, 0)},
		Blocks: []calendar.Block{
			{ID: "a", Start: tlAt(loc, 10, 0), End: tlAt(loc, 12, 0), State: calendar.StateAccepted},
			{ID: "p", Start: tlAt(loc, 15, 10), End: tlAt(loc, 16, 10), State: calendar.StateProposed},
			{ID: "s", Start: tlAt(loc, 16, 10), End: tlAt(loc, 16, 50), State: calendar.StateSkipped},
		},
		Focus:   []calendar.Interval{tlIv(loc, 10, 0, 11, 0)},
		Digests: []time.Time{tlAt(loc, 9, 0), tlAt(loc, 12, 30), tlAt(loc, 16, 30)},
		Now:     tlAt(loc, 11, 0),
	}
}

// TestTimelineGeometry: each thing of the day sits at its time on one
// axis, in its lane.
func TestTimelineGeometry(t *testing.T) {
	loc := time.UTC
	// 09:00–17:00 over 800 px: 100 px an hour.
	size := fyne.NewSize(800, 80)
	g := timelineLayout(sampleDay(loc), size, monoMeasure)
	if !g.From.Equal(tlAt(loc, 9, 0)) || !g.To.Equal(tlAt(loc, 17, 0)) {
		t.Fatalf("axis %v–%v, want 09:00–17:00", g.From, g.To)
	}
	type rect struct {
		kind    timelineKind
		x, y, w float32
	}
	var got []rect
	for _, r := range g.Rects {
		got = append(got, rect{r.Kind, r.Pos.X, r.Pos.Y, r.Size.Width})
	}
	want := []rect{
		{tlTrack, 0, 0, 800},
		{tlWorking, 0, 0, 800},
		{tlMeeting, 0, tlMeetingY, 50},               // 09:00–09:30
		{tlMeeting, 500, tlMeetingY, 100},            // 14:00–15:00
		{tlBlock, 100, tlBlockY, 200},                // 10:00–12:00
		{tlProposed, 100*6 + 100.0/6, tlBlockY, 100}, // 15:10–16:10
		{tlFocus, 100, tlBlockY + tlLaneH - tlFocusH, 100},
	}
	if len(got) != len(want) {
		t.Fatalf("rects %+v, want %+v (the skipped block is not drawn)", got, want)
	}
	for i := range want {
		if got[i].kind != want[i].kind || !near(got[i].x, want[i].x) || got[i].y != want[i].y || !near(got[i].w, want[i].w) {
			t.Errorf("rect %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	var marks []string
	for _, l := range g.Lines {
		if l.Kind != tlTick {
			marks = append(marks, fmt.Sprintf("%d@%.0f", l.Kind, l.From.X))
			if l.From.Y != 0 || l.To.Y != tlAxisY {
				t.Errorf("mark %+v does not cross both lanes", l)
			}
		}
	}
	if strings.Join(marks, " ") != fmt.Sprintf("%d@0 %d@350 %d@750 %d@200", tlDigest, tlDigest, tlDigest, tlNow) {
		t.Errorf("marks %q, want digests at 09:00, 12:30, 16:30 and now at 11:00", marks)
	}
	var labels []string
	for _, l := range g.Labels {
		labels = append(labels, l.Text)
	}
	if strings.Join(labels, " ") != "09:00 10:00 11:00 12:00 13:00 14:00 15:00 16:00 17:00" {
		t.Errorf("hour labels %q", labels)
	}
	// Narrow: fewer labels, never touching.
	g = timelineLayout(sampleDay(loc), fyne.NewSize(240, 80), monoMeasure)
	labels = labels[:0]
	for _, l := range g.Labels {
		labels = append(labels, l.Text)
	}
	if strings.Join(labels, " ") != "10:00 12:00 14:00 16:00" {
		t.Errorf("hour labels at 240 px %q", labels)
	}
}

func TestTimelineRange(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	day := tlAt(loc, 0, 0)
	for _, tc := range []struct {
		name     string
		d        dayPlan
		from, to string
	}{
		{"nothing: office hours", dayPlan{Day: day}, "08:00", "18:00"},
		{"working hours", dayPlan{Day: day, Working: []calendar.Interval{tlIv(loc, 9, 0, 17, 0)}}, "09:00", "17:00"},
		{"an early meeting and now widen it, to whole hours", dayPlan{Day: day,
			Working:  []calendar.Interval{tlIv(loc, 9, 0, 17, 0)},
			Meetings: []calendar.Interval{tlIv(loc, 7, 45, 8, 15)},
			Now:      tlAt(loc, 18, 20)}, "07:00", "19:00"},
		{"a digest outside working hours does not", dayPlan{Day: day,
			Working: []calendar.Interval{tlIv(loc, 9, 0, 17, 0)},
			Digests: []time.Time{tlAt(loc, 6, 0), tlAt(loc, 18, 20)}}, "09:00", "17:00"},
		{"a meeting over midnight is cut at the day's end", dayPlan{Day: day,
			Meetings: []calendar.Interval{{Start: tlAt(loc, 22, 0), End: tlAt(loc, 26, 0)}}}, "22:00", "00:00"},
		{"a day off with one digest", dayPlan{Day: day, Digests: []time.Time{tlAt(loc, 12, 30)}}, "08:00", "18:00"},
	} {
		from, to := timelineRange(tc.d)
		if got := from.In(loc).Format("15:04") + "–" + to.In(loc).Format("15:04"); got != tc.from+"–"+tc.to {
			t.Errorf("%s: %s, want %s–%s", tc.name, got, tc.from, tc.to)
		}
	}
}

// TestTimelineNeverDrawsOutside: whatever the day holds and however wide
// the timeline, every element stays in its box and no two hour labels
// touch.
func TestTimelineNeverDrawsOutside(t *testing.T) {
	test.NewTempApp(t)
	rnd := rand.New(rand.NewPCG(3, 30))
	loc, _ := time.LoadLocation("America/New_York")
	span := func() calendar.Interval {
		s := tlAt(loc, rnd.IntN(30)-3, rnd.IntN(60))
		return calendar.Interval{Start: s, End: s.Add(time.Duration(rnd.IntN(300)+1) * time.Minute)}
	}
	for n := 0; n < 300; n++ {
		d := dayPlan{Day: tlAt(loc, 0, 0)}
		for i := rnd.IntN(4); i > 0; i-- {
			d.Working = append(d.Working, span())
		}
		for i := rnd.IntN(8); i > 0; i-- {
			d.Meetings = append(d.Meetings, span())
		}
		for i := rnd.IntN(4); i > 0; i-- {
			iv := span()
			d.Blocks = append(d.Blocks, calendar.Block{Start: iv.Start, End: iv.End, State: []calendar.BlockState{calendar.StateAccepted, calendar.StateProposed}[rnd.IntN(2)]})
		}
		for i := rnd.IntN(4); i > 0; i-- {
			d.Digests = append(d.Digests, span().Start)
		}
		if rnd.IntN(2) == 0 {
			d.Now = span().Start
		}
		size := fyne.NewSize(timelineMinSize.Width+float32(rnd.IntN(1100)), timelineMinSize.Height)
		for _, m := range []chartMeasure{monoMeasure, chartTextSize} {
			g := timelineLayout(d, size, m)
			for _, r := range g.Rects {
				if r.Pos.X < 0 || r.Pos.Y < 0 || r.Pos.X+r.Size.Width > size.Width+0.01 || r.Pos.Y+r.Size.Height > size.Height {
					t.Fatalf("day %d at %v: rect %+v outside", n, size, r)
				}
			}
			for _, l := range g.Lines {
				if l.From.X < 0 || l.From.X > size.Width || l.To.Y > size.Height {
					t.Fatalf("day %d at %v: line %+v outside", n, size, l)
				}
			}
			if bad := chartOverlaps(chartGeom{Labels: g.Labels}, size); len(bad) > 0 {
				t.Fatalf("day %d at %v: %q", n, size, bad)
			}
		}
	}
}

// TestTimelineRendersInBothThemes: the timeline is drawn from the theme's
// colours, light and dark (image goldens), and its markup is stable.
func TestTimelineRendersInBothThemes(t *testing.T) {
	for _, v := range []struct {
		name    string
		variant fyne.ThemeVariant
	}{{"light", theme.VariantLight}, {"dark", theme.VariantDark}} {
		t.Run(v.name, func(t *testing.T) {
			a := test.NewTempApp(t)
			a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), v.variant})
			tl := newTimeline(sampleDay(time.UTC))
			w := test.NewTempWindow(t, tl)
			w.SetPadded(false)
			w.Resize(fyne.NewSize(640, timelineMinSize.Height))
			test.AssertImageMatches(t, "timeline_"+v.name+".png", w.Canvas().Capture())
			if v.variant == theme.VariantDark {
				test.AssertRendersToMarkup(t, "timeline.xml", w.Canvas())
			}
		})
	}
}

// variantTheme is a theme fixed to one variant, as the desktop's light or
// dark setting makes Fyne's default theme.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (v variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return v.Theme.Color(n, v.variant)
}
