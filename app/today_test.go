package app

import (
	"context"
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"image"
	"image/color"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/lullapp/lull/focus"
)

func TestTodayToggleStartsAndStopsFocus(t *testing.T) {
	h := newHarness(t)
	today := h.ui.today
	if today.toggle.Text != "Start focus" || today.status.Text != "Not focusing" {
		t.Fatalf("idle: toggle %q, status %q", today.toggle.Text, today.status.Text)
	}

	test.Tap(today.toggle)
	h.wait()
	st := h.svc.Focus.State()
	if !st.Focusing || st.Kind != focus.Manual || !st.PlannedEnd.Equal(uiT0.Add(50*time.Minute)) {
		t.Fatalf("after tapping the toggle the engine is %+v, want a 50 min manual session", st)
	}
	if today.toggle.Text != "Stop focus · 50 min left" || today.status.Text != "Focusing — 50 min left" {
		t.Errorf("focusing: toggle %q, status %q", today.toggle.Text, today.status.Text)
	}
	if !today.length.Disabled() {
		t.Error("the length can still be changed while focusing")
	}

	// The clock alone keeps the time left current.
	h.advance(10 * time.Minute)
	if today.toggle.Text != "Stop focus · 40 min left" || today.status.Text != "Focusing — 40 min left" {
		t.Errorf("after 10 min the toggle says %q, the status %q", today.toggle.Text, today.status.Text)
	}
	if today.focused.Text != "10 min focused of today's 2 h (share of the 10 h weekly goal)" {
		t.Errorf("today's focus: %q", today.focused.Text)
	}
	if today.progress.Value != float64(10*time.Minute) || today.progress.Max != float64(2*time.Hour) {
		t.Errorf("progress %v of %v", time.Duration(today.progress.Value), time.Duration(today.progress.Max))
	}

	test.Tap(today.toggle)
	h.wait()
	if st := h.svc.Focus.State(); st.Focusing || st.Outcome != focus.StoppedEarly {
		t.Fatalf("after tapping again the engine is %+v, want stopped", st)
	}
	if today.toggle.Text != "Start focus" || today.status.Text != "Not focusing" {
		t.Errorf("stopped: toggle %q, status %q", today.toggle.Text, today.status.Text)
	}
	if h.ui.bridge.tick != nil {
		t.Error("a status timer is still armed while idle")
	}

	// The chosen length is what the toggle starts.
	today.length.SetSelected("25 min")
	test.Tap(today.toggle)
	h.wait()
	if st := h.svc.Focus.State(); st.PlannedEnd.Sub(st.Start) != 25*time.Minute {
		t.Errorf("with 25 min chosen the session is %v", st.PlannedEnd.Sub(st.Start))
	}
	test.Tap(today.toggle)
	h.wait()
}

func TestTodayUntilNextMeeting(t *testing.T) {
	h := newHarness(t)
	h.sync()
	h.ui.today.length.SetSelected(untilMeeting)
	test.Tap(h.ui.today.toggle)
	h.wait()
	st := h.svc.Focus.State()
	standup := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	if !st.Focusing || st.PlannedEnd.After(standup) || !st.PlannedEnd.After(uiT0) {
		t.Fatalf("until next meeting: %+v, want a session ending by the 09:00 standup", st)
	}
}

func TestTodayFocusErrorShowsADialog(t *testing.T) {
	h := newHarness(t)
	// Stopping when nothing runs fails in the engine; the user sees why.
	h.ui.stopFocus()
	h.wait()
	overlay := h.ui.win.Canvas().Overlays().Top()
	if overlay == nil {
		t.Fatal("no error dialog")
	}
	if !strings.Contains(strings.Join(texts(overlay), " "), "Focus is not on.") {
		t.Errorf("dialog says %q", texts(overlay))
	}
}

func TestTodayRendersIdleWithPlan(t *testing.T) {
	h := newHarness(t)
	h.sync()
	if _, err := h.svc.AcceptAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.wait()
	today := h.ui.today
	next, ok := h.svc.NextBlock()
	if !ok {
		t.Fatal("no accepted block after accepting all")
	}
	if !strings.HasPrefix(today.next.Text, whenLabel(next.Start, uiT0, time.UTC)+"–") || !strings.Contains(today.next.Text, next.Reason) {
		t.Errorf("next block %q, want its time and reason %q", today.next.Text, next.Reason)
	}
	if today.held.Text != "Nothing held." {
		t.Errorf("held %q", today.held.Text)
	}
	test.AssertRendersToMarkup(t, "today_idle.xml", h.ui.win.Canvas())
}

