package app

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/settings"
)

// maybeOnboard shows the first-run onboarding unless it was finished or
// left before, once the settings and the calendars are read.
func maybeOnboard(u *UI) {
	var st settings.Settings
	var list []calendar.SourceInfo
	u.bridge.run(func() error {
		ctx, cancel := u.call()
		defer cancel()
		var err error
		if st, err = u.api.Settings(ctx); err != nil {
			return err
		}
		list, err = u.api.Calendars(ctx)
		return err
	}, func(err error) {
		// Someone who already connected a calendar (say from the command
		// line) is past the first step: no wizard for them.
		if err != nil || st.Onboarded || len(list) > 0 || u.bridge.isClosed() {
			return
		}
		u.onboarding = newOnboarding(u, st)
		u.onboarding.Show()
	})
}

// onboarding is the first-run wizard: connect a calendar (or try the
// sample, or skip), then set the weekly goal. "Not now" leaves it at any
// step; either way it is not shown again.
type onboarding struct {
	ui  *UI
	win fyne.Window
	dlg *dialog.CustomDialog
	// st are the settings as read when the wizard opened: how the goal
	// field starts, and what a goal typed in is checked against.
	st settings.Settings

	// step is 0 (calendar) or 1 (goal).
	step     int
	steps    []fyne.CanvasObject
	added    *widget.Label
	goal     *widget.Entry
	goalErr  *widget.Label
	progress *widget.ProgressBarInfinite
	// buttons are "file", "url", "caldav", "sample", "skip", "back",
	// "finish" and "not-now".
	buttons map[string]*widget.Button
	adder   *calendarAdder
	closed  bool
}

