package focus

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/lullapp/lull/internal/human"
)

// hours is d in hours rounded to two decimals, for JSON and CSV.
func hours(d time.Duration) float64 { return math.Round(d.Hours()*100) / 100 }

func hstr(d time.Duration) string { return strconv.FormatFloat(hours(d), 'f', -1, 64) }

func stamp(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(time.RFC3339)
}

type reportJSON struct {
	Week                  string           `json:"week"`
	Start                 string           `json:"start"`
	End                   string           `json:"end"`
	TimeZone              string           `json:"time_zone"`
	Generated             string           `json:"generated"`
	Complete              bool             `json:"complete"`
	GoalHours             float64          `json:"goal_hours"`
	FocusHours            float64          `json:"focus_hours"`
	BaselineHours         float64          `json:"baseline_hours"`
	Sessions              int              `json:"sessions"`
	PlannedHours          float64          `json:"planned_hours"`
	KeptHours             float64          `json:"kept_hours"`
	WorkingHours          float64          `json:"working_hours"`
	MeetingHours          float64          `json:"meeting_hours"`
	AvailableHours        float64          `json:"available_hours"`
	FragmentedHours       float64          `json:"fragmented_hours"`
	InMeetingsHours       float64          `json:"in_meetings_hours"`
	MeetingStretches      int              `json:"meeting_stretches"`
	PresentingHours       float64          `json:"presenting_hours"`
	Presentations         int              `json:"presentations"`
	NotificationsBatched  int              `json:"notifications_batched"`
	DigestsDelivered      int              `json:"digests_delivered"`
	StreakWeeks           int              `json:"streak_weeks"`
	StreakIncludesCurrent bool             `json:"streak_includes_current"`
	Days                  []dayJSON        `json:"days"`
	Blocks                []blockJSON      `json:"blocks"`
	Interruptions         []interruptJSON  `json:"interruptions"`
	Trend                 []trendPointJSON `json:"trend"`
	// Devices is the per-device split, present when other devices'
	// sessions fall in the week.
	Devices []deviceJSON `json:"devices,omitempty"`
}

type deviceJSON struct {
	Name       string  `json:"name"`
	This       bool    `json:"this,omitempty"`
	FocusHours float64 `json:"focus_hours"`
	Sessions   int     `json:"sessions"`
}

type dayJSON struct {
	Date            string  `json:"date"`
	FocusHours      float64 `json:"focus_hours"`
	GoalHours       float64 `json:"goal_hours"`
	PlannedHours    float64 `json:"planned_hours"`
	KeptHours       float64 `json:"kept_hours"`
	WorkingHours    float64 `json:"working_hours"`
	MeetingHours    float64 `json:"meeting_hours"`
	AvailableHours  float64 `json:"available_hours"`
	FragmentedHours float64 `json:"fragmented_hours"`
}

type blockJSON struct {
	ID        string  `json:"id"`
	Start     string  `json:"start"`
	End       string  `json:"end"`
	KeptHours float64 `json:"kept_hours"`
}

type interruptJSON struct {
	At        string `json:"at"`
	Source    string `json:"source"`
	Title     string `json:"title"`
	Reason    string `json:"reason,omitempty"`
	ID        string `json:"id"`
	SessionID string `json:"session_id"`
}

type trendPointJSON struct {
	Week       string  `json:"week"`
	FocusHours float64 `json:"focus_hours"`
	MetGoal    bool    `json:"met_goal"`
}

