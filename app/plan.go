package app

import (
	"context"
	"fmt"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/internal/api"
)

// planTab is the Plan tab: the horizon's proposed and accepted blocks with
// their reasons, accept / skip / accept all, re-plan, and the calendars
// that fed the plan.
type planTab struct {
	ui *UI

	summary   *widget.Label
	acceptAll *widget.Button
	replan    *widget.Button
	progress  *widget.ProgressBarInfinite
	blocks    *fyne.Container
	// rows are the shown blocks' widgets, by block ID.
	rows map[string]*blockRow
	// order is the shown blocks' IDs in time order.
	order []string
	// notes are the lines saying why a day got no focus, in date order.
	notes   []*widget.Label
	sources *fyne.Container
	// sourceRows are the calendars' status lines, by source ID.
	sourceRows map[string]*widget.Label
	// days are the shown days' timelines, in order.
	days []*timeline
	// replanned sums up the last Re-plan; it stays under the summary until
	// the next one, whatever refreshes the blocks meanwhile.
	replanned string

	blocksLoader  *loader[planData]
	sourcesLoader *loader[planSources]

	content *fyne.Container
}

// planData is one read of the horizon's blocks and their days.
type planData struct {
	// err says why the plan could not be read.
	err     error
	now     time.Time
	loc     *time.Location
	horizon int
	blocks  []calendar.Block
	notes   []calendar.DayNote
	// days are the timelines of the days with a block or a note, by their
	// midnight's Unix time (none when they could not be read).
	days map[int64]dayPlan
}

// planSources is one read of the calendars feeding the plan.
type planSources struct {
	err   error
	now   time.Time
	loc   *time.Location
	infos []calendar.SourceInfo
}

// blockRow is one block's line in the plan.
type blockRow struct {
	block  calendar.Block
	when   *widget.Label
	state  *widget.Label
	reason *widget.Label
	accept *widget.Button
	skip   *widget.Button
}

