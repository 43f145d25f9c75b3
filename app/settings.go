package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/notify"
)

// calendarWorkTimeout bounds adding a calendar, testing a CalDAV connection
// and the sync that follows.
const calendarWorkTimeout = 2 * time.Minute

// settingsDays are the weekdays in the order the settings list them.
var settingsDays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// settingsDayKey is a weekday's field key ("hours-mon").
func settingsDayKey(d time.Weekday) string { return "hours-" + strings.ToLower(d.String()[:3]) }

// settingsDND lists the do-not-disturb choices as (label, stored value).
var settingsDND = [][2]string{
	{"Automatic (detect the desktop)", "auto"},
	{"Off (never silence the desktop)", "off"},
	{"dunst", "dunst"},
	{"mako", "mako"},
	{"SwayNC", "swaync"},
	{"GNOME", "gnome"},
	{"KDE Plasma", "kde"},
}

var settingsPrefer = [][2]string{
	{"Any time", string(calendar.PreferAny)},
	{"Mornings", string(calendar.PreferMorning)},
	{"Afternoons", string(calendar.PreferAfternoon)},
}

// settingsTab edits the calendars and every setting a user can change.
// Nothing is stored until Save, and nothing at all when a field is wrong.
type settingsTab struct {
	svc *service.Service
	win fyne.Window
	// getenv and executable are the environment autostart uses (os.Getenv
	// and the running binary; tests replace them).
	getenv     func(string) string
	executable func() (string, error)

	// entries are keyed "goal", "hours-mon"…"hours-sun", "zone",
	// "preferred", "min", "cap", "buffer", "lunch", "break", "digest",
	// "vip", "keywords"; errs holds the error label under each field, with
	// "prefer" and "dnd" for the selects.
	entries map[string]*entry
	errs    map[string]*widget.Label
	prefer  *widget.Select
	dnd     *widget.Select
	// checks are "capture", "batch", "end-cue" and "autostart".
	checks map[string]*widget.Check
	// buttons are "save", "revert", "add-file", "add-url", "add-caldav", "sync" and
	// "remove-sample".
	buttons  map[string]*widget.Button
	status   *widget.Label
	sources  *fyne.Container
	progress *widget.ProgressBarInfinite
	// removeButtons are the calendar list's remove buttons by source id.
	removeButtons map[string]*widget.Button
	// allDayFree are the calendar list's "All-day events are free" boxes
	// by source id.
	allDayFree map[string]*widget.Check

	adder   *calendarAdder
	loading bool // set while Refresh fills the fields
	// shown is what the fields were last filled with, so Refresh can tell
	// unsaved edits from stale values.
	shown    service.Settings
	hasShown bool
	// scroll holds the fields; the save bar stays below it.
	scroll  *wheelScroll
	content fyne.CanvasObject
}