// WriteReportJSON writes r as one indented JSON object (hours as numbers
// rounded to 0.01, times as RFC 3339 in the week's zone) for
// `lull report --format json`.
func WriteReportJSON(w io.Writer, r *WeeklyReport) error {
	loc := r.Week.Start.Location()
	out := reportJSON{
		Week: r.Week.String(), Start: stamp(r.Week.Start, loc), End: stamp(r.Week.End, loc),
		TimeZone: loc.String(), Generated: stamp(r.Generated, loc), Complete: r.Complete,
		GoalHours: hours(r.Goal), FocusHours: hours(r.Focus), BaselineHours: BaselineHours,
		Sessions: r.Sessions, PlannedHours: hours(r.Planned), KeptHours: hours(r.Kept),
		WorkingHours: hours(r.Working), MeetingHours: hours(r.Meetings),
		AvailableHours: hours(r.Available), FragmentedHours: hours(r.Fragmented),
		InMeetingsHours: hours(r.InMeetings), MeetingStretches: r.MeetingStretches,
		PresentingHours: hours(r.Presenting), Presentations: r.Presentations,
		NotificationsBatched: r.Batched, DigestsDelivered: r.Digests,
		StreakWeeks: r.Streak, StreakIncludesCurrent: r.StreakIncludesCurrent,
		Days: []dayJSON{}, Blocks: []blockJSON{}, Interruptions: []interruptJSON{}, Trend: []trendPointJSON{},
	}
	for _, d := range r.Days {
		out.Days = append(out.Days, dayJSON{Date: d.Date.In(loc).Format(time.DateOnly),
			FocusHours: hours(d.Focus), GoalHours: hours(d.Goal), PlannedHours: hours(d.Planned),
			KeptHours: hours(d.Kept), WorkingHours: hours(d.Working), MeetingHours: hours(d.Meetings),
			AvailableHours: hours(d.Available), FragmentedHours: hours(d.Fragmented)})
	}
	for _, b := range r.Blocks {
		out.Blocks = append(out.Blocks, blockJSON{ID: b.ID, Start: stamp(b.Start, loc), End: stamp(b.End, loc), KeptHours: hours(b.Kept)})
	}
	for _, in := range r.Interruptions {
		out.Interruptions = append(out.Interruptions, interruptJSON{At: stamp(in.At, loc), Source: in.Source,
			Title: in.Title, Reason: in.Reason, ID: in.ID, SessionID: in.SessionID})
	}
	for _, p := range r.Trend {
		out.Trend = append(out.Trend, trendPointJSON{Week: p.Week.String(), FocusHours: hours(p.Focus), MetGoal: p.MetGoal})
	}
	for _, d := range r.Devices {
		out.Devices = append(out.Devices, deviceJSON{Name: d.Name, This: d.This, FocusHours: hours(d.Focus), Sessions: d.Sessions})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write report %s as JSON: %w", r.Week, err)
	}
	return nil
}

// ReportCSVHeader is the header row of WriteReportCSV.
var ReportCSVHeader = []string{"date", "focus_hours", "goal_hours", "planned_hours", "kept_hours",
	"working_hours", "meeting_hours", "available_hours", "fragmented_hours"}

// WriteReportCSV writes r as CSV for `lull report --format csv`: a header,
// one row per day (date YYYY-MM-DD) and a total row whose date column is the
// week label (e.g. "2026-W47"). Hours are rounded to 0.01.
func WriteReportCSV(w io.Writer, r *WeeklyReport) error {
	cw := csv.NewWriter(w)
	row := func(label string, d DayReport) []string {
		return []string{label, hstr(d.Focus), hstr(d.Goal), hstr(d.Planned), hstr(d.Kept),
			hstr(d.Working), hstr(d.Meetings), hstr(d.Available), hstr(d.Fragmented)}
	}
	rows := [][]string{ReportCSVHeader}
	for _, d := range r.Days {
		rows = append(rows, row(d.Date.Format(time.DateOnly), d))
	}
	rows = append(rows, row(r.Week.String(), DayReport{Focus: r.Focus, Goal: r.Goal, Planned: r.Planned,
		Kept: r.Kept, Working: r.Working, Meetings: r.Meetings, Available: r.Available, Fragmented: r.Fragmented}))
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("write report %s as CSV: %w", r.Week, err)
	}
	return nil
}

