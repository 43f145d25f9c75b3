package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/human"
	"github.com/lullapp/lull/notify"
)

// focusLengths are the lengths offered beside the focus toggle.
var focusLengths = []time.Duration{25 * time.Minute, 50 * time.Minute, 90 * time.Minute}

// untilMeeting is the length choice that focuses until the next meeting,
// and customLength the one that takes a length typed in.
const (
	untilMeeting = "Until next meeting"
	customLength = "Other length…"
)

// todayTab is the Today tab: the big focus toggle with the time left, the
// next block, the held count and today's focus against its share of the goal.
type todayTab struct {
	ui *UI

	status *widget.Label
	toggle *widget.Button
	resume *widget.Button // "Resume block — 40 min left", shown when a stopped block can resume
	// resumeRow holds resume; resumeTick refreshes its label when its
	// minutes left change (the focus clock only ticks while focusing); nil
	// when none is shown.
	resumeRow  *fyne.Container
	resumeTick clock.Timer
	length     *widget.Select // what the toggle starts
	// custom is the length typed in when length is customLength (shown in
	// customBox), and customErr what is wrong with it.
	custom    *entry
	customBox *fyne.Container
	customErr *widget.Label
	next      *widget.Label
	held      *widget.Label
	progress  *meter
	focused   *widget.Label
	// day is today's timeline: meetings, focus blocks, digest times.
	day *timeline

	// shown is the state as last read (UI goroutine only): what the
	// toggle does, and the held line's focus and next digest.
	shown  todayData
	loader *loader[todayData]

	content fyne.CanvasObject
}

// todayData is one read of what Today shows.
type todayData struct {
	// err says the resident did not answer: nothing else is set.
	err        error
	now        time.Time
	loc        *time.Location
	state      focus.State
	next       *calendar.Block
	resumable  *focus.Block
	nextDigest time.Time
	// quiet says whether a meeting or presenting keeps the desktop quiet.
	quiet api.Quiet
	// day is today's timeline (dayOK: it could be read).
	day   dayPlan
	dayOK bool
	// got and goal are today's focus and its share of weekly, the goal.
	got, goal, weekly time.Duration
}

func newTodayTab(u *UI) *todayTab {
	t := &todayTab{ui: u}
	t.status = widget.NewLabel("")
	t.status.SizeName = theme.SizeNameHeadingText
	t.status.Alignment = fyne.TextAlignCenter
	t.toggle = widget.NewButtonWithIcon("", theme.MediaPlayIcon(), t.onToggle)
	t.toggle.Importance = widget.HighImportance
	t.resume = widget.NewButtonWithIcon("", theme.MediaReplayIcon(), u.resumeFocus)
	t.resumeRow = container.NewCenter(t.resume)
	t.resumeRow.Hide()
	var choices []string
	for _, d := range focusLengths {
		choices = append(choices, lengthLabel(d))
	}
	choices = append(choices, untilMeeting, customLength)
	t.custom = newEntry()
	t.custom.SetPlaceHolder("e.g. 40 min or 1 h 15 min")
	t.custom.OnChanged = func(string) { t.customErr.Hide() }
	t.custom.OnSubmitted = func(string) { t.onToggle() }
	t.customBox = container.NewGridWrap(fyne.NewSize(200, t.custom.MinSize().Height), t.custom)
	t.customBox.Hide()
	t.customErr = widget.NewLabel("")
	t.customErr.Importance = widget.DangerImportance
	t.customErr.Wrapping = fyne.TextWrapWord
	t.customErr.Alignment = fyne.TextAlignCenter
	t.customErr.Hide()
	t.length = widget.NewSelect(choices, func(s string) {
		if s == customLength {
			t.customBox.Show()
		} else {
			t.customBox.Hide()
			t.customErr.Hide()
		}
	})
	t.length.SetSelected(lengthLabel(50 * time.Minute))
	t.next = widget.NewLabel("")
	t.next.Wrapping = fyne.TextWrapWord
	t.held = widget.NewLabel("")
	t.held.Wrapping = fyne.TextWrapWord
	t.focused = widget.NewLabel("")
	t.focused.Wrapping = fyne.TextWrapWord
	t.progress = newMeter()
	t.day = newTimeline(dayPlan{})

	lengthRow := container.NewCenter(container.NewHBox(widget.NewLabel("Length"), t.length, t.customBox))
	body := container.NewVBox(
		t.status,
		container.NewCenter(container.NewGridWrap(fyne.NewSize(360, 64), t.toggle)),
		t.resumeRow,
		lengthRow,
		t.customErr,
		widget.NewSeparator(),
		widget.NewCard("", "Your day", container.NewVBox(timelineKey(), t.day)),
		widget.NewCard("", "Today", container.NewVBox(t.focused, t.progress)),
		container.NewGridWithColumns(2,
			widget.NewCard("", "Next block", t.next),
			widget.NewCard("", "Held notifications", t.held),
		),
	)
	t.content = container.NewVScroll(body)
	t.shown = todayData{loc: time.Local}
	t.loader = newLoader(u.bridge, t.read, t.show)
	return t
}