func newSettingsTab(svc *service.Service, win fyne.Window) *settingsTab {
	t := &settingsTab{
		svc: svc, win: win,
		getenv: os.Getenv, executable: runningExecutable,
		entries:       map[string]*entry{},
		errs:          map[string]*widget.Label{},
		checks:        map[string]*widget.Check{},
		buttons:       map[string]*widget.Button{},
		removeButtons: map[string]*widget.Button{},
		status:        widget.NewLabel(""),
		sources:       container.NewVBox(),
		progress:      widget.NewProgressBarInfinite(),
	}
	t.status.Wrapping = fyne.TextWrapWord
	t.progress.Hide()
	t.progress.Stop()
	t.adder = &calendarAdder{svc: svc, win: win, busy: t.setBusy, added: func(calendar.SourceConfig) { t.refreshSources() }, synced: t.refreshSources}

	field := func(key, placeholder string) fyne.CanvasObject {
		e := newEntry()
		e.SetPlaceHolder(placeholder)
		e.OnChanged = func(string) { t.changed(key) }
		t.entries[key] = e
		return t.withError(key, e)
	}
	t.prefer = widget.NewSelect(settingsLabels(settingsPrefer), func(string) { t.changed("prefer") })
	t.dnd = widget.NewSelect(settingsLabels(settingsDND), func(string) { t.changed("dnd") })
	t.checks["capture"] = widget.NewCheck("Capture them", nil)
	t.checks["batch"] = widget.NewCheck("Hold them all day", nil)
	t.checks["end-cue"] = widget.NewCheck("Tell me when a focus session ends", nil)
	t.checks["autostart"] = widget.NewCheck("Start Lull when I log in", t.setAutostart)

	t.buttons["add-file"] = widget.NewButtonWithIcon("Add a file…", theme.FolderOpenIcon(), t.adder.addFile)
	t.buttons["add-url"] = widget.NewButtonWithIcon("Subscribe to a URL…", theme.ContentAddIcon(), t.adder.addURL)
	t.buttons["add-caldav"] = widget.NewButtonWithIcon("Connect CalDAV…", theme.AccountIcon(), t.adder.addCalDAV)
	t.buttons["sync"] = widget.NewButtonWithIcon("Sync now", theme.ViewRefreshIcon(), t.syncNow)
	t.buttons["remove-sample"] = widget.NewButtonWithIcon("Remove sample calendar", theme.DeleteIcon(), t.removeSample)
	t.buttons["remove-sample"].Importance = widget.WarningImportance
	t.buttons["save"] = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), t.save)
	t.buttons["save"].Importance = widget.HighImportance
	t.buttons["revert"] = widget.NewButtonWithIcon("Revert", theme.ContentUndoIcon(), t.fill)

	hours := widget.NewForm()
	hours.Append("Weekly focus goal (hours)", field("goal", "10"))
	for _, d := range settingsDays {
		hours.Append(d.String(), field(settingsDayKey(d), "off, or 09:00–17:00"))
	}
	hours.Append("Time zone", field("zone", "empty, or e.g. Europe/Berlin"))
	hours.Append("Preferred time of day", t.withError("prefer", t.prefer))

	blocks := widget.NewForm()
	blocks.Append("Preferred block", field("preferred", "2 h"))
	blocks.Append("Shortest block", field("min", "1 h (30 min allowed)"))
	blocks.Append("Most focus per day", field("cap", "4 h"))
	blocks.Append("Buffer around meetings", field("buffer", "10 min"))
	blocks.Append("Lunch to avoid", field("lunch", "off, or 12:00–13:00"))
	blocks.Append("", t.checks["end-cue"])
	blocks.Append("Break to suggest then", field("break", "none, or e.g. 5 min"))

	notes := widget.NewForm()
	notes.Append("Digest times", field("digest", "09:00, 12:30, 16:30"))
	notes.Append("VIP senders and apps", field("vip", "e.g. PagerDuty, boss@example.com"))
	notes.Append("Breakthrough keywords", field("keywords", "e.g. outage, urgent"))
	notes.Append("Do not disturb", t.withError("dnd", t.dnd))
	// Short check texts with the subject in the form's label column keep
	// the form narrow enough for a 500 px window.
	notes.AppendItem(&widget.FormItem{Text: "Other apps' notifications", Widget: t.checks["capture"], HintText: "Lull reads what other apps show on this desktop"})
	notes.AppendItem(&widget.FormItem{Text: "", Widget: t.checks["batch"], HintText: "not only while focusing"})

	heading := func(s string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	system := []fyne.CanvasObject{heading("System")}
	if autostartSupported() {
		system = append(system, t.checks["autostart"])
	} else {
		system = append(system, widget.NewLabel("Start at login: add Lull to your system's startup items."))
	}
	body := container.NewVBox(
		heading("Calendars"),
		t.sources,
		newFlow(t.buttons["add-file"], t.buttons["add-url"], t.buttons["add-caldav"], t.buttons["sync"], t.buttons["remove-sample"]),
		t.progress,
		widget.NewSeparator(),
		heading("Goal and working hours"),
		hours,
		heading("Focus blocks"),
		blocks,
		heading("Notifications"),
		notes,
		container.NewVBox(system...),
	)
	// Save and Revert stay in view below the scrolling fields, with the
	// line that confirms a save or says what is wrong.
	bar := container.NewVBox(widget.NewSeparator(),
		container.NewPadded(container.NewBorder(nil, nil, nil, container.NewHBox(t.buttons["revert"], t.buttons["save"]), t.status)))
	t.scroll = newWheelScroll(container.NewPadded(body))
	t.content = container.NewBorder(nil, bar, nil, nil, t.scroll)
	t.Refresh()
	return t
}

// withError puts a hidden error label under a field.
func (t *settingsTab) withError(key string, o fyne.CanvasObject) fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	t.errs[key] = l
	return container.NewVBox(o, l)
}

// Content is the tab's content.
func (t *settingsTab) Content() fyne.CanvasObject { return t.content }

// Refresh re-lists the calendars and fills the fields from the stored
// settings, unless the user has unsaved edits: those are kept, so a
// background sync never wipes what is being typed.
func (t *settingsTab) Refresh() {
	t.refreshSources()
	if t.edited() {
		return
	}
	t.fill()
}

// edited reports whether the fields differ from what they were filled with.
func (t *settingsTab) edited() bool {
	if !t.hasShown {
		return false
	}
	st, _, err := t.collect()
	if err != nil {
		return true
	}
	return !reflect.DeepEqual(settingsUIFields(st), settingsUIFields(t.shown))
}

// settingsUIFields is the part of st the tab's fields edit.
func settingsUIFields(st service.Settings) service.Settings {
	return service.Settings{
		Plan: st.Plan, DigestTimes: st.DigestTimes, VIP: st.VIP, Keywords: st.Keywords,
		BatchDesktopAllDay: st.BatchDesktopAllDay, Capture: st.Capture, DND: st.DND,
		EndCue: st.EndCue, BreakAfter: st.BreakAfter,
	}
}

