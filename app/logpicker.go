package app

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/lullapp/lull/calendar/devsync"
	"github.com/lullapp/lull/internal/api"
)

// ownLogChoice is the picker's choice of Lull's own "Lull focus log" while
// the account has no calendar of that name (picking it makes one).
const ownLogChoice = devsync.LogCalendarName + " (Lull makes it)"

// logPicker is the "Focus log" select under "Your devices": the synced
// account's calendars, the one the shared focus log goes to chosen;
// choosing another moves the log of every device there. The list is read
// from the server only when the sync state names another synced or log
// calendar than the list was read for (not at every refresh of the tab),
// and only on the UI goroutine's say (bridge.run).
type logPicker struct {
	t *settingsTab
	// sel is the select; paths maps its options to calendar paths ("" for
	// ownLogChoice).
	sel   *widget.Select
	paths map[string]string
	// list is the last list read, for the sync state key; err why it
	// could not be read.
	list []api.LogCalendar
	key  string
	err  error
	// filling is set while the select is set from a read, so that is not
	// taken for a pick.
	filling bool
}

func newLogPicker(t *settingsTab) *logPicker {
	p := &logPicker{t: t, paths: map[string]string{}}
	p.sel = widget.NewSelect(nil, p.picked)
	p.sel.PlaceHolder = "Reading your calendars…"
	return p
}

// row is the picker for the sync state st, reading the list again when st
// names another synced or log calendar than the last read.
func (p *logPicker) row(st api.SyncStatus) fyne.CanvasObject {
	if key := st.Calendar + "\x00" + st.LogCalendar; key != p.key {
		p.key = key
		p.load()
	}
	p.fill()
	return widget.NewForm(widget.NewFormItem("Focus log", p.sel))
}

// load reads the calendars the log may go to in the background.
func (p *logPicker) load() {
	u := p.t.ui
	var list []api.LogCalendar
	u.bridge.run(func() (err error) {
		ctx, cancel := u.call()
		defer cancel()
		list, err = u.api.LogCalendars(ctx)
		return err
	}, func(err error) {
		p.list, p.err = list, err
		p.fill()
	})
}

// fill puts the list last read into the select.
func (p *logPicker) fill() {
	p.filling = true
	defer func() { p.filling = false }()
	if p.err != nil {
		p.sel.Options = nil
		p.sel.PlaceHolder = "Your calendars could not be listed: " + userError(p.err).Error()
		p.sel.ClearSelected()
		p.sel.Disable()
		return
	}
	p.sel.Enable()
	p.paths = map[string]string{}
	var opts []string
	current, own := "", false
	for _, c := range p.list {
		label := c.Name
		if c.Synced {
			label += " (the synced calendar, as free events)"
		}
		if _, dup := p.paths[label]; dup {
			label += " (" + c.Path + ")"
		}
		p.paths[label] = c.Path
		opts = append(opts, label)
		if c.Current {
			current = label
		}
		own = own || c.Own
	}
	if !own && p.list != nil {
		p.paths[ownLogChoice] = ""
		opts = append(opts, ownLogChoice)
	}
	p.sel.Options = opts
	if current != "" {
		p.sel.SetSelected(current)
	} else {
		p.sel.ClearSelected()
	}
	p.sel.Refresh()
}

// picked moves every device's focus log to the calendar chosen.
func (p *logPicker) picked(label string) {
	if p.filling {
		return
	}
	path, ok := p.paths[label]
	if !ok {
		return
	}
	u := p.t.ui
	u.bridge.run(func() error {
		ctx, cancel := u.call()
		defer cancel()
		_, err := u.api.PickLogCalendar(ctx, api.PickLogCalendar{Calendar: path})
		return err
	}, func(err error) {
		if err != nil {
			dialog.ShowError(fmt.Errorf("could not move the focus log: %w", userError(err)), p.t.win)
		}
		p.key = "" // read the list again with the new sync state
		p.t.refreshSources()
	})
}