// onToggle stops a running session, or starts one of the chosen length.
func (t *todayTab) onToggle() {
	if t.shown.state.Focusing {
		t.ui.stopFocus()
		return
	}
	switch t.length.Selected {
	case untilMeeting:
		t.ui.startUntilMeeting()
		return
	case customLength:
		d, err := parseFocusLength(t.custom.Text)
		if err != nil {
			t.customErr.SetText(err.Error())
			t.customErr.Show()
			return
		}
		t.customErr.Hide()
		t.ui.startFocus(d)
		return
	}
	for _, d := range focusLengths {
		if t.length.Selected == lengthLabel(d) {
			t.ui.startFocus(d)
			return
		}
	}
	t.ui.startFocus(50 * time.Minute)
}

// refresh asks for a fresh read of the resident's state; Today follows
// when it is in.
func (t *todayTab) refresh() { t.loader.request() }

// read gathers what Today shows; it runs off the UI goroutine.
func (t *todayTab) read() todayData {
	u := t.ui
	ctx, cancel := u.call()
	defer cancel()
	d := todayData{now: u.now()}
	status, err := u.api.Status(ctx)
	if err != nil {
		return todayData{err: err}
	}
	st, err := u.api.Settings(ctx)
	if err != nil {
		return todayData{err: err}
	}
	d.loc, d.weekly = st.Location(), st.Plan.WeeklyGoal
	d.state, d.next, d.resumable, d.nextDigest = status.Focus, status.NextBlock, status.Resumable, status.NextDigest
	d.quiet = status.Quiet
	today := localMidnight(d.now, d.loc)
	if plan, err := u.api.Plan(ctx); err == nil {
		if days, err := readDays(ctx, u.api, st, []time.Time{today}, plan.Blocks, d.now); err == nil {
			d.day, d.dayOK = days[0], true
		}
	}
	// Today's focus and its share of the goal, as the weekly report counts
	// them.
	if r, err := u.api.WeekReport(ctx, ""); err == nil {
		for _, day := range r.Days {
			if day.Date.Equal(today) {
				d.got, d.goal = day.Focus, day.Goal
			}
		}
	}
	return d
}

// show puts a read on screen.
func (t *todayTab) show(d todayData) {
	if d.err != nil {
		return // the notice above the tabs says the resident stopped
	}
	t.shown = d
	st, now, loc := d.state, d.now, d.loc
	t.status.SetText(d.quiet.StatusLine(st.Focusing, focus.StatusLine(st, now), now))
	t.toggle.SetText(toggleLabel(st, now))
	if st.Focusing {
		t.toggle.SetIcon(theme.MediaStopIcon())
		t.length.Disable()
		t.custom.Disable()
	} else {
		t.toggle.SetIcon(theme.MediaPlayIcon())
		t.length.Enable()
		t.custom.Enable()
	}
	if d.dayOK {
		t.day.SetDay(d.day)
	}

	t.refreshResume(d)

	if d.next != nil {
		t.next.SetText(blockLine(*d.next, now, loc))
	} else {
		t.next.SetText("No accepted block ahead. Accept some in Plan.")
	}

	t.refreshHeld()

	t.focused.SetText(todayLine(d.got, d.goal, d.weekly))
	if d.goal > 0 {
		t.progress.Max = float64(d.goal)
		t.progress.SetValue(min(float64(d.got), float64(d.goal)))
	} else {
		t.progress.Max = 1
		t.progress.SetValue(0)
	}
}

// refreshResume shows "Resume block — 40 min left" while a block stopped
// early can be resumed, and keeps its minutes current with a timer due
// when they change.
func (t *todayTab) refreshResume(d todayData) {
	u := t.ui
	if t.resumeTick != nil {
		t.resumeTick.Stop()
		t.resumeTick = nil
	}
	b := d.resumable
	if b == nil || d.state.Focusing || !b.End.After(d.now) {
		t.resumeRow.Hide()
		return
	}
	left := b.End.Sub(d.now)
	t.resume.SetText(resumeLabel(left))
	t.resumeRow.Show()
	next := left % time.Minute
	if next <= 0 {
		next = time.Minute
	}
	t.resumeTick = u.clock.AfterFunc(next, func() {
		u.bridge.do(func() {
			if !u.bridge.isClosed() {
				t.refresh()
			}
		})
	})
}

