package app

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/atomicfile"
)

// reportTab shows the weekly report of one week: focus per day against the
// goal and the survey baseline, the 8-week trend, planned vs kept, meetings
// vs available time, fragmentation, interruptions, notifications, streak.
type reportTab struct {
	svc *service.Service
	win fyne.Window

	week   focus.Week
	report *focus.WeeklyReport // nil when the last read failed

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
	// exported confirms the last export: where the file went.
	exported *widget.Label
	scroll   *container.Scroll
	content  fyne.CanvasObject
}

// Minimum chart sizes: wide enough for seven "Mon 16" labels and eight
// "W47" labels, narrow enough for a 500 px window.
var (
	reportDaySize   = fyne.NewSize(400, 190)
	reportTrendSize = fyne.NewSize(400, 150)
)

func newReportTab(svc *service.Service, win fyne.Window) *reportTab {
	t := &reportTab{
		svc: svc, win: win,
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
	t.days = newChart(reportDaySize, nil)
	t.trend = newChart(reportTrendSize, nil)

	t.buttons["prev"] = widget.NewButtonWithIcon("Previous week", theme.NavigateBackIcon(), func() {
		t.ShowWeek(t.week.Prev(t.svc.FocusConfig()))
	})
	next := widget.NewButtonWithIcon("Next week", theme.NavigateNextIcon(), func() {
		t.ShowWeek(t.svc.FocusConfig().WeekOf(t.week.End))
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
	body := container.NewVBox(
		newFlow(t.buttons["prev"], t.title, t.buttons["next"], t.buttons["csv"], t.buttons["json"], t.buttons["sessions"]),
		t.exported,
		t.headline,
		t.problem,
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
	t.scroll = container.NewVScroll(container.NewPadded(body))
	t.content = t.scroll
	t.week = svc.FocusConfig().WeekOf(svc.Clock.Now())
	t.Refresh()
	return t
}

func reportKeySegment(text string, c fyne.ThemeColorName) *widget.TextSegment {
	return &widget.TextSegment{Text: text, Style: widget.RichTextStyle{ColorName: c, Inline: true, SizeName: theme.SizeNameCaptionText}}
}

// Content is the tab's content.
func (t *reportTab) Content() fyne.CanvasObject { return t.content }

// ShowWeek shows week w's report.
func (t *reportTab) ShowWeek(w focus.Week) {
	t.week = w
	t.Refresh()
}

// Refresh re-reads the shown week's report.
func (t *reportTab) Refresh() {
	cfg := t.svc.FocusConfig()
	current := cfg.WeekOf(t.svc.Clock.Now())
	if t.week.Start.After(current.Start) {
		t.week = current
	}
	if t.week.Start.Before(current.Start) {
		t.buttons["next"].Enable()
	} else {
		t.buttons["next"].Disable()
	}
	t.title.SetText(reportWeekTitle(t.week))
	r, err := t.svc.Report(t.week)
	if err != nil {
		t.report = nil
		t.problem.SetText("The report could not be read: " + err.Error())
		t.problem.Show()
		t.headline.SetText("")
		t.days.SetLayout(nil)
		t.trend.SetLayout(nil)
		for _, l := range t.stats {
			l.SetText("")
		}
		t.interruptions.Objects = nil
		t.interruptions.Refresh()
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
	t.stats["fragmented"].SetText(reportFragmented(r, cfg.MinBlock))
	t.stats["notifications"].SetText(reportNotifications(r))
	t.stats["streak"].SetText(reportStreak(r))
	lines := reportInterruptionLines(r, cfg.Location, t.breakthroughReason)
	objs := make([]fyne.CanvasObject, len(lines))
	for i, l := range lines {
		objs[i] = widget.NewLabel(l)
	}
	t.interruptions.Objects = objs
	t.interruptions.Refresh()
}

// export writes the shown week as kind: "csv" or "json" (the report) or
// "sessions" (every session of the week as CSV).
func (t *reportTab) export(w io.Writer, kind string) error {
	switch kind {
	case "csv", "json":
		return service.WriteReport(w, t.svc.Data, t.week.String(), kind)
	case "sessions":
		last := t.week.End.Add(-time.Nanosecond)
		return service.WriteExport(w, t.svc.Data, t.week.Start.Format(time.DateOnly), last.Format(time.DateOnly), "csv")
	}
	return fmt.Errorf("%w %q", service.ErrBadFormat, kind)
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

// writeExport writes the shown week as kind to uc (saveExportTo) and says
// where it went, or what went wrong.
func (t *reportTab) writeExport(uc fyne.URIWriteCloser, kind string) {
	if werr := saveExportTo(uc, func(w io.Writer) error { return t.export(w, kind) }); werr != nil {
		t.exported.Hide()
		dialog.ShowError(fmt.Errorf("could not save %s: %w", uc.URI().Name(), werr), t.win)
		return
	}
	t.exported.SetText(fmt.Sprintf("Saved %s in %s at %s.", uc.URI().Name(), filepath.Dir(uc.URI().Path()),
		t.svc.Clock.Now().In(t.svc.Location()).Format("15:04")))
	t.exported.Show()
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
	if r.Working == 0 {
		return "Meetings: no working hours this week"
	}
	return fmt.Sprintf("Meetings: %s of %s working time%s · %s available to focus",
		chartHours(r.Meetings), chartHours(r.Working), reportPercent(r.Meetings, r.Working), chartHours(r.Available))
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

// breakthroughReason is why notification id broke through, as its stored
// decision says ("" when it cannot be read).
func (t *reportTab) breakthroughReason(id string) string {
	it, err := t.svc.Notify.Queue().Find(id)
	if err != nil {
		return ""
	}
	return it.Decision.Reason
}

// reportInterruptionLines lists who broke through, when and why (reason
// gives a notification's stored reason), oldest first.
func reportInterruptionLines(r *focus.WeeklyReport, loc *time.Location, reason func(id string) string) []string {
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
		if why := reason(in.ID); why != "" {
			line += " · why: " + plainDurations(why)
		}
		out[i] = line
	}
	return out
}
