package app

import (
	"context"
	"fmt"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/assets"
	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/atomicfile"
)

// sampleName names the bundled sample calendar so it is clearly a sample.
const sampleName = "Sample calendar (remove any time)"

// sampleFile is the sample's copy in the data directory.
const sampleFile = "sample-calendar.ics"

// addSampleCalendar copies the bundled sample calendar into the data
// directory, adds it as a file source and records it as the sample, so
// Settings offers to remove it in one click. Adding it twice returns the
// one already there.
func addSampleCalendar(svc *service.Service) (calendar.SourceConfig, error) {
	if id := svc.Settings().SampleSource; id != "" {
		if cfg, err := svc.Sources.Config(id); err == nil {
			return cfg, nil
		}
	}
	path := filepath.Join(svc.Dir, sampleFile)
	if err := atomicfile.Write(path, assets.SampleCalendar, 0o600); err != nil {
		return calendar.SourceConfig{}, fmt.Errorf("sample calendar: %w", err)
	}
	cfg, err := svc.AddSource(context.Background(), service.AddSource{Kind: calendar.SourceFile, Path: path, Name: sampleName})
	if err != nil {
		return cfg, fmt.Errorf("sample calendar: %w", err)
	}
	st := svc.Settings()
	st.SampleSource = cfg.ID
	if err := svc.Data.SaveSettings(st); err != nil {
		return cfg, fmt.Errorf("sample calendar: %w", err)
	}
	return cfg, nil
}

// maybeOnboard shows the first-run onboarding unless it was finished or
// left before.
func maybeOnboard(svc *service.Service, win fyne.Window) {
	if svc.Settings().Onboarded {
		return
	}
	// Someone who already connected a calendar (say from the command line)
	// is past the first step: no wizard for them.
	if list, err := svc.Sources.ListSources(); err == nil && len(list) > 0 {
		return
	}
	newOnboarding(svc, win).Show()
}

// onboarding is the first-run wizard: connect a calendar (or try the
// sample, or skip), then set the weekly goal. "Not now" leaves it at any
// step; either way it is not shown again.
type onboarding struct {
	svc *service.Service
	win fyne.Window
	dlg *dialog.CustomDialog

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

func newOnboarding(svc *service.Service, win fyne.Window) *onboarding {
	o := &onboarding{
		svc: svc, win: win,
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
	o.goal.SetText(settingsGoalText(svc.Settings().Plan.WeeklyGoal))
	o.adder = &calendarAdder{svc: svc, win: win, busy: o.setBusy, added: func(c calendar.SourceConfig) {
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
		widget.NewForm(widget.NewFormItem("Weekly focus goal (hours)", o.goal)),
		o.goalErr,
		goalHint,
		container.NewHBox(o.buttons["back"], o.buttons["finish"]),
	)
	o.steps = []fyne.CanvasObject{calendarStep, goalStep}
	goalStep.Hide()
	body := container.NewBorder(nil, container.NewVBox(o.progress, container.NewHBox(o.buttons["not-now"])), nil, nil, container.NewStack(o.steps...))
	o.dlg = dialog.NewCustomWithoutButtons("Welcome to Lull", body, win)
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

// trySample adds the sample calendar and syncs it on a goroutine, so the
// Plan fills while the user sets the goal.
func (o *onboarding) trySample() {
	if _, err := addSampleCalendar(o.svc); err != nil {
		dialog.ShowError(err, o.win)
		return
	}
	o.added.SetText("Sample calendar added. Lull is planning focus time around its meetings; remove it in Settings any time.")
	o.show(1)
	o.adder.sync()
}

// finish stores the goal and closes; a goal that cannot be read keeps the
// wizard open with the error under the field.
func (o *onboarding) finish() {
	g, err := settingsParseGoal(o.goal.Text)
	st := o.svc.Settings()
	if err == nil {
		st.Plan.WeeklyGoal = g
		st.Onboarded = true
		err = o.svc.SaveSettings(st)
	}
	if err != nil {
		o.goalErr.SetText(settingsErrorText(err))
		o.goalErr.Show()
		return
	}
	o.close()
}

// leave closes the wizard for good, keeping whatever was done.
func (o *onboarding) leave() {
	st := o.svc.Settings()
	st.Onboarded = true
	if err := o.svc.Data.SaveSettings(st); err != nil {
		dialog.ShowError(fmt.Errorf("could not save that onboarding is done: %w", err), o.win)
	}
	o.close()
}

func (o *onboarding) close() {
	o.closed = true
	o.dlg.Hide()
}