// fill puts the stored settings into the fields, dropping edits and errors.
func (t *settingsTab) fill() {
	st := t.svc.Settings()
	p := st.Plan
	t.loading = true
	defer func() { t.loading = false }()
	t.entries["goal"].SetText(settingsGoalText(p.WeeklyGoal))
	for _, d := range settingsDays {
		t.entries[settingsDayKey(d)].SetText(settingsSpanText(p.Hours[d]))
	}
	zone := p.Zone
	if zone == "Local" {
		zone = ""
	}
	t.entries["zone"].SetText(zone)
	t.prefer.SetSelected(settingsLabel(settingsPrefer, string(p.Prefer)))
	t.entries["preferred"].SetText(durText(p.PreferredBlock))
	t.entries["min"].SetText(durText(p.MinBlock))
	t.entries["cap"].SetText(durText(p.DailyCap))
	t.entries["buffer"].SetText(durText(p.Buffer))
	t.entries["lunch"].SetText(settingsSpanText(p.Lunch))
	t.entries["digest"].SetText(strings.Join(st.DigestTimes, ", "))
	t.entries["vip"].SetText(strings.Join(st.VIP, ", "))
	t.entries["keywords"].SetText(strings.Join(st.Keywords, ", "))
	dnd := st.DND
	if dnd == "" {
		dnd = "auto"
	}
	if settingsLabel(settingsDND, dnd) == dnd && !slices.Contains(t.dnd.Options, dnd) {
		t.dnd.Options = append(t.dnd.Options, dnd) // a value set elsewhere (CLI, API)
	}
	t.dnd.SetSelected(settingsLabel(settingsDND, dnd))
	t.checks["capture"].SetChecked(st.Capture)
	t.checks["batch"].SetChecked(st.BatchDesktopAllDay)
	t.checks["end-cue"].SetChecked(st.EndCue)
	t.entries["break"].SetText(settingsBreakText(st.BreakAfter))
	t.checks["autostart"].SetChecked(autostartEnabled(t.getenv))
	t.clearErrors()
	t.status.SetText("")
	// What the fields now hold, read back the way Save reads them (a zone
	// of "Local" shows as empty, an unset DND as automatic).
	t.shown, _, _ = t.collect()
	t.hasShown = true
}

func (t *settingsTab) clearErrors() {
	for _, l := range t.errs {
		l.SetText("")
		l.Hide()
	}
}

// showError shows err under field (or in the status line when no field is
// known) and says that nothing was saved.
func (t *settingsTab) showError(field string, err error) {
	msg := settingsErrorText(err)
	if l, ok := t.errs[field]; ok {
		l.SetText(msg)
		l.Show()
	}
	t.status.Importance = widget.DangerImportance
	t.status.SetText("Not saved: " + msg)
}

// collect reads the fields into a copy of the stored settings. A field that
// cannot be read is named in the error's field.
func (t *settingsTab) collect() (service.Settings, string, error) {
	st := t.svc.Settings()
	p := &st.Plan
	var err error
	if p.WeeklyGoal, err = settingsParseGoal(t.entries["goal"].Text); err != nil {
		return st, "goal", err
	}
	for _, d := range settingsDays {
		if p.Hours[d], err = settingsParseSpan(t.entries[settingsDayKey(d)].Text); err != nil {
			return st, settingsDayKey(d), fmt.Errorf("%s: %w", d, err)
		}
	}
	p.Zone = strings.TrimSpace(t.entries["zone"].Text)
	if err := settingsCheckZone(p.Zone); err != nil {
		return st, "zone", err
	}
	p.Prefer = calendar.TimeOfDay(settingsValue(settingsPrefer, t.prefer.Selected))
	for _, f := range []struct {
		key string
		to  *time.Duration
	}{{"preferred", &p.PreferredBlock}, {"min", &p.MinBlock}, {"cap", &p.DailyCap}, {"buffer", &p.Buffer}} {
		if *f.to, err = settingsParseDuration(t.entries[f.key].Text); err != nil {
			return st, f.key, err
		}
	}
	if p.Lunch, err = settingsParseSpan(t.entries["lunch"].Text); err != nil {
		return st, "lunch", fmt.Errorf("lunch: %w", err)
	}
	if st.DigestTimes, err = settingsParseTimes(t.entries["digest"].Text); err != nil {
		return st, "digest", err
	}
	st.VIP = settingsList(t.entries["vip"].Text)
	st.Keywords = settingsList(t.entries["keywords"].Text)
	st.DND = settingsValue(settingsDND, t.dnd.Selected)
	st.Capture = t.checks["capture"].Checked
	st.BatchDesktopAllDay = t.checks["batch"].Checked
	st.EndCue = t.checks["end-cue"].Checked
	if st.BreakAfter, err = settingsParseBreak(t.entries["break"].Text); err != nil {
		return st, "break", err
	}
	return st, "", nil
}