// parseFocusLength reads a focus length typed in the window: as the
// settings read lengths ("40 min", "1 h 15 min", "90m", "45"), from a
// minute to a day.
func parseFocusLength(s string) (time.Duration, error) {
	if strings.TrimSpace(s) == "" {
		return 0, errors.New("Enter a length, e.g. 40 min or 1 h 15 min.")
	}
	d, err := human.ParseDuration(s)
	switch {
	case err != nil:
		return 0, fmt.Errorf("%q is not a length: enter e.g. 40 min or 1 h 15 min.", strings.TrimSpace(s))
	case d < time.Minute || d > focus.MaxSessionLength || d%time.Minute != 0:
		return 0, fmt.Errorf("%q: enter whole minutes from 1 min to %s, e.g. 40 min.", strings.TrimSpace(s), durText(focus.MaxSessionLength))
	}
	return d, nil
}

// refreshHeld shows the held count the Digest tab last read.
func (t *todayTab) refreshHeld() {
	d := t.shown
	t.held.SetText(heldLine(t.ui.digest.heldTotal(), d.state.Focusing, d.nextDigest, d.now, d.loc))
}

// toggleLabel is the big button's text: what tapping it does, and while
// focusing the time left.
func toggleLabel(st focus.State, now time.Time) string {
	if !st.Focusing {
		return "Start focus"
	}
	if st.PlannedEnd.IsZero() {
		return "Stop focus · " + durText(now.Sub(st.Start)) + " so far"
	}
	left := st.PlannedEnd.Sub(now)
	mins := int((max(left, 0) + time.Minute - 1) / time.Minute)
	if mins < 60 {
		return fmt.Sprintf("Stop focus · %d min left", mins)
	}
	return "Stop focus · " + durText(time.Duration(mins)*time.Minute) + " left"
}

// blockLine describes a block: "Tue 14:00–16:00 · longest free gap on Tue".
func blockLine(b calendar.Block, now time.Time, loc *time.Location) string {
	s := whenLabel(b.Start, now, loc) + "–" + b.End.In(loc).Format("15:04")
	if !b.Start.After(now) {
		s = "Now until " + b.End.In(loc).Format("15:04")
	}
	if b.Reason != "" {
		s += " · " + b.Reason
	}
	return s
}

// heldLine says how many notifications wait and when they arrive.
func heldLine(n int, focusing bool, nextDigest, now time.Time, loc *time.Location) string {
	if n == 0 {
		return "Nothing held."
	}
	what := fmt.Sprintf("%d held", n)
	switch {
	case focusing:
		return what + ", delivered when this focus ends."
	case !nextDigest.IsZero():
		return what + ", next digest " + whenLabel(nextDigest, now, loc) + "."
	default:
		return what + "."
	}
}

// todayLine compares today's focus with its share of the weekly goal.
func todayLine(got, goal, weekly time.Duration) string {
	if goal <= 0 {
		return durText(got) + " focused today (no goal on days off)"
	}
	return fmt.Sprintf("%s focused of today's %s (share of the %s weekly goal)", durText(got), durText(goal), durText(weekly))
}

// heldTotal is the number of notifications waiting for the next digest,
// repeats included, as the digest will count them ("Lull — 4 held").
func heldTotal(held []notify.Item) int {
	n := 0
	for _, it := range held {
		n += max(it.Count, 1)
	}
	return n
}

// startFocus starts a manual session of length d.
func (u *UI) startFocus(d time.Duration) {
	spec := fmt.Sprintf("%dm", int(d/time.Minute))
	u.focusJob(func(ctx context.Context) error { _, err := u.api.StartFocus(ctx, spec); return err })
}

// startUntilMeeting focuses until the next meeting (capped by the engine).
func (u *UI) startUntilMeeting() {
	u.focusJob(func(ctx context.Context) error { _, err := u.api.StartFocus(ctx, "until-next"); return err })
}

// resumeFocus focuses again for the rest of a block stopped early.
func (u *UI) resumeFocus() {
	u.focusJob(func(ctx context.Context) error { _, err := u.api.ResumeFocus(ctx); return err })
}

// stopFocus ends the running session.
func (u *UI) stopFocus() {
	u.focusJob(func(ctx context.Context) error { _, err := u.api.StopFocus(ctx); return err })
}

// toggleFocus stops a running session or starts the Today tab's choice.
func (u *UI) toggleFocus() { u.today.onToggle() }

// focusJob asks the resident for a focus change, off the UI goroutine; its
// focus event updates the views.
func (u *UI) focusJob(f func(context.Context) error) {
	u.today.toggle.Disable()
	u.bridge.run(func() error {
		ctx, cancel := u.call()
		defer cancel()
		return f(ctx)
	}, func(err error) {
		u.today.toggle.Enable()
		u.showError(err)
		u.today.refresh()
	})
}

// deliverNow hands every held notification over as one digest now.
func (u *UI) deliverNow() {
	u.digest.deliver.Disable()
	u.bridge.run(func() error {
		ctx, cancel := u.call()
		defer cancel()
		out, err := u.api.DeliverDigest(ctx)
		if err == nil && out.Warning != "" {
			// Stored, but the desktop did not show it.
			err = errors.New(out.Warning)
		}
		return err
	}, func(err error) {
		u.showError(err)
		u.digest.refresh()
		u.today.refresh()
	})
}
