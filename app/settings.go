package app

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/human"
	"github.com/lullapp/lull/internal/settings"
)

// calendarWorkTimeout bounds adding a calendar, testing a CalDAV connection
// and the sync that follows: a slow server's reads are bounded by the
// resident, but a sync reads every calendar in turn.
const calendarWorkTimeout = 2 * time.Minute

// The settings the tab edits, by their keys in the one schema
// (settings.Fields: the keys of `lull settings set`), in the groups the tab
// shows them in. Every field's label, how it is written and read, and what
// is wrong with a bad value come from the schema.
var (
	settingsHoursKeys = []string{"goal", "hours-mon", "hours-tue", "hours-wed", "hours-thu", "hours-fri", "hours-sat", "hours-sun", "zone", "prefer"}
	settingsBlockKeys = []string{"preferred-block", "min-block", "daily-cap", "buffer", "lunch", "end-cue", "break"}
	settingsNoteKeys  = []string{"digest-times", "vip", "keywords", "hold", "digest-only", "dnd", "capture", "batch-desktop", "hold-in-meetings"}
	// settingsDeviceKeys are the settings of sync with the user's other
	// devices (issue 16).
	settingsDeviceKeys = []string{"device-name", "focus-follows"}
)

// settingsField is the schema's field key; it panics on a key the schema
// does not have (a programming error the tests catch).
func settingsField(key string) settings.Field {
	f, ok := settings.Lookup(key)
	if !ok {
		panic("app: no setting " + key)
	}
	return f
}

// settingsTab edits the calendars and every setting a user can change.
// Nothing is stored until Save, and nothing at all when a field is wrong.
type settingsTab struct {
	ui *UI
	// win is where the tab's dialogs go (the UI's window).
	win fyne.Window
	// getenv and executable are the environment autostart uses (os.Getenv
	// and the lull binary, which the entry runs with --hidden; tests
	// replace them).
	getenv     func(string) string
	executable func() (string, error)

	// entries are the text fields, selects the choice fields and checks
	// the switches, by schema key ("goal", "hours-mon", "min-block",
	// "prefer", "capture", …; checks also hold "autostart", which is not a
	// setting of Lull's but of the desktop); errs holds the error label
	// under each field.
	entries map[string]*entry
	selects map[string]*widget.Select
	checks  map[string]*widget.Check
	errs    map[string]*widget.Label
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
	// syncBoxes are the CalDAV calendars' "Sync with my other devices"
	// boxes by calendar ID; syncState is the sync state per device.
	syncBoxes map[string]*widget.Check
	syncState *widget.Label
	// devices holds the sync state per device and the "Sync devices now"
	// button; logs is its "Focus log" select (logpicker.go).
	devices *fyne.Container
	logs    *logPicker

	adder *calendarAdder
	// hooks is the Hooks section (hooks.go).
	hooks   *hooksSection
	loading bool // set while the fields are filled
	// stored are the settings as last read from Lull, which Save starts
	// from; shown is what the fields were last filled with, read back, so
	// Refresh can tell unsaved edits from stale values.
	stored   settings.Settings
	hasRead  bool
	shown    settings.Settings
	hasShown bool
	// sample is the sample calendar's id as last read ("" for none).
	sample string
	// loader reads for the whole tab, sourcesLoader for the calendars
	// alone.
	loader, sourcesLoader *loader[settingsData]
	// scroll holds the fields; the save bar stays below it.
	scroll  *wheelScroll
	content fyne.CanvasObject
}

// settingsData is one read of the Settings tab: the settings and the
// calendars.
type settingsData struct {
	err      error
	st       settings.Settings
	now      time.Time
	sources  []calendar.SourceInfo
	srcError error
	// sync is the device sync's state (GET /v1/sync).
	sync    api.SyncStatus
	syncErr error
}

