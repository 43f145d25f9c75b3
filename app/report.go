package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
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
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/atomicfile"
)

// reportTab shows the weekly report of one week: focus per day against the
// goal and the survey baseline, the 8-week trend, planned vs kept, meetings
// vs available time, fragmentation, interruptions, notifications, streak.
type reportTab struct {
	ui *UI
	// win is where the tab's dialogs go (the UI's window).
	win fyne.Window

	// want is the week asked for (zero: this week), read off the UI
	// goroutine, so behind mu.
	mu   sync.Mutex
	want focus.Week
	// week is the week shown and cfg the settings it was read with (UI
	// goroutine only).
	week   focus.Week
	cfg    focus.Config
	report *focus.WeeklyReport // nil when the last read failed
	loader *loader[reportData]

	title    *widget.Label
	headline *widget.Label
	problem  *widget.Label
	days     *chart
	trend    *chart
	dayKey   *widget.RichText
	// buttons are "prev", "next", "csv", "json" and "sessions".
	buttons map[string]*widget.Button
	// stats are "planned", "meetings", "fragmented", "notifications" and
	// "streak".
	stats         map[string]*widget.Label
	interruptions *fyne.Container
	// coach is the Coach section: the week's suggestions.
	coach *coachSection
	// exported confirms the last export: where the file went.
	exported *widget.Label
	// nav is the row of week buttons and title, body everything; both are
	// laid out again when a read changes what they hold.
	nav, body *fyne.Container
	scroll    *container.Scroll
	content   fyne.CanvasObject
}

// Minimum chart sizes: wide enough for seven "Mon 16" labels and eight
// "W47" labels, narrow enough for a 500 px window.
var (
	reportDaySize   = fyne.NewSize(400, 190)
	reportTrendSize = fyne.NewSize(400, 150)
)

// reportData is one read of the Report tab: the week, the settings' view
// of weeks, this week, and the report (or why it could not be read).
type reportData struct {
	err     error
	now     time.Time
	week    focus.Week
	current focus.Week
	cfg     focus.Config
	report  *focus.WeeklyReport
}