// save validates every field and stores the settings; on any error nothing
// is stored and the error shows under the field.
func (t *settingsTab) save() {
	t.clearErrors()
	st, field, err := t.collect()
	if err == nil {
		if err = st.Validate(); err != nil {
			field = settingsErrorField(err)
		}
	}
	if err == nil {
		err = t.svc.SaveSettings(st)
		field = settingsErrorField(err)
	}
	if err != nil {
		t.showError(field, err)
		return
	}
	t.shown, t.hasShown = st, true
	t.confirm("Saved at %s. Lull re-plans with the new settings.", t.svc.Clock.Now().In(t.svc.Location()).Format("15:04"))
}

// confirm says in the status line that something was done.
func (t *settingsTab) confirm(format string, args ...any) {
	t.status.Importance = widget.SuccessImportance
	t.status.SetText(fmt.Sprintf(format, args...))
}

// changed follows an edit of field key: once what it holds is right again,
// its error goes (and the "Not saved" line with the last one), without
// waiting for the next Save; a message still true is brought up to date.
func (t *settingsTab) changed(key string) {
	if t.loading {
		return
	}
	l, ok := t.errs[key]
	if !ok || !l.Visible() {
		return
	}
	if err := t.fieldProblem(key); err != nil {
		l.SetText(settingsErrorText(err))
		return
	}
	l.SetText("")
	l.Hide()
	for _, other := range t.errs {
		if other.Visible() {
			return
		}
	}
	t.status.Importance = widget.MediumImportance
	t.status.SetText("Not saved yet: Save keeps the changes.")
}

// fieldProblem is what is wrong with field key alone, or with the settings
// when they are wrong because of it; nil when it is right.
func (t *settingsTab) fieldProblem(key string) error {
	st, field, err := t.collect()
	if err == nil {
		err = st.Validate()
		field = settingsErrorField(err)
	}
	if err != nil && field == key {
		return err
	}
	// Another field fails first: check this one on its own.
	return t.parseField(key)
}

// parseField reads field key on its own.
func (t *settingsTab) parseField(key string) error {
	e, ok := t.entries[key]
	if !ok {
		return nil
	}
	var err error
	switch {
	case key == "goal":
		_, err = settingsParseGoal(e.Text)
	case key == "lunch" || strings.HasPrefix(key, "hours-"):
		_, err = settingsParseSpan(e.Text)
	case key == "preferred" || key == "min" || key == "cap" || key == "buffer":
		_, err = settingsParseDuration(e.Text)
	case key == "digest":
		_, err = settingsParseTimes(e.Text)
	case key == "zone":
		err = settingsCheckZone(e.Text)
	case key == "break":
		_, err = settingsParseBreak(e.Text)
	}
	return err
}

// settingsErrorField finds the field a validation error is about: the
// earliest field name mentioned in the message.
func settingsErrorField(err error) string {
	if err == nil {
		return ""
	}
	msg := strings.ToLower(err.Error())
	names := map[string]string{
		"weekly goal": "goal", "minimum block": "min", "preferred block": "preferred",
		"daily cap": "cap", "buffer": "buffer", "lunch": "lunch", "digest time": "digest",
		"do-not-disturb": "dnd", "preferred time of day": "prefer", "zone": "zone", "break": "break",
	}
	for _, d := range settingsDays {
		names[strings.ToLower(d.String())+" working hours"] = settingsDayKey(d)
	}
	best, bestName, at := "", "", len(msg)
	for name, key := range names {
		if i := strings.Index(msg, name); i >= 0 && (i < at || (i == at && len(name) > len(bestName))) {
			best, bestName, at = key, name, i
		}
	}
	return best
}

// settingsErrorText drops the sentinel prefixes ("invalid settings: invalid
// planner settings: ") a user does not need, and writes durations in words
// ("10m0s" is "10 min").
func settingsErrorText(err error) string {
	msg := err.Error()
	for _, p := range []string{service.ErrBadSettings.Error() + ": ", calendar.ErrBadSettings.Error() + ": "} {
		msg = strings.TrimPrefix(msg, p)
	}
	msg = plainDurations(msg)
	if msg != "" {
		msg = strings.ToUpper(msg[:1]) + msg[1:]
	}
	return msg
}

func (t *settingsTab) setAutostart(on bool) {
	if t.loading {
		return
	}
	exe := ""
	var err error
	if on {
		exe, err = t.executable()
	}
	if err == nil {
		err = setAutostart(t.getenv, exe, on)
	}
	if err != nil {
		dialog.ShowError(err, t.win)
		t.loading = true
		t.checks["autostart"].SetChecked(autostartEnabled(t.getenv))
		t.loading = false
		return
	}
	if on {
		t.confirm("Lull will start when you log in.")
	} else {
		t.confirm("Lull will no longer start when you log in.")
	}
}