func newSettingsTab(u *UI) *settingsTab {
	t := &settingsTab{
		ui: u, win: u.win,
		getenv: os.Getenv, executable: u.lullBinary,
		entries:       map[string]*entry{},
		selects:       map[string]*widget.Select{},
		checks:        map[string]*widget.Check{},
		errs:          map[string]*widget.Label{},
		buttons:       map[string]*widget.Button{},
		removeButtons: map[string]*widget.Button{},
		status:        widget.NewLabel(""),
		sources:       container.NewVBox(),
		devices:       container.NewVBox(),
		progress:      widget.NewProgressBarInfinite(),
	}
	t.status.Wrapping = fyne.TextWrapWord
	t.progress.Hide()
	t.progress.Stop()
	t.adder = &calendarAdder{ui: u, win: u.win, busy: t.setBusy, added: func(calendar.SourceConfig) { t.refreshSources() }, synced: t.refreshSources}
	t.checks["autostart"] = widget.NewCheck("Start Lull when I log in", t.setAutostart)
	t.hooks = newHooksSection(u, u.win)
	t.logs = newLogPicker(t)

	t.buttons["add-file"] = widget.NewButtonWithIcon("Add a file…", theme.FolderOpenIcon(), t.adder.addFile)
	t.buttons["add-url"] = widget.NewButtonWithIcon("Subscribe to a URL…", theme.ContentAddIcon(), t.adder.addURL)
	t.buttons["add-caldav"] = widget.NewButtonWithIcon("Connect CalDAV…", theme.AccountIcon(), t.adder.addCalDAV)
	t.buttons["sync"] = widget.NewButtonWithIcon("Sync now", theme.ViewRefreshIcon(), t.syncNow)
	t.buttons["remove-sample"] = widget.NewButtonWithIcon("Remove sample calendar", theme.DeleteIcon(), t.removeSample)
	t.buttons["remove-sample"].Importance = widget.WarningImportance
	t.buttons["remove-sample"].Hide()
	t.buttons["save"] = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), t.save)
	t.buttons["save"].Importance = widget.HighImportance
	t.buttons["revert"] = widget.NewButtonWithIcon("Revert", theme.ContentUndoIcon(), t.fill)

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
		heading("Your devices"),
		t.devices,
		t.form(settingsDeviceKeys),
		widget.NewSeparator(),
		heading("Goal and working hours"),
		t.form(settingsHoursKeys),
		heading("Focus blocks"),
		t.form(settingsBlockKeys),
		heading("Notifications"),
		t.form(settingsNoteKeys),
		heading("Hooks"),
		t.hooks.content,
		container.NewVBox(system...),
	)
	// Save and Revert stay in view below the scrolling fields, with the
	// line that confirms a save or says what is wrong.
	bar := container.NewVBox(widget.NewSeparator(),
		container.NewPadded(container.NewBorder(nil, nil, nil, container.NewHBox(t.buttons["revert"], t.buttons["save"]), t.status)))
	t.scroll = newWheelScroll(container.NewPadded(body))
	t.content = container.NewBorder(nil, bar, nil, nil, t.scroll)
	t.loader = newLoader(u.bridge, t.read, t.show)
	t.sourcesLoader = newLoader(u.bridge, t.read, t.showSources)
	return t
}

// form is a form of the schema's fields keys: a text field, a select of
// the field's choices or a check box, each labelled with the field's title
// and with its error label under it.
func (t *settingsTab) form(keys []string) *widget.Form {
	form := widget.NewForm()
	for _, key := range keys {
		f := settingsField(key)
		switch f.Kind {
		case settings.KindChoice:
			s := widget.NewSelect(f.Choices, func(string) { t.changed(key) })
			t.selects[key] = s
			form.Append(f.Title(), t.withError(key, s))
		case settings.KindSwitch:
			// The title on the box itself keeps the label column narrow
			// enough for a 500 px window.
			c := widget.NewCheck(f.Title(), func(bool) { t.changed(key) })
			t.checks[key] = c
			form.Append("", t.withError(key, c))
		default:
			e := newEntry()
			e.SetPlaceHolder(settingsPlaceholder(f))
			e.OnChanged = func(string) { t.changed(key) }
			t.entries[key] = e
			form.Append(f.Title(), t.withError(key, e))
		}
	}
	return form
}