func pct(a, b time.Duration) string {
	if b <= 0 {
		return "–"
	}
	return fmt.Sprintf("%d%%", int(math.Round(100*float64(a)/float64(b))))
}

// WriteReportText writes r as the human-readable `lull report` output.
func WriteReportText(w io.Writer, r *WeeklyReport) error {
	loc := r.Week.Start.Location()
	var b strings.Builder
	last := r.Week.End.AddDate(0, 0, -1)
	zone := loc.String()
	if zone == "Local" {
		zone = "local time"
	}
	first := r.Week.Start.Format("Mon 2 Jan")
	if r.Week.Start.Year() != last.Year() {
		first = r.Week.Start.Format("Mon 2 Jan 2006")
	}
	fmt.Fprintf(&b, "Week %s (%s – %s, %s)", r.Week, first, last.Format("Mon 2 Jan 2006"), zone)
	if !r.Complete {
		fmt.Fprintf(&b, ", so far (%s)", r.Generated.In(loc).Format("Mon 15:04"))
	}
	b.WriteString("\n\n")
	met := "goal not met"
	if r.Focus >= r.Goal {
		met = "goal met"
	}
	fmt.Fprintf(&b, "Focus        %s of %s goal (%s, %s); survey average %.1f h\n", human.Duration(r.Focus), human.Duration(r.Goal), pct(r.Focus, r.Goal), met, BaselineHours)
	if line := DevicesLine(r); line != "" {
		fmt.Fprintf(&b, "Devices      %s\n", line)
	}
	fmt.Fprintf(&b, "Planned      %s in %d blocks, kept %s (%s)\n", human.Duration(r.Planned), len(r.Blocks), human.Duration(r.Kept), pct(r.Kept, r.Planned))
	fmt.Fprintf(&b, "Meetings     %s of %s working time\n", human.Duration(r.Meetings), human.Duration(r.Working))
	fmt.Fprintf(&b, "Available    %s to focus, %s of it fragmented (gaps under the minimum block)\n", human.Duration(r.Available), human.Duration(r.Fragmented))
	if line := QuietLine(r); line != "" {
		fmt.Fprintf(&b, "Quiet        %s\n", line)
	}
	fmt.Fprintf(&b, "Notifications %d batched, %d digests delivered\n", r.Batched, r.Digests)
	streak := fmt.Sprintf("%d week", r.Streak)
	if r.Streak != 1 {
		streak += "s"
	}
	if r.StreakIncludesCurrent {
		streak += " (including this week)"
	}
	fmt.Fprintf(&b, "Streak       %s meeting the goal\n\n", streak)

	fmt.Fprintf(&b, "%-10s %11s %11s %11s %11s\n", "Day", "Focus", "Goal", "Meetings", "Available")
	for _, d := range r.Days {
		fmt.Fprintf(&b, "%-10s %11s %11s %11s %11s\n", d.Date.Format("Mon 2 Jan"), human.Duration(d.Focus), human.Duration(d.Goal), human.Duration(d.Meetings), human.Duration(d.Available))
	}
	fmt.Fprintf(&b, "\nInterruptions (%d)\n", len(r.Interruptions))
	for _, in := range r.Interruptions {
		line := fmt.Sprintf("  %s  %-12s %s", in.At.In(loc).Format("Mon 15:04"), in.Source, in.Title)
		if in.Reason != "" {
			line += " — " + in.Reason
		}
		b.WriteString(line + "\n")
	}
	b.WriteString("\nTrend (focus per week)\n")
	for _, p := range r.Trend {
		mark := " "
		if p.MetGoal {
			mark = "✓"
		}
		fmt.Fprintf(&b, "  %s %s %11s %s\n", p.Week, mark, human.Duration(p.Focus), strings.Repeat("█", int(p.Focus/(30*time.Minute))))
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write report %s: %w", r.Week, err)
	}
	return nil
}

