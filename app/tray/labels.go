// Package tray is Lull's tray icon and menu in the resident process, on
// fyne.io/systray (StatusNotifierItem and dbusmenu over D-Bus on Linux,
// the notification area on Windows) with no GUI toolkit: the live status
// line ("Focusing — 34 min left", "Next block 14:00") and every quick
// action (start focus for 25, 50 or 90 minutes or until the next meeting,
// stop, resume a block stopped early, deliver the digest now, open Lull,
// the weekly report, quit).
//
// As in tailscale's systray client, the menu is built from state: the
// service's state is read into a State, turned into a Model by pure label
// functions, and the menu (a list of Items) is built from the Model and
// shown again whenever the Model changes: after each service event, and
// when the minutes in the labels change (a timer on the service's clock).
// A click runs its Action on a goroutine of its own, so the tray never
// holds up the service, nor the service the tray.
package tray

import (
	"fmt"
	"time"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/human"
)

// State is what the tray shows, as read from the service at Now.
type State struct {
	Focus focus.State
	// Next is the next accepted block that has not ended, if any.
	Next *calendar.Block
	// Held counts the notifications held for the next digest.
	Held int
	// Resumable is the block under way that was stopped early, if any.
	Resumable *focus.Block
	// Quiet says whether a meeting or presenting keeps the desktop quiet.
	Quiet api.Quiet
	Now   time.Time
	// Loc is the user's zone, for the times in the labels.
	Loc *time.Location
}

// Model is everything the menu and the icon show; the menu is shown again
// when it changes.
type Model struct {
	Status   string
	Focusing bool
	Held     int
	// Resume labels the item that resumes a block stopped early
	// ("Resume block — 40 min left"); "" when there is none.
	Resume string
	// Presenting is set while presenting, and PresentingFullscreen when a
	// fullscreen window (not the user) makes it so: the Presenting item
	// is checked, and cannot be unchecked by hand then.
	Presenting, PresentingFullscreen bool
}

// ModelOf is the Model for st.
func ModelOf(st State) Model {
	m := Model{
		Status:               st.Quiet.StatusLine(st.Focus.Focusing, StatusLine(st.Focus, st.Next, st.Now, st.Loc), st.Now),
		Focusing:             st.Focus.Focusing,
		Held:                 st.Held,
		Presenting:           st.Quiet.Presenting,
		PresentingFullscreen: st.Quiet.Presenting && st.Quiet.PresentingBy == api.PresentingByFullscreen,
	}
	if b := st.Resumable; b != nil && !st.Focus.Focusing && b.End.After(st.Now) {
		m.Resume = resumeLabel(b.End.Sub(st.Now))
	}
	return m
}

// StatusLine is the tray's first line: the focus status while focusing,
// else when the next accepted block starts, else "Not focusing".
func StatusLine(st focus.State, next *calendar.Block, now time.Time, loc *time.Location) string {
	if st.Focusing {
		return focus.StatusLine(st, now)
	}
	if next != nil && next.Start.After(now) {
		return "Next block " + whenLabel(next.Start, now, loc)
	}
	return "Not focusing"
}

// whenLabel names a coming time briefly: "14:00" today, "Tue 14:00" within
// the week, "Tue 8 Dec 14:00" beyond.
func whenLabel(t, now time.Time, loc *time.Location) string {
	t, now = t.In(loc), now.In(loc)
	today, day := midnight(now), midnight(t)
	switch {
	case day.Equal(today):
		return t.Format("15:04")
	case day.After(today) && day.Before(today.AddDate(0, 0, 7)):
		return t.Format("Mon 15:04")
	default:
		return t.Format("Mon 2 Jan 15:04")
	}
}

// midnight is the start of t's day in t's zone.
func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// deliverLabel is the digest item: "Deliver digest now (3 held)".
func deliverLabel(held int) string {
	if held == 0 {
		return "Deliver digest now (none held)"
	}
	return fmt.Sprintf("Deliver digest now (%d held)", held)
}

// lengthLabel names a focus length in minutes: "25 min", "90 min".
func lengthLabel(d time.Duration) string {
	return fmt.Sprintf("%d min", int(d/time.Minute))
}

// presentingLabel names the Presenting item: checked while presenting,
// saying why when a fullscreen window makes it so.
func presentingLabel(m Model) string {
	switch {
	case m.PresentingFullscreen:
		return "✓ Presenting (fullscreen window)"
	case m.Presenting:
		return "✓ Presenting"
	}
	return "Presenting"
}

// resumeLabel names the resume item: "Resume block — 40 min left", the
// time left rounded up as the status line rounds it.
func resumeLabel(left time.Duration) string {
	mins := (max(left, 0) + time.Minute - 1) / time.Minute
	return "Resume block — " + human.Duration(mins*time.Minute) + " left"
}

// nextRefresh is how long after st.Now the Model of st next changes by
// itself (with no service event): when the minutes of the status line or
// of the resume item tick, or the day of the next block's label turns
// ("Tue 14:00" becomes "14:00" at midnight). Zero when nothing changes
// with time.
func nextRefresh(st State) time.Duration {
	var next time.Duration
	soonest := func(d time.Duration) {
		if d > 0 && (next == 0 || d < next) {
			next = d
		}
	}
	now := st.Now
	if q := st.Quiet; q.Meeting && !q.Presenting && !st.Focus.Focusing && q.MeetingEnd.After(now) {
		// "In a meeting — 20 min left" counts down by the minute.
		soonest(minuteTick(q.MeetingEnd.Sub(now)))
		return next
	}
	if st.Focus.Focusing {
		soonest(focusTick(st.Focus, now))
		return next
	}
	if b := st.Resumable; b != nil {
		if left := b.End.Sub(now); left > 0 {
			soonest(minuteTick(left))
		}
	}
	if b := st.Next; b != nil && b.Start.After(now) {
		soonest(b.Start.Sub(now))
		soonest(midnight(now.In(st.Loc)).AddDate(0, 0, 1).Sub(now))
	}
	return next
}

// focusTick is how long after now the status line of a running session
// next changes: when the rounded-up minutes left drop by one, or when the
// rounded minutes so far of an open-ended session grow.
func focusTick(st focus.State, now time.Time) time.Duration {
	if st.PlannedEnd.IsZero() {
		// "1 h 5 min so far" rounds to the minute: it changes at :30 s.
		elapsed := max(now.Sub(st.Start), 0)
		d := (30*time.Second - elapsed%time.Minute + time.Minute) % time.Minute
		if d <= 0 {
			d = time.Minute
		}
		return d
	}
	left := st.PlannedEnd.Sub(now)
	if left <= 0 {
		return time.Minute // the engine ends the session; look again
	}
	return minuteTick(left)
}

// minuteTick is how long until a rounded-up "N min left" for left drops
// by one: at the next whole minute left.
func minuteTick(left time.Duration) time.Duration {
	if d := left % time.Minute; d > 0 {
		return d
	}
	return time.Minute
}