func newReportTab(u *UI) *reportTab {
	t := &reportTab{
		ui: u, win: u.win,
		title:         widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		headline:      widget.NewLabel(""),
		problem:       widget.NewLabel(""),
		dayKey:        widget.NewRichText(),
		buttons:       map[string]*widget.Button{},
		stats:         map[string]*widget.Label{},
		interruptions: container.NewVBox(),
	}
	t.exported = widget.NewLabel("")
	t.exported.Wrapping = fyne.TextWrapWord
	t.exported.Importance = widget.SuccessImportance
	t.exported.Hide()
	t.headline.Wrapping = fyne.TextWrapWord
	t.problem.Importance = widget.DangerImportance
	t.problem.Wrapping = fyne.TextWrapWord
	t.problem.Hide()
	t.coach = newCoachSection(u)
	t.days = newChart(reportDaySize, nil)
	t.trend = newChart(reportTrendSize, nil)

	t.buttons["prev"] = widget.NewButtonWithIcon("Previous week", theme.NavigateBackIcon(), func() {
		if t.cfg.Location != nil {
			t.ShowWeek(t.week.Prev(t.cfg))
		}
	})
	next := widget.NewButtonWithIcon("Next week", theme.NavigateNextIcon(), func() {
		if t.cfg.Location != nil {
			t.ShowWeek(t.cfg.WeekOf(t.week.End))
		}
	})
	next.IconPlacement = widget.ButtonIconTrailingText
	t.buttons["next"] = next
	t.buttons["csv"] = widget.NewButtonWithIcon("Export CSV", theme.DocumentSaveIcon(), func() { t.saveExport("csv") })
	t.buttons["json"] = widget.NewButtonWithIcon("Export JSON", theme.DocumentSaveIcon(), func() { t.saveExport("json") })
	t.buttons["sessions"] = widget.NewButtonWithIcon("Export sessions", theme.DocumentSaveIcon(), func() { t.saveExport("sessions") })
	for _, k := range []string{"planned", "meetings", "fragmented", "notifications", "streak"} {
		l := widget.NewLabel("")
		l.Wrapping = fyne.TextWrapWord
		t.stats[k] = l
	}

	t.dayKey.Wrapping = fyne.TextWrapWord
	trendKey := widget.NewRichText(
		reportKeySegment("■ focus  ", theme.ColorNamePrimary),
		reportKeySegment("■ goal met  ", theme.ColorNameSuccess),
		reportKeySegment("━ weekly goal  ", theme.ColorNameForeground),
		reportKeySegment(fmt.Sprintf("━ survey average %s", chartHours(focus.Baseline)), theme.ColorNameWarning),
	)
	trendKey.Wrapping = fyne.TextWrapWord
	heading := func(s string) *widget.Label {
		return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	// The week's navigation and the exports flow onto a second row when
	// the window is narrow.
	t.nav = newFlow(t.buttons["prev"], t.title, t.buttons["next"], t.buttons["csv"], t.buttons["json"], t.buttons["sessions"])
	body := container.NewVBox(
		t.nav,
		t.exported,
		t.headline,
		t.problem,
		heading("Coach"),
		t.coach.content,
		heading("Focus per day"),
		t.dayKey,
		t.days,
		heading("Last 8 weeks"),
		trendKey,
		t.trend,
		heading("The week in numbers"),
		t.stats["planned"],
		t.stats["meetings"],
		t.stats["fragmented"],
		t.stats["notifications"],
		t.stats["streak"],
		heading("Interruptions that broke through"),
		t.interruptions,
	)
	t.body = body
	t.scroll = container.NewVScroll(container.NewPadded(body))
	t.content = t.scroll
	t.loader = newLoader(u.bridge, t.read, t.show)
	return t
}

func reportKeySegment(text string, c fyne.ThemeColorName) *widget.TextSegment {
	return &widget.TextSegment{Text: text, Style: widget.RichTextStyle{ColorName: c, Inline: true, SizeName: theme.SizeNameCaptionText}}
}

// Content is the tab's content.
func (t *reportTab) Content() fyne.CanvasObject { return t.content }

// ShowWeek shows week w's report (the zero Week: this week).
func (t *reportTab) ShowWeek(w focus.Week) {
	t.mu.Lock()
	t.want = w
	t.mu.Unlock()
	t.Refresh()
}

// Refresh asks for a fresh read of the shown week's report.
func (t *reportTab) Refresh() { t.loader.request() }

// read reads the week asked for (no later than this week) off the UI
// goroutine. This week is the resident's: asked for no week, it answers
// the week its clock is in.
func (t *reportTab) read() reportData {
	u := t.ui
	ctx, cancel := u.call()
	defer cancel()
	t.mu.Lock()
	want := t.want
	t.mu.Unlock()
	d := reportData{now: u.now()}
	st, err := u.api.Settings(ctx)
	if err != nil {
		return reportData{err: err}
	}
	d.cfg = st.FocusConfig()
	d.current = d.cfg.WeekOf(d.now)
	if !want.Start.IsZero() && !want.Start.After(d.current.Start) {
		d.week = want
		d.report, d.err = u.api.WeekReport(ctx, want.String())
		return d
	}
	d.report, d.err = u.api.WeekReport(ctx, "")
	d.week = d.current
	if d.err == nil {
		d.week = d.cfg.WeekOf(d.report.Week.Start)
		d.current = d.week
	}
	return d
}

// show puts a read on screen.
func (t *reportTab) show(d reportData) {
	if d.cfg.Location == nil {
		return // the settings could not be read: the notice says why
	}
	t.week, t.cfg = d.week, d.cfg
	if t.week.Start.Before(d.current.Start) {
		t.buttons["next"].Enable()
	} else {
		t.buttons["next"].Disable()
	}
	t.title.SetText(reportWeekTitle(t.week))
	if t.week == d.current {
		t.coach.ShowWeek("")
	} else {
		t.coach.ShowWeek(t.week.String())
	}
	r, err := d.report, d.err
	if err != nil {
		t.report = nil
		t.problem.SetText("The report could not be read: " + userError(err).Error())
		t.problem.Show()
		t.headline.SetText("")
		t.days.SetLayout(nil)
		t.trend.SetLayout(nil)
		for _, l := range t.stats {
			l.SetText("")
		}
		t.interruptions.Objects = nil
		t.interruptions.Refresh()
		t.relayout()
		return
	}
	t.report = r
	t.problem.Hide()
	t.headline.SetText(reportHeadline(r))
	t.dayKey.Segments = []widget.RichTextSegment{
		reportKeySegment("■ focus  ", theme.ColorNamePrimary),
		reportKeySegment("■ day's goal met  ", theme.ColorNameSuccess),
		reportKeySegment("━ day's share of the goal  ", theme.ColorNameForeground),
		reportKeySegment(fmt.Sprintf("━ survey average per working day (%s ÷ %d)", chartHours(focus.Baseline), reportWorkingDays(r)), theme.ColorNameWarning),
	}
	t.dayKey.Refresh()
	t.days.SetLayout(func(s fyne.Size) chartGeom { return dayChart(r, s, chartTextSize) })
	t.trend.SetLayout(func(s fyne.Size) chartGeom { return trendChart(r, s, chartTextSize) })
	t.stats["planned"].SetText(reportPlanned(r))
	t.stats["meetings"].SetText(reportMeetings(r))
	t.stats["fragmented"].SetText(reportFragmented(r, t.cfg.MinBlock))
	t.stats["notifications"].SetText(reportNotifications(r))
	t.stats["streak"].SetText(reportStreak(r))
	lines := reportInterruptionLines(r, t.cfg.Location)
	objs := make([]fyne.CanvasObject, len(lines))
	for i, l := range lines {
		objs[i] = widget.NewLabel(l)
	}
	t.interruptions.Objects = objs
	t.interruptions.Refresh()
	t.relayout()
}

// relayout lays the tab out again for what a read put in it (a title of
// another length, a key that wraps differently).
func (t *reportTab) relayout() {
	t.nav.Refresh()
	t.body.Refresh()
}

// export asks the resident for the shown week as kind: "csv" or "json"
// (the report) or "sessions" (every session of the week as CSV).
func (t *reportTab) export(ctx context.Context, kind string) ([]byte, error) {
	switch kind {
	case "csv", "json":
		return t.ui.api.Report(ctx, api.ReportRequest{Week: t.week.String(), Format: kind})
	case "sessions":
		last := t.week.End.Add(-time.Nanosecond)
		return t.ui.api.Export(ctx, api.ExportRequest{Range: api.Range{From: t.week.Start.Format(time.DateOnly), To: last.Format(time.DateOnly)}, Format: "csv"})
	}
	return nil, fmt.Errorf("%w %q", api.ErrBadFormat, kind)
}

// exportFileName is the name the save dialog proposes.
func (t *reportTab) exportFileName(kind string) string {
	switch kind {
	case "sessions":
		return "lull-sessions-" + t.week.String() + ".csv"
	case "json":
		return "lull-report-" + t.week.String() + ".json"
	}
	return "lull-report-" + t.week.String() + ".csv"
}

func (t *reportTab) saveExport(kind string) {
	name := t.exportFileName(kind)
	d := dialog.NewFileSave(func(uc fyne.URIWriteCloser, err error) {
		if err != nil {
			dialog.ShowError(fmt.Errorf("could not open the file to save: %w", err), t.win)
			return
		}
		if uc == nil {
			return // cancelled
		}
		t.writeExport(uc, kind)
	}, t.win)
	d.SetFileName(name)
	d.SetFilter(storage.NewExtensionFileFilter([]string{name[strings.LastIndex(name, "."):]}))
	d.Show()
}

// writeExport writes the shown week as kind to uc (saveExportTo), asking
// the resident off the UI goroutine, and says where it went, or what went
// wrong.
func (t *reportTab) writeExport(uc fyne.URIWriteCloser, kind string) {
	u := t.ui
	var data []byte
	u.bridge.run(func() error {
		ctx, cancel := u.call()
		defer cancel()
		var err error
		data, err = t.export(ctx, kind)
		return err
	}, func(err error) {
		werr := saveExportTo(uc, func(w io.Writer) error {
			if err != nil {
				return err
			}
			_, err := w.Write(data)
			return err
		})
		if werr != nil {
			t.exported.Hide()
			dialog.ShowError(fmt.Errorf("could not save %s: %w", uc.URI().Name(), userError(werr)), t.win)
			return
		}
		t.exported.SetText(fmt.Sprintf("Saved %s in %s at %s.", uc.URI().Name(), filepath.Dir(uc.URI().Path()),
			u.now().In(t.cfg.Location).Format("15:04")))
		t.exported.Show()
	})
}

// saveExportTo writes an export to the file the save dialog opened. A file
// on disk is replaced whole through atomicfile (0600: a report is
// personal), so a failure half-way never leaves half a report; other
// storage gets the bytes through the dialog's writer.
func saveExportTo(uc fyne.URIWriteCloser, write func(io.Writer) error) error {
	var buf bytes.Buffer
	werr := write(&buf)
	if werr == nil && uc.URI().Scheme() != "file" {
		_, werr = uc.Write(buf.Bytes())
	}
	if cerr := uc.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil && uc.URI().Scheme() == "file" {
		werr = atomicfile.Write(uc.URI().Path(), buf.Bytes(), 0o600)
	}
	return werr
}

// reportWeekTitle is "2026-W47 · 16–22 Nov 2026".
func reportWeekTitle(w focus.Week) string {
	last := w.End.Add(-time.Nanosecond)
	switch {
	case w.Start.Year() != last.Year():
		return fmt.Sprintf("%s · %s – %s", w, w.Start.Format("2 Jan 2006"), last.Format("2 Jan 2006"))
	case w.Start.Month() != last.Month():
		return fmt.Sprintf("%s · %s – %s", w, w.Start.Format("2 Jan"), last.Format("2 Jan 2006"))
	}
	return fmt.Sprintf("%s · %d–%s", w, w.Start.Day(), last.Format("2 Jan 2006"))
}

func reportPercent(part, whole time.Duration) string {
	if whole <= 0 {
		return ""
	}
	return fmt.Sprintf(" (%d %%)", int(math.Round(100*part.Seconds()/whole.Seconds())))
}

// reportHeadline sums the week up against the goal and the survey baseline.
func reportHeadline(r *focus.WeeklyReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s of focus", chartHours(r.Focus))
	if !r.Complete {
		b.WriteString(" so far")
	}
	if r.Goal > 0 {
		fmt.Fprintf(&b, " · goal %s%s", chartHours(r.Goal), reportPercent(r.Focus, r.Goal))
		if r.Focus >= r.Goal {
			b.WriteString(", met")
		}
	} else {
		b.WriteString(" · no weekly goal set")
	}
	base := r.Baseline
	if base == 0 {
		base = focus.Baseline
	}
	fmt.Fprintf(&b, " · survey average %s a week", chartHours(base))
	fmt.Fprintf(&b, " · %d session", r.Sessions)
	if r.Sessions != 1 {
		b.WriteString("s")
	}
	// The week worked on several devices (the shared focus log): who
	// focused how long, each moment counted once in the total above.
	if line := focus.DevicesLine(r); line != "" {
		b.WriteString("\nDevices: " + line)
	}
	return b.String()
}

func reportPlanned(r *focus.WeeklyReport) string {
	if r.Planned == 0 {
		return "Planned vs kept: no accepted focus blocks this week"
	}
	return fmt.Sprintf("Planned vs kept: %s planned in %d blocks, %s kept%s",
		chartHours(r.Planned), len(r.Blocks), chartHours(r.Kept), reportPercent(r.Kept, r.Planned))
}

func reportMeetings(r *focus.WeeklyReport) string {
	line := "Meetings: no working hours this week"
	if r.Working > 0 {
		line = fmt.Sprintf("Meetings: %s of %s working time%s · %s available to focus",
			chartHours(r.Meetings), chartHours(r.Working), reportPercent(r.Meetings, r.Working), chartHours(r.Available))
	}
	// The meeting load as Lull lived it: notifications held in meetings,
	// and presenting (none: no second line).
	if q := focus.QuietLine(r); q != "" {
		line += "\nQuiet: " + q
	}
	return line
}

func reportFragmented(r *focus.WeeklyReport, minBlock time.Duration) string {
	if r.Fragmented == 0 {
		return "Fragmentation: no free time lost to short gaps"
	}
	return fmt.Sprintf("Fragmentation: %s of free time in gaps shorter than %s%s of available time",
		chartHours(r.Fragmented), calendar.DurationText(minBlock), reportPercent(r.Fragmented, r.Available))
}

func reportNotifications(r *focus.WeeklyReport) string {
	return fmt.Sprintf("Notifications batched: %d · digests delivered: %d · interruptions: %d",
		r.Batched, r.Digests, len(r.Interruptions))
}

func reportStreak(r *focus.WeeklyReport) string {
	switch {
	case r.Streak == 0:
		return "Streak: no weeks in a row at the goal yet"
	case r.Streak == 1 && r.StreakIncludesCurrent:
		return "Streak: 1 week at the goal (this one)"
	case r.Streak == 1:
		return "Streak: 1 week at the goal"
	case r.StreakIncludesCurrent:
		return fmt.Sprintf("Streak: %d weeks in a row at the goal, this one included", r.Streak)
	}
	return fmt.Sprintf("Streak: %d weeks in a row at the goal", r.Streak)
}

// reportInterruptionLines lists who broke through, when and why (as the
// session recorded it), oldest first.
func reportInterruptionLines(r *focus.WeeklyReport, loc *time.Location) []string {
	if len(r.Interruptions) == 0 {
		return []string{"None: nothing broke through your focus this week."}
	}
	if loc == nil {
		loc = time.UTC
	}
	out := make([]string, len(r.Interruptions))
	for i, in := range r.Interruptions {
		who := in.Source
		if who == "" {
			who = "unknown sender"
		}
		line := in.At.In(loc).Format("Mon 2 Jan 15:04") + " · " + who
		if in.Title != "" {
			line += ": " + in.Title
		}
		if in.Reason != "" {
			line += " · why: " + plainDurations(in.Reason)
		}
		out[i] = line
	}
	return out
}