// refreshSources re-lists the calendars.
func (t *settingsTab) refreshSources() {
	list, err := t.svc.CalendarList()
	sample := t.svc.Settings().SampleSource
	t.removeButtons = map[string]*widget.Button{}
	t.allDayFree = map[string]*widget.Check{}
	var rows []fyne.CanvasObject
	if err != nil {
		l := widget.NewLabel("The calendars could not be listed: " + err.Error())
		l.Importance = widget.DangerImportance
		rows = append(rows, l)
	}
	if err == nil && len(list) == 0 {
		rows = append(rows, widget.NewLabel("No calendars yet: add one so Lull can plan around your meetings."))
	}
	for _, s := range list {
		id := s.Config.ID
		name := widget.NewLabelWithStyle(s.Config.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		detail := widget.NewLabel(sourceDetail(s, id == sample, t.svc.Clock.Now(), t.svc.Location()))
		detail.Wrapping = fyne.TextWrapWord
		if s.Status.NeedsAttention() {
			detail.Importance = widget.WarningImportance
		}
		rm := widget.NewButtonWithIcon("Remove", theme.DeleteIcon(), func() {
			dialog.ShowConfirm("Remove calendar", fmt.Sprintf("Remove %q from Lull? Its busy time will no longer be planned around.", s.Config.Name),
				func(ok bool) {
					if ok {
						t.removeSource(id)
					}
				}, t.win)
		})
		t.removeButtons[id] = rm
		free := widget.NewCheck("All-day events are free", nil)
		free.SetChecked(s.Config.AllDayFree)
		free.OnChanged = func(on bool) { t.setAllDayFree(id, on) }
		t.allDayFree[id] = free
		rows = append(rows, container.NewBorder(nil, nil, nil, rm, container.NewVBox(name, detail, free)))
	}
	t.sources.Objects = rows
	t.sources.Refresh()
	if sample != "" {
		t.buttons["remove-sample"].Show()
	} else {
		t.buttons["remove-sample"].Hide()
	}
}

// sourceDetail describes a source without its secrets (a subscription
// shows only its scheme and host, CalDAV its server and user) and says
// what its last sync read, in local time: "12 events, 2 problems (first:
// …)", "no events read", "error: … — last good copy from 3 Dec 14:05 in
// use".
func sourceDetail(s calendar.SourceInfo, sample bool, now time.Time, loc *time.Location) string {
	c := s.Config
	var where string
	switch c.Kind {
	case calendar.SourceFile:
		where = "File " + c.Path
	case calendar.SourceURL:
		where = "Subscription " + c.Host + "/…"
	case calendar.SourceCalDAV:
		where = "CalDAV " + c.ServerURL + " as " + c.User
		if c.CalendarPath != "" {
			where += ", calendar " + c.CalendarPath
		}
	default:
		where = string(c.Kind)
	}
	if sample {
		where = "Sample calendar bundled with Lull · " + where
	}
	return where + " · " + s.Status.Describe(now, loc)
}

// setAllDayFree changes a calendar's "all-day events are free"; the
// service re-reads the calendars and re-plans.
func (t *settingsTab) setAllDayFree(id string, on bool) {
	if _, err := t.svc.ChangeSource(id, service.SourceChange{AllDayFree: &on}); err != nil {
		dialog.ShowError(fmt.Errorf("could not change the calendar: %w", err), t.win)
		t.refreshSources()
	}
}

// removeSource removes a calendar, then re-plans without it.
func (t *settingsTab) removeSource(id string) {
	if err := t.svc.RemoveSource(id); err != nil {
		dialog.ShowError(fmt.Errorf("could not remove the calendar: %w", err), t.win)
		return
	}
	t.refreshSources()
	t.syncNow()
}

// removeSample removes the bundled sample calendar in one click.
func (t *settingsTab) removeSample() {
	if id := t.svc.Settings().SampleSource; id != "" {
		t.removeSource(id)
		os.Remove(filepath.Join(t.svc.Dir, sampleFile))
	}
}

// syncNow re-reads every calendar and re-plans in the background.
func (t *settingsTab) syncNow() { t.adder.sync() }

// setBusy shows or hides the progress bar.
func (t *settingsTab) setBusy(on bool) { setBusy(t.progress, on) }

// calendarAdder runs the add-a-calendar dialogs for Settings and onboarding.
// The slow part (fetching, CalDAV discovery, the sync after) runs on a
// goroutine; results come back through fyne.Do.
type calendarAdder struct {
	svc *service.Service
	win fyne.Window
	// busy shows progress while work runs (may be nil).
	busy func(bool)
	// added is called with the new source, synced after the sync that
	// follows it (either may be nil).
	added  func(calendar.SourceConfig)
	synced func()
	work   sync.WaitGroup
	mu     sync.Mutex
	runs   int
}

// run does work on a goroutine while the progress shows, then done on the
// UI goroutine.
func (a *calendarAdder) run(work func(ctx context.Context) func()) {
	a.setBusy(1)
	a.work.Add(1)
	go func() {
		defer a.work.Done()
		ctx, cancel := context.WithTimeout(context.Background(), calendarWorkTimeout)
		defer cancel()
		done := work(ctx)
		fyne.Do(func() {
			a.setBusy(-1)
			if done != nil {
				done()
			}
		})
	}()
}

func (a *calendarAdder) setBusy(delta int) {
	a.mu.Lock()
	a.runs += delta
	on := a.runs > 0
	a.mu.Unlock()
	if a.busy != nil {
		a.busy(on)
	}
}

// wait blocks until background work is done (tests, shutdown).
func (a *calendarAdder) wait() { a.work.Wait() }

// add adds the source on a goroutine, then syncs so the plan uses it.
func (a *calendarAdder) add(req service.AddSource) {
	a.run(func(ctx context.Context) func() {
		cfg, err := a.svc.AddSource(ctx, req)
		if err != nil {
			return func() { dialog.ShowError(calendarError("Could not add the calendar", err), a.win) }
		}
		fyne.Do(func() {
			if a.added != nil {
				a.added(cfg)
			}
		})
		_, _, err = a.svc.SyncNow(ctx)
		return func() {
			if err != nil {
				dialog.ShowError(calendarError("The calendar was added, but syncing failed", err), a.win)
			}
			if a.synced != nil {
				a.synced()
			}
		}
	})
}

// sync re-reads every calendar and re-plans.
func (a *calendarAdder) sync() {
	a.run(func(ctx context.Context) func() {
		rep, _, err := a.svc.SyncNow(ctx)
		return func() {
			if err != nil {
				dialog.ShowError(calendarError("Syncing the calendars failed", err), a.win)
			} else if bad := syncProblems(rep); bad != "" {
				dialog.ShowInformation("Some calendars could not be read", bad, a.win)
			}
			if a.synced != nil {
				a.synced()
			}
		}
	})
}

func syncProblems(rep service.SyncReport) string {
	var lines []string
	for _, s := range rep.Sources {
		if s.Error != "" {
			lines = append(lines, s.Name+": "+s.Error)
		}
	}
	return strings.Join(lines, "\n")
}

// calendarError puts a plain lead before err and a hint for the common
// causes.
func calendarError(lead string, err error) error {
	hint := ""
	switch {
	case errors.Is(err, calendar.ErrSourceAuth):
		hint = " Check the user name and password (some servers want an app password)."
	case errors.Is(err, calendar.ErrSourceNotFound), errors.Is(err, calendar.ErrNoCalendar):
		hint = " Check the address: it should point at the calendar or the CalDAV server."
	case errors.Is(err, calendar.ErrSourceUnreachable), errors.Is(err, calendar.ErrSourceTimeout):
		hint = " Check the address and your network connection."
	case errors.Is(err, calendar.ErrKeyringTimeout), errors.Is(err, calendar.ErrSecretNotFound):
		hint = " Lull keeps calendar passwords and secret URLs in the system keyring: unlock it and try again."
	}
	return fmt.Errorf("%s: %w.%s", lead, err, hint)
}

// addFile asks for an .ics file and adds it.
func (a *calendarAdder) addFile() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			dialog.ShowError(fmt.Errorf("could not open the file: %w", err), a.win)
			return
		}
		if r == nil {
			return // cancelled
		}
		path := r.URI().Path()
		r.Close()
		a.add(service.AddSource{Kind: calendar.SourceFile, Path: path})
	}, a.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".ics", ".ICS"}))
	d.Show()
}