func TestTodayRendersFocusingWithHeld(t *testing.T) {
	h := newHarness(t)
	test.Tap(h.ui.today.toggle)
	h.wait()
	h.hold("Mail", "Invoice 42", "Lunch?")
	h.hold("CI", "Build failed")
	h.advance(5 * time.Minute) // the minute refresh picks up new held items
	today := h.ui.today
	if today.held.Text != "3 held, delivered when this focus ends." {
		t.Errorf("held %q", today.held.Text)
	}
	if today.next.Text != "No accepted block ahead. Accept some in Plan." {
		t.Errorf("next %q", today.next.Text)
	}
	test.AssertRendersToMarkup(t, "today_focusing.xml", h.ui.win.Canvas())
}

func TestTodayLines(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{toggleLabel(focus.State{}, uiT0), "Start focus"},
		{toggleLabel(focus.State{Focusing: true, Start: uiT0, PlannedEnd: uiT0.Add(90 * time.Minute)}, uiT0), "Stop focus · 1 h 30 min left"},
		{toggleLabel(focus.State{Focusing: true, Start: uiT0.Add(-5 * time.Minute)}, uiT0), "Stop focus · 5 min so far"},
		{todayLine(0, 0, 10*time.Hour), "0 min focused today (no goal on days off)"},
		{todayLine(75*time.Minute, 2*time.Hour, 10*time.Hour), "1 h 15 min focused of today's 2 h (share of the 10 h weekly goal)"},
		{heldLine(0, false, time.Time{}, uiT0, time.UTC), "Nothing held."},
		{heldLine(2, false, uiT0.Add(4*time.Hour+30*time.Minute), uiT0, time.UTC), "2 held, next digest 12:30."},
		{heldLine(2, true, uiT0.Add(time.Hour), uiT0, time.UTC), "2 held, delivered when this focus ends."},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// TestTodayCustomLength: any length can be typed in, in words or short;
// a wrong one says what is wrong with an example, and starts nothing.
func TestTodayCustomLength(t *testing.T) {
	h := newHarness(t)
	today := h.ui.today
	if today.customBox.Visible() {
		t.Fatal("the length field shows before Other length… is chosen")
	}
	today.length.SetSelected(customLength)
	if !today.customBox.Visible() {
		t.Fatal("Other length… shows no field")
	}
	for _, bad := range []struct{ in, want string }{
		{"", "Enter a length, e.g. 40 min or 1 h 15 min."},
		{"soon", `"soon" is not a length: enter e.g. 40 min or 1 h 15 min.`},
		{"30s", `"30s": enter whole minutes from 1 min to 24 h, e.g. 40 min.`},
		{"25 h", `"25 h": enter whole minutes from 1 min to 24 h, e.g. 40 min.`},
	} {
		today.custom.SetText(bad.in)
		test.Tap(today.toggle)
		h.wait()
		if h.svc.Focus.State().Focusing {
			t.Fatalf("%q started focus", bad.in)
		}
		if !today.customErr.Visible() || today.customErr.Text != bad.want {
			t.Errorf("%q: error %q (shown %v), want %q", bad.in, today.customErr.Text, today.customErr.Visible(), bad.want)
		}
	}
	today.custom.SetText("1 h 15 min")
	if today.customErr.Visible() {
		t.Error("the error stays while a new length is typed")
	}
	test.Tap(today.toggle)
	h.wait()
	if st := h.svc.Focus.State(); !st.Focusing || st.PlannedEnd.Sub(st.Start) != 75*time.Minute {
		t.Fatalf("1 h 15 min started %+v", st)
	}
	if !today.custom.Disabled() {
		t.Error("the length can be edited while focusing")
	}
}

// TestTodayMeterEmptyAtZero: at 0 % the bar shows no filled part at all;
// half way, half of it.
func TestTodayMeterEmptyAtZero(t *testing.T) {
	for _, tc := range []struct {
		v, max float64
		want   float32
	}{{0, 1, 0}, {0, 0, 0}, {-1, 1, 0}, {1, 2, 50}, {3, 2, 100}} {
		if got := meterFill(100, tc.v, tc.max); got != tc.want {
			t.Errorf("meterFill(100, %v, %v) = %v, want %v", tc.v, tc.max, got, tc.want)
		}
	}
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		a := test.NewTempApp(t)
		a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), v})
		m := newMeter()
		w := test.NewTempWindow(t, m)
		w.SetPadded(false)
		w.Resize(fyne.NewSize(200, meterHeight))
		if n := primaryTinted(w.Canvas().Capture()); n != 0 {
			t.Errorf("variant %d: %d pixels tinted towards the primary colour at 0 %%, want an empty bar", v, n)
		}
		m.SetValue(0.5)
		if n := primaryTinted(w.Canvas().Capture()); n < 200*meterHeight/4 || n > 200*meterHeight*3/4 {
			t.Errorf("variant %d: %d tinted pixels at 50 %%, want about half the bar", v, n)
		}
	}
}

