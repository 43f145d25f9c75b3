package app

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/calendar"
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

	content *fyne.Container
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
	return t
}

// refresh re-reads the blocks and the calendars.
func (t *planTab) refresh() {
	t.refreshBlocks()
	t.refreshSources()
}

func (t *planTab) refreshBlocks() {
	u := t.ui
	now := u.now()
	loc := u.svc.Location()
	blocks, err := u.svc.UpcomingBlocks()
	if err != nil {
		t.summary.SetText("Could not read the plan: " + err.Error())
		return
	}
	notes, err := u.svc.DayNotes(blocks)
	if err != nil {
		notes = nil // the blocks are still worth showing
	}
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
		y, m, d := at.In(loc).Date()
		if bd := time.Date(y, m, d, 0, 0, 0, 0, loc); !bd.Equal(day) {
			day = bd
			objs = append(objs, widget.NewLabelWithStyle(at.In(loc).Format("Monday 2 January"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
			tl := newTimeline(u.dayPlanFor(day, blocks))
			t.days = append(t.days, tl)
			objs = append(objs, tl)
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
	summary := planSummary(proposed, accepted, acceptedTime, u.svc.Settings().Plan.HorizonDays)
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
	r.accept = widget.NewButtonWithIcon("Accept", theme.ConfirmIcon(), func() { t.act(r, t.ui.svc.Accept) })
	r.skip = widget.NewButtonWithIcon("Skip", theme.CancelIcon(), func() { t.act(r, t.ui.svc.Skip) })
	if b.State == calendar.StateAccepted || !b.End.After(now) {
		r.accept.Disable()
	}
	if b.State == calendar.StateSkipped || !b.End.After(now) {
		r.skip.Disable()
	}
	return r
}

// act accepts or skips r's block in the background (it may publish to a
// CalDAV server); PlanChanged redraws the list.
func (t *planTab) act(r *blockRow, f func(context.Context, string) (calendar.Block, error)) {
	r.accept.Disable()
	r.skip.Disable()
	ctx := t.ui.ctx
	id := r.block.ID
	t.ui.bridge.run(func() error {
		_, err := f(ctx, id)
		return err
	}, func(err error) {
		t.ui.showError(err)
		t.refreshBlocks()
	})
}

func (t *planTab) onAcceptAll() {
	t.acceptAll.Disable()
	ctx := t.ui.ctx
	t.ui.bridge.run(func() error {
		_, err := t.ui.svc.AcceptAll(ctx)
		return err
	}, func(err error) {
		t.ui.showError(err)
		t.refreshBlocks()
	})
}

// onReplan syncs every calendar and re-plans in the background, with a
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
	ctx := t.ui.ctx
	var rep service.SyncReport
	var res service.PlanResult
	t.ui.bridge.run(func() error {
		var err error
		rep, res, err = t.ui.svc.SyncNow(ctx)
		return err
	}, func(err error) {
		setBusy(t.progress, false)
		t.content.Refresh()
		t.replan.Enable()
		t.replanned = ""
		if err == nil {
			t.replanned = replanLine(rep, res)
		}
		t.refresh()
		if err != nil {
			t.ui.showError(fmt.Errorf("re-plan: %w", err))
		}
	})
}

// replanLine sums up a re-plan: "Re-planned from 2 calendars: 3 added,
// 1 moved, 0 removed. 1 calendar failed."
func replanLine(rep service.SyncReport, res service.PlanResult) string {
	s := fmt.Sprintf("Re-planned from %d calendar%s: %d added, %d moved, %d removed.",
		len(rep.Sources), pluralS(len(rep.Sources)), res.Added, res.Moved, res.Removed)
	failed := 0
	for _, src := range rep.Sources {
		if src.Error != "" {
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

// refreshSources lists the calendars with their last sync and stale flag.
func (t *planTab) refreshSources() {
	u := t.ui
	infos, err := u.svc.Sources.ListSources()
	t.sourceRows = map[string]*widget.Label{}
	var objs []fyne.CanvasObject
	if err != nil {
		objs = append(objs, widget.NewLabel("Could not read the calendars: "+err.Error()))
	}
	loc := u.svc.Location()
	now := u.now()
	for _, in := range infos {
		l := widget.NewLabel(planSourceLine(in, now, loc))
		l.Wrapping = fyne.TextWrapWord
		icon := theme.ConfirmIcon()
		if in.Status.Stale() || in.Status.LastAttempt.IsZero() {
			l.Importance = widget.WarningImportance
			icon = theme.WarningIcon()
		}
		t.sourceRows[in.Config.ID] = l
		objs = append(objs, container.NewBorder(nil, nil, widget.NewIcon(icon), nil, l))
	}
	if err == nil && len(infos) == 0 {
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