// addURL asks for a subscription URL. The URL may hold a secret token, so
// it goes to the keyring and is never shown again in full.
func (a *calendarAdder) addURL() {
	u := widget.NewEntry()
	u.SetPlaceHolder("https://… or webcal://…")
	u.Validator = func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New("enter the calendar's address")
		}
		return nil
	}
	name := widget.NewEntry()
	name.SetPlaceHolder("optional, e.g. Work")
	items := []*widget.FormItem{
		{Text: "Address", Widget: u, HintText: "Kept in the system keyring, not shown again"},
		{Text: "Name", Widget: name},
	}
	d := dialog.NewForm("Subscribe to a calendar", "Add", "Cancel", items, func(ok bool) {
		if ok {
			a.add(service.AddSource{Kind: calendar.SourceURL, URL: strings.TrimSpace(u.Text), Name: strings.TrimSpace(name.Text)})
		}
	}, a.win)
	d.Resize(fyne.NewSize(520, 0))
	d.Show()
}

// calDAVForm is the CalDAV dialog's widgets.
type calDAVForm struct {
	url, user, password *widget.Entry
	calendars           *widget.Select
	publish             *widget.Check
	test                *widget.Button
	status              *widget.Label
	found               []calendar.CalDAVCalendar
}

// addCalDAV asks for a CalDAV account, can test it (listing the
// calendars found) and adds the chosen calendar.
func (a *calendarAdder) addCalDAV() {
	f := a.newCalDAVForm()
	items := []*widget.FormItem{
		{Text: "Server", Widget: f.url},
		{Text: "User", Widget: f.user},
		{Text: "Password", Widget: f.password, HintText: "Kept in the system keyring"},
		{Text: "", Widget: container.NewBorder(nil, nil, f.test, nil, f.status)},
		{Text: "Calendar", Widget: f.calendars},
		{Text: "", Widget: f.publish},
	}
	d := dialog.NewForm("Connect a CalDAV calendar", "Add", "Cancel", items, func(ok bool) {
		if ok {
			a.add(f.request())
		}
	}, a.win)
	d.Resize(fyne.NewSize(560, 0))
	d.Show()
}

