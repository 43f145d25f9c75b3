package app

import (
	"context"
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

	// The clock alone keeps the time left current, in the window and tray.
	h.advance(10 * time.Minute)
	if today.toggle.Text != "Stop focus · 40 min left" {
		t.Errorf("after 10 min the toggle says %q", today.toggle.Text)
	}
	if menu, _, _ := h.app.state(); menu.Items[0].Label != "Focusing — 40 min left" {
		t.Errorf("after 10 min the tray says %q", menu.Items[0].Label)
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
	if menu, _, _ := h.app.state(); menuItem(t, menu, "Deliver digest now (3 held)").Disabled {
		t.Error("tray deliver item disabled with 3 held")
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