// primaryTinted counts the pixels of img whose colour (what is left of it
// after taking away its grey) leans towards the theme's primary colour by
// more than a sixth: the filled part of a bar, or a track tinted like one.
// Greys of any brightness (track, border, background) do not count.
func primaryTinted(img image.Image) int {
	chroma := func(c [3]float64) [3]float64 {
		m := (c[0] + c[1] + c[2]) / 3
		return [3]float64{c[0] - m, c[1] - m, c[2] - m}
	}
	pr := chroma(rgb(theme.Color(theme.ColorNamePrimary)))
	norm := pr[0]*pr[0] + pr[1]*pr[1] + pr[2]*pr[2]
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			p := chroma(rgb(img.At(x, y)))
			if (p[0]*pr[0]+p[1]*pr[1]+p[2]*pr[2])/norm > 1.0/6 {
				n++
			}
		}
	}
	return n
}

func rgb(c color.Color) [3]float64 {
	r, g, b, _ := c.RGBA()
	return [3]float64{float64(r >> 8), float64(g >> 8), float64(b >> 8)}
}

// TestTodayTimelineShowsTheDay: Today's timeline holds the day's meetings,
// accepted blocks, digest times and now.
func TestTodayTimelineShowsTheDay(t *testing.T) {
	h := newHarness(t)
	h.sync()
	blocks, err := h.svc.UpcomingBlocks()
	if err != nil || len(blocks) == 0 {
		t.Fatalf("blocks %d, %v", len(blocks), err)
	}
	h.ui.today.refresh()
	h.wait()
	d := h.ui.today.day.day
	if !d.Day.Equal(uiT0.Truncate(24*time.Hour)) || len(d.Meetings) == 0 || len(d.Digests) != 3 || !d.Now.Equal(uiT0) {
		t.Errorf("Today's timeline day %v: %d meetings, %d digests, now %v", d.Day, len(d.Meetings), len(d.Digests), d.Now)
	}
	for _, m := range d.Meetings {
		if !m.End.After(d.Day) || !m.Start.Before(d.Day.AddDate(0, 0, 1)) {
			t.Errorf("meeting %v is not today", m)
		}
	}
}

// TestTodayRendersLightAndDark: the window draws from the theme, so the
// desktop's light or dark preference (which Fyne follows) reaches every
// part of it, the timeline and the bar included; image goldens of both.
func TestTodayRendersLightAndDark(t *testing.T) {
	h := newHarness(t)
	h.sync()
	if _, err := h.svc.AcceptAll(t.Context()); err != nil {
		t.Fatal(err)
	}
	h.advance(90 * time.Minute) // into the first block: focusing
	h.hold("Mail", "Invoice 42")
	h.ui.refreshAll()
	h.wait()
	h.ui.win.Content().Refresh()
	var lum []float64
	for _, v := range []struct {
		name    string
		variant fyne.ThemeVariant
	}{{"light", theme.VariantLight}, {"dark", theme.VariantDark}} {
		h.app.Settings().SetTheme(variantTheme{theme.DefaultTheme(), v.variant})
		h.wait()
		img := h.ui.win.Canvas().Capture()
		test.AssertImageMatches(t, "today_"+v.name+".png", img)
		var sum float64
		b := img.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bl, _ := img.At(x, y).RGBA()
				sum += (float64(r) + float64(g) + float64(bl)) / 3 / 0xffff
			}
		}
		lum = append(lum, sum/float64(b.Dx()*b.Dy()))
	}
	if lum[0] < 0.6 || lum[1] > 0.4 {
		t.Errorf("mean brightness %.2f light, %.2f dark", lum[0], lum[1])
	}
}

// TestTodayShowsMeetingsAndPresenting: Today says "In a meeting — N min
// left" during a calendar meeting and counts it down with the clock alone,
// says presenting while the user presents, and goes back after.
func TestTodayShowsMeetingsAndPresenting(t *testing.T) {
	h := newHarness(t)
	h.sync()
	today := h.ui.today
	waitText := func(want string) {
		t.Helper()
		for deadline := time.Now().Add(eventWait); today.status.Text != want; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("status %q, want %q", today.status.Text, want)
			}
			h.wait()
		}
	}
	h.clk.Set(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)) // the stand-up, 09:00–09:15
	waitText("In a meeting — 15 min left")
	h.advance(5 * time.Minute)
	waitText("In a meeting — 10 min left")
	h.svc.SetPresenting(true)
	waitText("Presenting — only urgent, VIP and repeats get through")
	h.svc.SetPresenting(false)
	waitText("In a meeting — 10 min left")
	h.clk.Set(time.Date(2026, 11, 30, 9, 15, 0, 0, time.UTC))
	waitText("Not focusing")
}