func (a *calendarAdder) newCalDAVForm() *calDAVForm {
	f := &calDAVForm{
		url: widget.NewEntry(), user: widget.NewEntry(), password: widget.NewPasswordEntry(),
		calendars: widget.NewSelect(nil, nil),
		publish:   widget.NewCheck("Write accepted focus blocks to this calendar", nil),
		status:    widget.NewLabel(""),
	}
	f.url.SetPlaceHolder("https://caldav.example.com/")
	f.calendars.PlaceHolder = "Test the connection to list calendars"
	f.status.Wrapping = fyne.TextWrapWord
	f.test = widget.NewButtonWithIcon("Test connection", theme.SearchIcon(), func() { a.testCalDAV(f) })
	return f
}

// testCalDAV runs discovery on a goroutine and lists what it found.
func (a *calendarAdder) testCalDAV(f *calDAVForm) {
	rawURL, user, pw := strings.TrimSpace(f.url.Text), strings.TrimSpace(f.user.Text), f.password.Text
	if rawURL == "" || user == "" {
		f.status.SetText("Enter the server address and the user first.")
		return
	}
	f.test.Disable()
	f.status.SetText("Connecting…")
	a.run(func(ctx context.Context) func() {
		found, err := a.svc.Sources.DiscoverCalDAV(ctx, rawURL, user, pw)
		return func() {
			f.test.Enable()
			if err != nil {
				err = calendarError("Could not connect", err)
				f.status.SetText(err.Error())
				dialog.ShowError(err, a.win)
				return
			}
			f.found = found
			var opts []string
			for _, c := range found {
				opts = append(opts, calDAVLabel(c))
			}
			f.calendars.SetOptions(opts)
			if len(opts) > 0 {
				f.calendars.SetSelectedIndex(0)
			}
			f.status.SetText(fmt.Sprintf("Connected: %d calendar%s found.", len(found), map[bool]string{true: "", false: "s"}[len(found) == 1]))
		}
	})
}

func calDAVLabel(c calendar.CalDAVCalendar) string {
	if c.Name == "" {
		return c.Path
	}
	return c.Name + " (" + c.Path + ")"
}

// request is the AddSource the form describes.
func (f *calDAVForm) request() service.AddSource {
	req := service.AddSource{
		Kind: calendar.SourceCalDAV, URL: strings.TrimSpace(f.url.Text),
		User: strings.TrimSpace(f.user.Text), Password: f.password.Text, Publish: f.publish.Checked,
	}
	if i := f.calendars.SelectedIndex(); i >= 0 && i < len(f.found) {
		req.Calendar = f.found[i].Path
	}
	return req
}

func settingsLabels(table [][2]string) []string {
	out := make([]string, len(table))
	for i, r := range table {
		out[i] = r[0]
	}
	return out
}

// settingsLabel is value's label (value itself when unknown).
func settingsLabel(table [][2]string, value string) string {
	for _, r := range table {
		if r[1] == value {
			return r[0]
		}
	}
	return value
}

// settingsValue is label's value (label itself when unknown).
func settingsValue(table [][2]string, label string) string {
	for _, r := range table {
		if r[0] == label {
			return r[1]
		}
	}
	return label
}

// settingsGoalText writes the goal in hours ("10", "7.5").
func settingsGoalText(d time.Duration) string {
	return strconv.FormatFloat(d.Hours(), 'f', -1, 64)
}

// settingsMaxGoal is the largest weekly goal: every hour of a week.
const settingsMaxGoal = 7 * 24 * time.Hour