func newPlanTab(u *UI) *planTab {
	t := &planTab{ui: u, rows: map[string]*blockRow{}, sourceRows: map[string]*widget.Label{}}
	t.summary = widget.NewLabel("")
	t.summary.Wrapping = fyne.TextWrapWord
	t.acceptAll = widget.NewButtonWithIcon("Accept all", theme.ConfirmIcon(), t.onAcceptAll)
	t.replan = widget.NewButtonWithIcon("Re-plan", theme.ViewRefreshIcon(), t.onReplan)
	t.progress = widget.NewProgressBarInfinite()
	t.progress.Stop()
	t.progress.Hide()
	t.blocks = container.NewVBox()
	t.sources = container.NewVBox()

	top := container.NewBorder(nil, t.progress, nil, container.NewHBox(t.acceptAll, t.replan), t.summary)
	body := container.NewVBox(
		timelineKey(),
		t.blocks,
		widget.NewSeparator(),
		widget.NewLabelWithStyle("Calendars feeding the plan", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		t.sources,
	)
	t.content = container.NewBorder(top, nil, nil, nil, container.NewVScroll(body))
	t.blocksLoader = newLoader(u.bridge, t.readBlocks, t.showBlocks)
	t.sourcesLoader = newLoader(u.bridge, t.readSources, t.showSources)
	return t
}

// refresh re-reads the blocks and the calendars.
func (t *planTab) refresh() {
	t.refreshBlocks()
	t.refreshSources()
}

// refreshBlocks asks for a fresh read of the blocks.
func (t *planTab) refreshBlocks() { t.blocksLoader.request() }

// readBlocks reads the plan and its days' timelines off the UI goroutine.
func (t *planTab) readBlocks() planData {
	u := t.ui
	ctx, cancel := u.call()
	defer cancel()
	st, err := u.api.Settings(ctx)
	if err != nil {
		return planData{err: err}
	}
	plan, err := u.api.Plan(ctx)
	if err != nil {
		return planData{err: err}
	}
	d := planData{now: u.now(), loc: st.Location(), horizon: st.Plan.HorizonDays, blocks: plan.Blocks, notes: plan.Days}
	var days []time.Time
	seen := map[int64]bool{}
	add := func(at time.Time) {
		if day := localMidnight(at, d.loc); !seen[day.Unix()] {
			seen[day.Unix()] = true
			days = append(days, day)
		}
	}
	for _, b := range d.blocks {
		add(b.Start)
	}
	for _, n := range d.notes {
		add(n.Date)
	}
	slices.SortFunc(days, time.Time.Compare)
	if plans, err := readDays(ctx, u.api, st, days, d.blocks, d.now); err == nil {
		d.days = map[int64]dayPlan{}
		for i, day := range days {
			d.days[day.Unix()] = plans[i]
		}
	}
	return d
}

// showBlocks lists a read's blocks by day, each day with its timeline.
func (t *planTab) showBlocks(d planData) {
	if d.err != nil {
		t.summary.SetText("Could not read the plan: " + userError(d.err).Error())
		return
	}
	now, loc, blocks, notes := d.now, d.loc, d.blocks, d.notes
	t.rows = map[string]*blockRow{}
	t.order = t.order[:0]
	t.notes = t.notes[:0]
	t.days = t.days[:0]
	var objs []fyne.CanvasObject
	var day time.Time
	// heading starts a day: its name, then its meetings, blocks and
	// digests on one axis (why each block sits where it does, or why the
	// day has none).
	heading := func(at time.Time) {
		if bd := localMidnight(at, loc); !bd.Equal(day) {
			day = bd
			objs = append(objs, widget.NewLabelWithStyle(at.In(loc).Format("Monday 2 January"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
			if dp, ok := d.days[day.Unix()]; ok {
				tl := newTimeline(dp)
				t.days = append(t.days, tl)
				objs = append(objs, tl)
			}
		}
	}
	// note adds the line of a day without focus.
	note := func(n calendar.DayNote) {
		heading(n.Date)
		l := widget.NewLabel("No focus: " + n.Reason)
		l.Importance = widget.LowImportance
		t.notes = append(t.notes, l)
		objs = append(objs, l)
	}
	proposed, accepted := 0, 0
	var acceptedTime time.Duration
	for _, b := range blocks {
		for ; len(notes) > 0 && notes[0].Date.Before(b.Start); notes = notes[1:] {
			note(notes[0])
		}
		switch b.State {
		case calendar.StateProposed:
			proposed++
		case calendar.StateAccepted:
			accepted++
			acceptedTime += b.Duration()
		}
		heading(b.Start)
		r := t.newRow(b, now, loc)
		t.rows[b.ID] = r
		t.order = append(t.order, b.ID)
		objs = append(objs, container.NewBorder(nil, nil,
			container.NewHBox(r.when, r.state), container.NewHBox(r.accept, r.skip), r.reason))
	}
	for _, n := range notes {
		note(n)
	}
	if len(blocks) == 0 {
		objs = append(objs, widget.NewLabel("No blocks planned yet. Add a calendar in Settings, then Re-plan."))
	}
	t.blocks.Objects = objs
	t.blocks.Refresh()
	summary := planSummary(proposed, accepted, acceptedTime, d.horizon)
	if t.replanned != "" {
		summary += " " + t.replanned
	}
	t.summary.SetText(summary)
	if proposed == 0 || t.progress.Visible() {
		t.acceptAll.Disable()
	} else {
		t.acceptAll.Enable()
	}
}

// planSummary is the line above the blocks.
func planSummary(proposed, accepted int, acceptedTime time.Duration, days int) string {
	return fmt.Sprintf("Next %d days: %d proposed, %d accepted (%s of focus accepted).", days, proposed, accepted, durText(acceptedTime))
}

// newRow builds one block's widgets; actions are offered on blocks that
// have not ended.
func (t *planTab) newRow(b calendar.Block, now time.Time, loc *time.Location) *blockRow {
	r := &blockRow{block: b}
	r.when = widget.NewLabel(b.Start.In(loc).Format("15:04") + "–" + b.End.In(loc).Format("15:04"))
	r.state = widget.NewLabel(string(b.State))
	switch b.State {
	case calendar.StateAccepted:
		r.state.Importance = widget.SuccessImportance
	case calendar.StateSkipped:
		r.state.Importance = widget.LowImportance
	}
	r.reason = widget.NewLabel(b.Reason)
	r.reason.Truncation = fyne.TextTruncateEllipsis
	r.accept = widget.NewButtonWithIcon("Accept", theme.ConfirmIcon(), func() { t.act(r, t.ui.api.Accept) })
	r.skip = widget.NewButtonWithIcon("Skip", theme.CancelIcon(), func() { t.act(r, t.ui.api.Skip) })
	if b.State == calendar.StateAccepted || !b.End.After(now) {
		r.accept.Disable()
	}
	if b.State == calendar.StateSkipped || !b.End.After(now) {
		r.skip.Disable()
	}
	return r
}

// act accepts or skips r's block in the background (the resident may
// publish it to a CalDAV server); the plan event redraws the list.
func (t *planTab) act(r *blockRow, f func(context.Context, string) (calendar.Block, error)) {
	r.accept.Disable()
	r.skip.Disable()
	u := t.ui
	id := r.block.ID
	u.bridge.run(func() error {
		ctx, cancel := u.call()
		defer cancel()
		_, err := f(ctx, id)
		return err
	}, func(err error) {
		u.showError(err)
		t.refreshBlocks()
	})
}

func (t *planTab) onAcceptAll() {
	t.acceptAll.Disable()
	u := t.ui
	u.bridge.run(func() error {
		ctx, cancel := u.call()
		defer cancel()
		_, err := u.api.AcceptAll(ctx)
		return err
	}, func(err error) {
		u.showError(err)
		t.refreshBlocks()
	})
}

// onReplan has the resident read every calendar and re-plan, with a
// progress bar; the window stays responsive.
func (t *planTab) onReplan() {
	if t.progress.Visible() {
		return
	}
	t.replan.Disable()
	t.acceptAll.Disable()
	setBusy(t.progress, true)
	t.content.Refresh()
	t.summary.SetText("Reading calendars and re-planning…")
	u := t.ui
	var res api.PlanResult
	var sources []calendar.SourceInfo
	u.bridge.run(func() error {
		ctx, cancel := context.WithTimeout(u.ctx, calendarWorkTimeout)
		defer cancel()
		var err error
		if res, err = u.api.Replan(ctx, api.PlanRequest{Sync: true}); err != nil {
			return err
		}
		sources, err = u.api.Calendars(ctx)
		return err
	}, func(err error) {
		setBusy(t.progress, false)
		t.content.Refresh()
		t.replan.Enable()
		t.replanned = ""
		if err == nil {
			t.replanned = replanLine(sources, res)
		}
		t.refresh()
		if err != nil {
			u.showError(fmt.Errorf("re-plan: %w", err))
		}
	})
}

// replanLine sums up a re-plan of the calendars in sources: "Re-planned
// from 2 calendars: 3 added, 1 moved, 0 removed. 1 calendar failed." A
// calendar failed when its read in that sync did.
func replanLine(sources []calendar.SourceInfo, res api.PlanResult) string {
	s := fmt.Sprintf("Re-planned from %d calendar%s: %d added, %d moved, %d removed.",
		len(sources), pluralS(len(sources)), res.Added, res.Moved, res.Removed)
	failed := 0
	for _, src := range sources {
		if src.Status.Stale() {
			failed++
		}
	}
	if failed > 0 {
		s += fmt.Sprintf(" %d calendar%s failed (see below).", failed, pluralS(failed))
	}
	return s
}

func pluralS(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// refreshSources asks for a fresh read of the calendars.
func (t *planTab) refreshSources() { t.sourcesLoader.request() }

// readSources reads the calendars and their status off the UI goroutine.
func (t *planTab) readSources() planSources {
	u := t.ui
	ctx, cancel := u.call()
	defer cancel()
	st, err := u.api.Settings(ctx)
	if err != nil {
		return planSources{err: err}
	}
	infos, err := u.api.Calendars(ctx)
	return planSources{err: err, now: u.now(), loc: st.Location(), infos: infos}
}

// showSources lists the calendars with their last sync and stale flag.
func (t *planTab) showSources(d planSources) {
	t.sourceRows = map[string]*widget.Label{}
	var objs []fyne.CanvasObject
	if d.err != nil {
		objs = append(objs, widget.NewLabel("Could not read the calendars: "+userError(d.err).Error()))
	}
	for _, in := range d.infos {
		l := widget.NewLabel(planSourceLine(in, d.now, d.loc))
		l.Wrapping = fyne.TextWrapWord
		icon := theme.ConfirmIcon()
		if in.Status.Stale() || in.Status.LastAttempt.IsZero() {
			l.Importance = widget.WarningImportance
			icon = theme.WarningIcon()
		}
		t.sourceRows[in.Config.ID] = l
		objs = append(objs, container.NewBorder(nil, nil, widget.NewIcon(icon), nil, l))
	}
	if d.err == nil && len(d.infos) == 0 {
		objs = append(objs, widget.NewLabel("No calendars yet. Add one in Settings."))
	}
	t.sources.Objects = objs
	t.sources.Refresh()
}

// planSourceLine is one calendar's status, as calendar.SourceStatus
// words it: "Work (file) · 12 events · updated 09:00" or "Team (caldav) ·
// error: … — last good copy from Tue 14:00 in use".
func planSourceLine(in calendar.SourceInfo, now time.Time, loc *time.Location) string {
	return fmt.Sprintf("%s (%s) · %s", in.Config.Name, in.Config.Kind, in.Status.Describe(now, loc))
}

// pastLabel names a past time briefly: "09:00" today, "Tue 14:00" this
// week, "3 Nov 14:00" before.
func pastLabel(t, now time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "never"
	}
	t, now = t.In(loc), now.In(loc)
	ny, nm, nd := now.Date()
	today := time.Date(ny, nm, nd, 0, 0, 0, 0, loc)
	switch {
	case !t.Before(today):
		return t.Format("15:04")
	case !t.Before(today.AddDate(0, 0, -6)):
		return t.Format("Mon 15:04")
	default:
		return t.Format("2 Jan 15:04")
	}
}
