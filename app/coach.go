package app

import (
	"strconv"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lullapp/lull/focus/coach"
	"github.com/lullapp/lull/internal/api"
)

// coachSection is the Report tab's "Coach" section: the shown week's
// suggestions, each with its explanation and Apply (rules and settings)
// and Dismiss buttons; an applied one says what changed.
type coachSection struct {
	ui *UI

	// week is the ISO week to read ("" this week), set on the UI
	// goroutine and read off it, so behind mu.
	mu     sync.Mutex
	week   string
	loader *loader[coachData]

	// items are the suggestions shown (UI goroutine only).
	items []coach.Item
	// status says there is nothing to suggest, or why the coach could not
	// be read; list holds one card per suggestion.
	status *widget.Label
	list   *fyne.Container
	// buttons are "apply:ID" and "dismiss:ID" of the suggestions shown.
	buttons map[string]*widget.Button
	content fyne.CanvasObject
}

// coachData is one read of the section.
type coachData struct {
	coach api.Coach
	err   error
}

func newCoachSection(u *UI) *coachSection {
	c := &coachSection{ui: u, status: widget.NewLabel(""), list: container.NewVBox(), buttons: map[string]*widget.Button{}}
	c.status.Wrapping = fyne.TextWrapWord
	c.content = container.NewVBox(c.status, c.list)
	c.loader = newLoader(u.bridge, c.read, c.show)
	return c
}

// ShowWeek reads week's suggestions (an ISO week; "" this week).
func (c *coachSection) ShowWeek(week string) {
	c.mu.Lock()
	c.week = week
	c.mu.Unlock()
	c.loader.request()
}

func (c *coachSection) read() coachData {
	ctx, cancel := c.ui.call()
	defer cancel()
	c.mu.Lock()
	week := c.week
	c.mu.Unlock()
	out, err := c.ui.api.Coach(ctx, week)
	return coachData{coach: out, err: err}
}

func (c *coachSection) show(d coachData) {
	c.buttons = map[string]*widget.Button{}
	c.list.Objects = nil
	switch {
	case d.err != nil:
		c.items = nil
		c.status.SetText("The coach could not be read: " + userError(d.err).Error())
		c.status.Importance = widget.DangerImportance
	case len(d.coach.Suggestions) == 0:
		c.items = nil
		c.status.SetText("Nothing to suggest for this week.")
		c.status.Importance = widget.MediumImportance
	default:
		c.items = d.coach.Suggestions
		c.status.SetText(coachIntro(len(c.items)))
		c.status.Importance = widget.MediumImportance
		for _, it := range c.items {
			c.list.Add(c.card(it))
		}
	}
	c.status.Refresh()
	c.list.Refresh()
}

// coachIntro is the line above the suggestions.
func coachIntro(n int) string {
	if n == 1 {
		return "One suggestion from this week. Apply changes your rules or settings; nothing is sent to anyone."
	}
	return strconv.Itoa(n) + " suggestions from this week. Apply changes your rules or settings; nothing is sent to anyone."
}

// card lays out one suggestion: title, explanation, and its buttons or
// what applying it changed.
func (c *coachSection) card(it coach.Item) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(it.Title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord
	why := widget.NewLabel(it.Why)
	why.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(title, why)
	if it.State == coach.StateApplied {
		done := widget.NewLabel("Applied: " + it.Changed + ".")
		done.Wrapping = fyne.TextWrapWord
		done.Importance = widget.SuccessImportance
		box.Add(done)
		return box
	}
	var row []fyne.CanvasObject
	id := it.ID
	if it.Action != nil {
		apply := widget.NewButtonWithIcon("Apply", theme.ConfirmIcon(), func() { c.apply(id) })
		apply.Importance = widget.HighImportance
		c.buttons["apply:"+id] = apply
		row = append(row, apply)
	}
	dismiss := widget.NewButtonWithIcon("Dismiss", theme.CancelIcon(), func() { c.dismiss(id) })
	c.buttons["dismiss:"+id] = dismiss
	row = append(row, dismiss)
	box.Add(container.NewHBox(row...))
	return box
}

// apply applies suggestion id of the week shown.
func (c *coachSection) apply(id string) {
	c.act(id, func() error {
		ctx, cancel := c.ui.call()
		defer cancel()
		_, err := c.ui.api.CoachApply(ctx, id, c.shownWeek())
		return err
	})
}

// dismiss hides suggestion id for good.
func (c *coachSection) dismiss(id string) {
	c.act(id, func() error {
		ctx, cancel := c.ui.call()
		defer cancel()
		return c.ui.api.CoachDismiss(ctx, id, c.shownWeek())
	})
}

// act disables id's buttons, runs work off the UI goroutine, then shows
// an error if any and reads the section again.
func (c *coachSection) act(id string, work func() error) {
	for _, k := range []string{"apply:" + id, "dismiss:" + id} {
		if b := c.buttons[k]; b != nil {
			b.Disable()
		}
	}
	c.ui.bridge.run(work, func(err error) {
		c.ui.showError(err)
		c.loader.request()
	})
}

func (c *coachSection) shownWeek() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.week
}