// SessionsCSVHeader is the header row of WriteSessionsCSV.
var SessionsCSVHeader = []string{"id", "kind", "start", "planned_end", "end", "duration_seconds",
	"block_id", "outcome", "interruptions"}

// WriteSessionsCSV writes one row per session for `lull export --format
// csv`: times RFC 3339 in loc (planned_end empty when open-ended, end empty
// while running), the counted duration in whole seconds, and the number of
// interruptions.
func WriteSessionsCSV(w io.Writer, sessions []Session, loc *time.Location) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(SessionsCSVHeader); err != nil {
		return fmt.Errorf("export sessions as CSV: %w", err)
	}
	for _, s := range sessions {
		rec := []string{s.ID, s.Kind.String(), stamp(s.Start, loc), stamp(s.PlannedEnd, loc), stamp(s.End, loc),
			strconv.FormatInt(int64(s.Duration()/time.Second), 10), s.BlockID, s.Outcome.String(),
			strconv.Itoa(len(s.Interruptions))}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("export sessions as CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("export sessions as CSV: %w", err)
	}
	return nil
}

type sessionJSON struct {
	ID              string          `json:"id"`
	Kind            Kind            `json:"kind"`
	Start           string          `json:"start"`
	PlannedEnd      string          `json:"planned_end,omitempty"`
	End             string          `json:"end,omitempty"`
	DurationSeconds int64           `json:"duration_seconds"`
	BlockID         string          `json:"block_id,omitempty"`
	Outcome         Outcome         `json:"outcome"`
	Interruptions   []interruptJSON `json:"interruptions"`
}

// WriteSessionsJSON writes the sessions as an indented JSON array for `lull
// export --format json`, with times in loc and every interruption.
func WriteSessionsJSON(w io.Writer, sessions []Session, loc *time.Location) error {
	out := make([]sessionJSON, 0, len(sessions))
	for _, s := range sessions {
		js := sessionJSON{ID: s.ID, Kind: s.Kind, Start: stamp(s.Start, loc), PlannedEnd: stamp(s.PlannedEnd, loc),
			End: stamp(s.End, loc), DurationSeconds: int64(s.Duration() / time.Second), BlockID: s.BlockID,
			Outcome: s.Outcome, Interruptions: []interruptJSON{}}
		for _, in := range s.Interruptions {
			js.Interruptions = append(js.Interruptions, interruptJSON{At: stamp(in.At, loc), Source: in.Source, Title: in.Title, Reason: in.Reason, ID: in.ID, SessionID: s.ID})
		}
		out = append(out, js)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("export sessions as JSON: %w", err)
	}
	return nil
}

// QuietLine sums up the week's meeting load and presenting as `lull
// report` and the Report tab say it: "4 h 30 min held quiet in 7
// meetings · presenting 45 min (2 times)"; "" when there was neither.
func QuietLine(r *WeeklyReport) string {
	var parts []string
	if r.InMeetings > 0 || r.MeetingStretches > 0 {
		parts = append(parts, fmt.Sprintf("%s held quiet in %s", human.Duration(r.InMeetings.Round(time.Minute)), plural(r.MeetingStretches, "meeting")))
	}
	if r.Presenting > 0 || r.Presentations > 0 {
		parts = append(parts, fmt.Sprintf("presenting %s (%s)", human.Duration(r.Presenting.Round(time.Minute)), plural(r.Presentations, "time")))
	}
	return strings.Join(parts, " · ")
}

// plural writes "1 meeting", "3 meetings".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// DevicesLine is the report's per-device split in words ("laptop 6 h (this
// one), desktop 4 h"), "" for a one-device week.
func DevicesLine(r *WeeklyReport) string {
	parts := make([]string, 0, len(r.Devices))
	for _, d := range r.Devices {
		part := fmt.Sprintf("%s %s in %s", d.Name, human.Duration(d.Focus), plural(d.Sessions, "session"))
		if d.This {
			part += " (this one)"
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, ", ")
}