func newOnboarding(u *UI, st settings.Settings) *onboarding {
	o := &onboarding{
		ui: u, win: u.win, st: st,
		added:    widget.NewLabel(""),
		goal:     widget.NewEntry(),
		goalErr:  widget.NewLabel(""),
		progress: widget.NewProgressBarInfinite(),
		buttons:  map[string]*widget.Button{},
	}
	o.progress.Stop()
	o.progress.Hide()
	o.goalErr.Importance = widget.DangerImportance
	o.goalErr.Wrapping = fyne.TextWrapWord
	o.goalErr.Hide()
	o.added.Wrapping = fyne.TextWrapWord
	o.goal.SetText(settingsField("goal").Format(st))
	o.adder = &calendarAdder{ui: u, win: u.win, busy: o.setBusy, added: func(c calendar.SourceConfig) {
		o.added.SetText(fmt.Sprintf("Added %q. Lull is reading it and planning your next two weeks.", c.Name))
		o.show(1)
	}}

	o.buttons["file"] = widget.NewButtonWithIcon("Add a calendar file (.ics)…", theme.FolderOpenIcon(), o.adder.addFile)
	o.buttons["url"] = widget.NewButtonWithIcon("Subscribe to a calendar URL…", theme.ContentAddIcon(), o.adder.addURL)
	o.buttons["caldav"] = widget.NewButtonWithIcon("Connect a CalDAV calendar…", theme.AccountIcon(), o.adder.addCalDAV)
	o.buttons["sample"] = widget.NewButtonWithIcon("Try the sample calendar", theme.CalendarIcon(), o.trySample)
	o.buttons["sample"].Importance = widget.HighImportance
	o.buttons["skip"] = widget.NewButton("Skip this step", func() {
		o.added.SetText("No calendar yet: Lull plans your working hours as free. Add one in Settings any time.")
		o.show(1)
	})
	o.buttons["back"] = widget.NewButtonWithIcon("Back", theme.NavigateBackIcon(), func() { o.show(0) })
	o.buttons["finish"] = widget.NewButtonWithIcon("Finish", theme.ConfirmIcon(), o.finish)
	o.buttons["finish"].Importance = widget.HighImportance
	o.buttons["not-now"] = widget.NewButton("Not now", o.leave)

	intro := widget.NewLabel("Lull finds free time between your meetings and protects it for focus. " +
		"Connect a calendar (it stays on this computer), or try a sample week first.")
	intro.Wrapping = fyne.TextWrapWord
	calendarStep := container.NewVBox(
		widget.NewLabelWithStyle("1 of 2 · Connect a calendar", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		intro,
		o.buttons["file"], o.buttons["url"], o.buttons["caldav"],
		widget.NewSeparator(),
		o.buttons["sample"],
		widget.NewLabel("The sample is a made-up week of meetings, marked as a sample and removable in one click."),
		o.buttons["skip"],
	)
	goalHint := widget.NewLabel(fmt.Sprintf("Hours of focus you want each week. Knowledge workers average %s; under 10 h a week is the usual warning line.", chartHours(focus.Baseline)))
	goalHint.Wrapping = fyne.TextWrapWord
	goalStep := container.NewVBox(
		widget.NewLabelWithStyle("2 of 2 · Set your weekly goal", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		o.added,
		widget.NewForm(widget.NewFormItem(settingsField("goal").Title(), o.goal)),
		o.goalErr,
		goalHint,
		container.NewHBox(o.buttons["back"], o.buttons["finish"]),
	)
	o.steps = []fyne.CanvasObject{calendarStep, goalStep}
	goalStep.Hide()
	body := container.NewBorder(nil, container.NewVBox(o.progress, container.NewHBox(o.buttons["not-now"])), nil, nil, container.NewStack(o.steps...))
	o.dlg = dialog.NewCustomWithoutButtons("Welcome to Lull", body, u.win)
	return o
}

// Show opens the wizard.
func (o *onboarding) Show() {
	o.dlg.Resize(fyne.NewSize(560, 460))
	o.dlg.Show()
}

func (o *onboarding) show(step int) {
	if o.closed {
		return
	}
	o.step = step
	for i, s := range o.steps {
		if i == step {
			s.Show()
		} else {
			s.Hide()
		}
	}
}

func (o *onboarding) setBusy(on bool) { setBusy(o.progress, on) }

// trySample has Lull add the sample calendar and syncs it in the
// background, so the Plan fills while the user sets the goal.
func (o *onboarding) trySample() {
	o.adder.run(func(ctx context.Context) func() {
		_, err := o.ui.api.AddCalendar(ctx, api.AddCalendar{Sample: true})
		return func() {
			if err != nil {
				dialog.ShowError(calendarError("Could not add the sample calendar", err), o.win)
				return
			}
			o.added.SetText("Sample calendar added. Lull is planning focus time around its meetings; remove it in Settings any time.")
			o.show(1)
			o.adder.sync()
		}
	})
}

// finish stores the goal and closes; a goal that cannot be read, or that
// Lull refuses, keeps the wizard open with the error under the field.
func (o *onboarding) finish() {
	goal := settingsField("goal")
	text := o.goal.Text
	st := o.st
	if err := goal.Parse(&st, text); err != nil {
		o.showGoalError(err)
		return
	}
	if err := st.Validate(); err != nil {
		o.showGoalError(err)
		return
	}
	o.save(func(st *settings.Settings) error { return goal.Parse(st, text) }, func(err error) {
		if err != nil {
			o.showGoalError(err)
			return
		}
		o.close()
	})
}

func (o *onboarding) showGoalError(err error) {
	o.goalErr.SetText(settingsFieldText(err))
	o.goalErr.Show()
}

// leave closes the wizard for good, keeping whatever was done.
func (o *onboarding) leave() {
	o.close()
	o.save(nil, func(err error) {
		if err != nil {
			dialog.ShowError(fmt.Errorf("could not save that onboarding is done: %w", userError(err)), o.win)
		}
	})
}

// save has Lull store the settings as they are now with edit made (if
// any) and onboarding done, then calls done on the UI goroutine.
func (o *onboarding) save(edit func(*settings.Settings) error, done func(error)) {
	u := o.ui
	u.bridge.run(func() error {
		ctx, cancel := u.call()
		defer cancel()
		st, err := u.api.Settings(ctx)
		if err != nil {
			return err
		}
		if edit != nil {
			if err := edit(&st); err != nil {
				return err
			}
		}
		st.Onboarded = true
		_, err = u.api.SaveSettings(ctx, st)
		return err
	}, done)
}

func (o *onboarding) close() {
	o.closed = true
	o.dlg.Hide()
}