// settingsParseGoal reads hours ("10", "7.5", "7,5", "10 h") or a duration
// ("7h30m"), from 0 to 168 hours.
func settingsParseGoal(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	num := strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(s, "hours"), "h"))
	d, err := time.Duration(0), error(nil)
	if h, perr := strconv.ParseFloat(strings.ReplaceAll(num, ",", "."), 64); perr == nil {
		d = time.Duration(h * float64(time.Hour)).Round(time.Minute)
	} else if d, err = time.ParseDuration(strings.ReplaceAll(s, " ", "")); err != nil {
		return 0, fmt.Errorf("weekly goal %q: enter hours, e.g. 10 or 7.5", s)
	}
	if d < 0 || d > settingsMaxGoal {
		return 0, fmt.Errorf("weekly goal %q: enter hours between 0 and 168, e.g. 10 or 7.5", s)
	}
	return d, nil
}

// settingsParseTimes reads the digest times: times of day separated by
// commas ("09:00, 12:30"); none means only at the end of focus blocks.
func settingsParseTimes(s string) ([]string, error) {
	out := []string{}
	for _, v := range settingsList(s) {
		t, err := notify.ParseTimeOfDay(v)
		if err != nil {
			return nil, fmt.Errorf("digest time %q: enter times of day such as 09:00, 12:30, 16:30, separated by commas", v)
		}
		out = append(out, t.String()) // "9am" is kept as 09:00, as it is shown
	}
	return out, nil
}

// settingsCheckZone accepts an IANA zone name, or nothing for this
// computer's zone.
func settingsCheckZone(zone string) error {
	zone = strings.TrimSpace(zone)
	if zone == "" {
		return nil
	}
	if _, err := time.LoadLocation(zone); err != nil {
		return fmt.Errorf("time zone %q is unknown: enter a name such as Europe/Berlin or America/New_York, or leave it empty for this computer's zone", zone)
	}
	return nil
}

// settingsUnits are the unit words a length may be typed with, longest
// first, and what they stand for.
var settingsUnits = strings.NewReplacer("minutes", "m", "minute", "m", "mins", "m", "min", "m", "hours", "h", "hour", "h", "hrs", "h", "hr", "h")

// settingsParseDuration reads a length as shown ("2 h", "1 h 30 min",
// "10 min") or typed ("2h", "90m", "1h30m", "1.5h", "90 minutes") or a bare
// number of minutes ("45").
func settingsParseDuration(s string) (time.Duration, error) {
	in := s
	s = settingsUnits.Replace(strings.ReplaceAll(strings.TrimSpace(strings.ToLower(s)), " ", ""))
	if n, err := strconv.Atoi(s); err == nil {
		return time.Duration(n) * time.Minute, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q: enter a length such as 2 h, 90 min or 1 h 30 min", strings.TrimSpace(in))
	}
	return d, nil
}

// settingsBreakText writes the suggested break, "" for none.
func settingsBreakText(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return durText(d)
}

// settingsParseBreak reads the break to suggest: a length up to an hour;
// empty, "none" or 0 for none.
func settingsParseBreak(s string) (time.Duration, error) {
	in := strings.TrimSpace(s)
	if in == "" || strings.EqualFold(in, "none") || strings.EqualFold(in, "no") {
		return 0, nil
	}
	d, err := settingsParseDuration(in)
	if err != nil || d < 0 || d > service.MaxBreak {
		return 0, fmt.Errorf("break %q: enter a length up to %s, e.g. 5 min, or leave it empty", in, durText(service.MaxBreak))
	}
	return d, nil
}

// settingsSpanText writes "09:00–17:00", or "" for an empty span.
func settingsSpanText(sp calendar.Span) string {
	if sp.Empty() {
		return ""
	}
	return sp.Start.String() + "–" + sp.End.String()
}

// settingsParseSpan reads "09:00–17:00" (also with "-", "to", or "9:00");
// "" and "off" are the empty span.
func settingsParseSpan(s string) (calendar.Span, error) {
	in := strings.TrimSpace(s)
	if in == "" || strings.EqualFold(in, "off") {
		return calendar.Span{}, nil
	}
	norm := strings.NewReplacer("–", "-", "—", "-", " to ", "-", " ", "").Replace(in)
	parts := strings.Split(norm, "-")
	if len(parts) != 2 {
		return calendar.Span{}, fmt.Errorf("%q: enter a range such as 09:00–17:00, or leave it empty", in)
	}
	var sp calendar.Span
	for i, p := range parts {
		if len(p) == 4 && p[1] == ':' {
			p = "0" + p
		}
		to := &sp.Start
		if i == 1 {
			to = &sp.End
		}
		if err := to.UnmarshalText([]byte(p)); err != nil {
			return calendar.Span{}, fmt.Errorf("%q: enter a range such as 09:00–17:00, or leave it empty", in)
		}
	}
	return sp, nil
}

// settingsList splits a comma-separated field, dropping empty items.
func settingsList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
