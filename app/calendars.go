package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/internal/api"
)

// The calendars part of the Settings tab, and the add-a-calendar dialogs
// it shares with the onboarding.

// refreshSources asks for a fresh read of the calendars alone (the fields
// stay as they are).
func (t *settingsTab) refreshSources() { t.sourcesLoader.request() }

// showSources lists the calendars of a read.
func (t *settingsTab) showSources(d settingsData) {
	if d.err != nil {
		return
	}
	list, err := d.sources, d.srcError
	sample := d.st.SampleSource
	t.sample = sample
	t.removeButtons = map[string]*widget.Button{}
	t.allDayFree = map[string]*widget.Check{}
	t.syncBoxes = map[string]*widget.Check{}
	var rows []fyne.CanvasObject
	if err != nil {
		l := widget.NewLabel("The calendars could not be listed: " + userError(err).Error())
		l.Importance = widget.DangerImportance
		rows = append(rows, l)
	}
	if err == nil && len(list) == 0 {
		rows = append(rows, widget.NewLabel("No calendars yet: add one so Lull can plan around your meetings."))
	}
	for _, s := range list {
		id := s.Config.ID
		name := widget.NewLabelWithStyle(s.Config.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		detail := widget.NewLabel(sourceDetail(s, id == sample, d.now, d.st.Location()))
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
		free.OnChanged = func(on bool) { t.setAllDayFree(free, id, on) }
		t.allDayFree[id] = free
		box := container.NewVBox(name, detail, free)
		if s.Config.Kind == calendar.SourceCalDAV {
			syncBox := widget.NewCheck("Sync with my other devices (focus log and focus, through this calendar)", nil)
			syncBox.SetChecked(s.Config.Sync)
			syncBox.OnChanged = func(on bool) { t.setSync(syncBox, id, on) }
			t.syncBoxes[id] = syncBox
			box.Add(syncBox)
		}
		rows = append(rows, container.NewBorder(nil, nil, nil, rm, box))
	}
	t.syncState = widget.NewLabel(strings.Join(syncStateLines(d.sync, d.syncErr, d.now, d.st.Location()), "\n"))
	t.syncState.Wrapping = fyne.TextWrapWord
	if d.syncErr != nil || d.sync.LastError != "" {
		t.syncState.Importance = widget.WarningImportance
	}
	syncNow := widget.NewButtonWithIcon("Sync devices now", theme.ViewRefreshIcon(), t.syncDevices)
	if !d.sync.On {
		syncNow.Disable()
	}
	t.devices.Objects = []fyne.CanvasObject{container.NewBorder(nil, nil, nil, syncNow, t.syncState)}
	if d.sync.On && d.syncErr == nil {
		t.devices.Add(t.logs.row(d.sync))
	}
	t.devices.Refresh()
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

// setAllDayFree changes a calendar's "all-day events are free" (box,
// ticked on); Lull re-reads the calendars and re-plans.
func (t *settingsTab) setAllDayFree(box *widget.Check, id string, on bool) {
	t.changeCalendar(box, on, id, api.CalendarChange{AllDayFree: &on},
		func(cfg calendar.SourceConfig) bool { return cfg.AllDayFree })
}

// setSync switches sync with the user's other devices on or off for a
// CalDAV calendar (box, ticked on); Your devices shows the new state.
func (t *settingsTab) setSync(box *widget.Check, id string, on bool) {
	t.changeCalendar(box, on, id, api.CalendarChange{Sync: &on},
		func(cfg calendar.SourceConfig) bool { return cfg.Sync })
}

// changeCalendar has Lull make the change ch to calendar id that a click
// on box asked for (ticked: what the click made it). The box is off until
// Lull answers, then shows the setting as Lull has it (stored reads it
// from the calendar's settings): the click's value when Lull took it, the
// value before the click when it did not — a refusal, or Lull not running
// — which is told in words. The calendars and Your devices are read
// again either way.
func (t *settingsTab) changeCalendar(box *widget.Check, ticked bool, id string, ch api.CalendarChange, stored func(calendar.SourceConfig) bool) {
	u := t.ui
	box.Disable()
	var cfg calendar.SourceConfig
	u.bridge.run(func() error {
		ctx, cancel := u.call()
		defer cancel()
		var err error
		cfg, err = u.api.ChangeCalendar(ctx, id, ch)
		return err
	}, func(err error) {
		box.Enable()
		if err != nil {
			showChecked(box, !ticked)
			dialog.ShowError(fmt.Errorf("could not change the calendar: %w", userError(err)), t.win)
		} else {
			showChecked(box, stored(cfg))
		}
		t.refreshSources()
	})
}

// showChecked sets box to on without calling its OnChanged: showing a
// setting is not changing it.
func showChecked(box *widget.Check, on bool) {
	changed := box.OnChanged
	box.OnChanged = nil
	box.SetChecked(on)
	box.OnChanged = changed
}

// syncDevices syncs with the other devices now and shows the new state.
func (t *settingsTab) syncDevices() {
	u := t.ui
	u.bridge.run(func() error {
		ctx, cancel := u.call()
		defer cancel()
		_, err := u.api.SyncDevices(ctx)
		return err
	}, func(err error) {
		if err != nil {
			dialog.ShowError(fmt.Errorf("could not sync: %w", userError(err)), t.win)
		}
		t.refreshSources()
	})
}

// syncStateLines says the device sync's state in words, times in loc:
// on or off and through which calendar, this device, the last sync (or
// why it failed), the changes waiting, and each other device as last
// seen.
func syncStateLines(st api.SyncStatus, err error, now time.Time, loc *time.Location) []string {
	if err != nil {
		return []string{"The sync state could not be read: " + userError(err).Error()}
	}
	when := func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		t = t.In(loc)
		if y, m, d := t.Date(); y == now.In(loc).Year() && m == now.In(loc).Month() && d == now.In(loc).Day() {
			return "today " + t.Format("15:04")
		}
		return t.Format("Mon 2 Jan 15:04")
	}
	if !st.On {
		return []string{"Sync is off: tick \"Sync with my other devices\" on a CalDAV calendar to share your focus log and focus with your other computers."}
	}
	lines := []string{fmt.Sprintf("Sync is on through %q; this device is %q.", st.Calendar, st.DeviceName)}
	last := "Last sync: " + when(st.LastSuccess)
	if st.LastError != "" {
		last = "Last sync failed " + when(st.LastAttempt) + ": " + st.LastError + " (last good sync: " + when(st.LastSuccess) + ")"
	}
	lines = append(lines, last)
	waiting := fmt.Sprintf("%d changes waiting to be written", st.Pending)
	if st.Pending == 1 {
		waiting = "1 change waiting to be written"
	}
	if st.Held > 0 {
		waiting += fmt.Sprintf("; %d kept back (another event holds their place on the server)", st.Held)
	}
	lines = append(lines, waiting)
	if len(st.Devices) == 0 {
		lines = append(lines, "No other device seen yet.")
	}
	for _, d := range st.Devices {
		state := "not focusing"
		if d.Focusing {
			state = "focusing"
		}
		n := fmt.Sprintf("%d sessions", d.Sessions)
		if d.Sessions == 1 {
			n = "1 session"
		}
		lines = append(lines, fmt.Sprintf("%s: last seen %s, %s, %s", d.Name, when(d.LastSeen), state, n))
	}
	return lines
}

// removeSource removes a calendar (Lull then re-plans without it); removing
// the sample calendar removes its copy too.
func (t *settingsTab) removeSource(id string) {
	u := t.ui
	u.bridge.run(func() error {
		ctx, cancel := u.call()
		defer cancel()
		return u.api.RemoveCalendar(ctx, id)
	}, func(err error) {
		if err != nil {
			dialog.ShowError(fmt.Errorf("could not remove the calendar: %w", userError(err)), t.win)
			return
		}
		t.refreshSources()
		t.syncNow()
	})
}

// removeSample removes the bundled sample calendar in one click.
func (t *settingsTab) removeSample() {
	if t.sample != "" {
		t.removeSource(t.sample)
	}
}

// syncNow re-reads every calendar and re-plans in the background.
func (t *settingsTab) syncNow() { t.adder.sync() }

// setBusy shows or hides the progress bar.
func (t *settingsTab) setBusy(on bool) { setBusy(t.progress, on) }

// calendarAdder runs the add-a-calendar dialogs for Settings and onboarding.
// The slow part (the resident fetching, discovering a CalDAV account, the
// sync after) runs on a goroutine; results come back through the bridge.
type calendarAdder struct {
	ui  *UI
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

// run does work on a goroutine while the progress shows, then the func it
// returns on the UI goroutine.
func (a *calendarAdder) run(work func(ctx context.Context) func()) {
	a.setBusy(1)
	a.work.Add(1)
	var done func()
	a.ui.bridge.run(func() error {
		defer a.work.Done()
		ctx, cancel := context.WithTimeout(a.ui.ctx, calendarWorkTimeout)
		defer cancel()
		done = work(ctx)
		return nil
	}, func(error) {
		a.setBusy(-1)
		if done != nil {
			done()
		}
	})
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

// add has Lull add the calendar, then sync so the plan uses it.
func (a *calendarAdder) add(req api.AddCalendar) {
	a.run(func(ctx context.Context) func() {
		cfg, err := a.ui.api.AddCalendar(ctx, req)
		if err != nil {
			return func() { dialog.ShowError(calendarError("Could not add the calendar", err), a.win) }
		}
		a.ui.bridge.do(func() {
			if a.added != nil {
				a.added(cfg)
			}
		})
		_, err = a.ui.api.SyncCalendars(ctx)
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
		rep, err := a.ui.api.SyncCalendars(ctx)
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

// syncProblems lists the calendars a sync could not read, one a line.
func syncProblems(rep api.SyncReport) string {
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
	return fmt.Errorf("%s: %w.%s", lead, userError(err), hint)
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
		a.add(api.AddCalendar{Kind: calendar.SourceFile, Path: path})
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
			a.add(api.AddCalendar{Kind: calendar.SourceURL, URL: strings.TrimSpace(u.Text), Name: strings.TrimSpace(name.Text)})
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
		found, err := a.ui.api.DiscoverCalDAV(ctx, api.DiscoverCalDAV{URL: rawURL, User: user, Password: pw})
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
func (f *calDAVForm) request() api.AddCalendar {
	req := api.AddCalendar{
		Kind: calendar.SourceCalDAV, URL: strings.TrimSpace(f.url.Text),
		User: strings.TrimSpace(f.user.Text), Password: f.password.Text, Publish: f.publish.Checked,
	}
	if i := f.calendars.SelectedIndex(); i >= 0 && i < len(f.found) {
		req.Calendar = f.found[i].Path
	}
	return req
}