// settingsPlaceholder is what an empty field shows: what empty means, and
// an example of a value ("off, or e.g. 09:00–17:00"); a list, whose
// example is long, only the example, so it fits a 500 px window.
func settingsPlaceholder(f settings.Field) string {
	if f.Empty != "" && f.Kind != settings.KindList {
		return f.Empty + ", or e.g. " + f.Example
	}
	return "e.g. " + f.Example
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

// Refresh asks for a fresh read of the settings and the calendars; the
// fields follow unless the user has unsaved edits: those are kept, so a
// background sync never wipes what is being typed.
func (t *settingsTab) Refresh() {
	t.loader.request()
	t.hooks.refresh()
}

// read reads the settings and the calendars off the UI goroutine.
func (t *settingsTab) read() settingsData {
	u := t.ui
	ctx, cancel := u.call()
	defer cancel()
	st, err := u.api.Settings(ctx)
	if err != nil {
		return settingsData{err: err}
	}
	d := settingsData{st: st, now: u.now()}
	d.sources, d.srcError = u.api.Calendars(ctx)
	d.sync, d.syncErr = u.api.SyncStatus(ctx)
	return d
}

// show puts a read on screen: the calendars always, the fields unless
// they hold unsaved edits.
func (t *settingsTab) show(d settingsData) {
	if d.err != nil {
		t.status.Importance = widget.DangerImportance
		t.status.SetText("The settings could not be read: " + userError(d.err).Error())
		return
	}
	t.showSources(d)
	edited := t.edited()
	t.stored, t.hasRead = d.st, true
	if !edited {
		t.fill()
	}
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

// settingsUIFields is the part of st the tab's fields edit, as the schema
// compares them.
func settingsUIFields(st settings.Settings) []any {
	var out []any
	for _, keys := range [][]string{settingsHoursKeys, settingsBlockKeys, settingsNoteKeys, settingsDeviceKeys} {
		for _, key := range keys {
			out = append(out, settingsField(key).Value(st))
		}
	}
	return out
}

// fill puts the settings last read into the fields, dropping edits and
// errors.
func (t *settingsTab) fill() {
	if !t.hasRead {
		return
	}
	st := t.stored
	t.loading = true
	defer func() { t.loading = false }()
	for key, e := range t.entries {
		e.SetText(settingsField(key).Format(st))
	}
	for key, s := range t.selects {
		v := settingsField(key).Format(st)
		if !slices.Contains(s.Options, v) {
			s.Options = append(s.Options, v) // a value set elsewhere (CLI, API)
		}
		s.SetSelected(v)
	}
	for key, c := range t.checks {
		if key == "autostart" {
			c.SetChecked(autostartEnabled(t.getenv))
			continue
		}
		c.SetChecked(settingsField(key).Format(st) == "true")
	}
	t.clearErrors()
	t.status.SetText("")
	// What the fields now hold, read back the way Save reads them.
	t.shown, _, _ = t.collect()
	t.hasShown = true
}

func (t *settingsTab) clearErrors() {
	for _, l := range t.errs {
		l.SetText("")
		l.Hide()
	}
}

// showError shows err under the field it is about (its *human.FieldError's
// key), and in the status line that nothing was saved.
func (t *settingsTab) showError(err error) {
	if l, ok := t.errs[settingsErrorKey(err)]; ok {
		l.SetText(settingsFieldText(err))
		l.Show()
	}
	t.status.Importance = widget.DangerImportance
	t.status.SetText("Not saved: " + settingsErrorText(err))
}

// settingsErrorKey is the key of the field err is about ("" when it names
// none): the Key of its *human.FieldError, which the schema, the rules and
// the local API's error answers all carry.
func settingsErrorKey(err error) string {
	var fe *human.FieldError
	if errors.As(err, &fe) {
		return fe.Key
	}
	return ""
}

// settingsErrorText is err as the status line says it: one sentence, with
// durations in words.
func settingsErrorText(err error) string {
	msg := plainDurations(userError(err).Error())
	if msg != "" {
		msg = strings.ToUpper(msg[:1]) + msg[1:]
	}
	return msg
}

// settingsFieldText is err as the line under its field says it: without
// the field's name, which the form shows beside it.
func settingsFieldText(err error) string {
	var fe *human.FieldError
	if errors.As(err, &fe) {
		return plainDurations(fe.Message())
	}
	return settingsErrorText(err)
}

// collect reads the fields into a copy of the settings last read, each as
// the schema reads it. A field that cannot be read is the error, and its
// key the field it is about.
func (t *settingsTab) collect() (settings.Settings, string, error) {
	st := t.stored
	for _, keys := range [][]string{settingsHoursKeys, settingsBlockKeys, settingsNoteKeys, settingsDeviceKeys} {
		for _, key := range keys {
			if err := settingsField(key).Parse(&st, t.fieldText(key)); err != nil {
				return st, key, err
			}
		}
	}
	return st, "", nil
}

// fieldText is what field key holds, as text the schema reads.
func (t *settingsTab) fieldText(key string) string {
	if e, ok := t.entries[key]; ok {
		return e.Text
	}
	if s, ok := t.selects[key]; ok {
		return s.Selected
	}
	if c, ok := t.checks[key]; ok {
		return strconv.FormatBool(c.Checked)
	}
	return ""
}

// check reads and validates every field as Save does: the settings, or
// the first error (about a field, by its key).
func (t *settingsTab) check() (settings.Settings, error) {
	st, key, err := t.collect()
	if err != nil {
		if settingsErrorKey(err) == "" {
			err = &human.FieldError{Key: key, Label: settingsField(key).Label, Value: t.fieldText(key), Problem: err.Error(), Err: settings.ErrBadSettings}
		}
		return st, err
	}
	return st, st.Validate()
}

// save validates every field and has Lull store the settings; on any error
// nothing is stored and the error shows under its field.
func (t *settingsTab) save() {
	t.clearErrors()
	st, err := t.check()
	if err != nil {
		t.showError(err)
		return
	}
	u := t.ui
	t.buttons["save"].Disable()
	var saved settings.Settings
	u.bridge.run(func() error {
		ctx, cancel := u.call()
		defer cancel()
		var err error
		saved, err = u.api.SaveSettings(ctx, st)
		return err
	}, func(err error) {
		t.buttons["save"].Enable()
		if err != nil {
			t.showError(err)
			return
		}
		t.stored, t.shown, t.hasShown = saved, st, true
		t.confirm("Saved at %s. Lull re-plans with the new settings.", u.now().In(saved.Location()).Format("15:04"))
	})
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
		l.SetText(settingsFieldText(err))
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
	if _, err := t.check(); err != nil && settingsErrorKey(err) == key {
		return err
	}
	// Another field fails first: read this one on its own.
	st := t.stored
	return settingsField(key).Parse(&st, t.fieldText(key))
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

// lullBinary is the lull binary start at login runs (Options.Lull).
func (u *UI) lullBinary() (string, error) {
	if u.opts.Lull == nil {
		return "", errors.New("start at login: this window does not know where lull is installed")
	}
	return u.opts.Lull()
}
