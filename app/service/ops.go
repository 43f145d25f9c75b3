package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/lullapp/lull/assets"
	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/atomicfile"
	"github.com/lullapp/lull/internal/human"
	"github.com/lullapp/lull/notify"
)

var (
	// ErrBadFormat is an unknown --format value (api.ErrBadFormat).
	ErrBadFormat = api.ErrBadFormat
	// ErrBadRequest is a request missing what it needs (api.ErrBadRequest).
	ErrBadRequest = api.ErrBadRequest
)

// WriteReport writes week's report ("" = this week) as text, json or csv.
func WriteReport(w io.Writer, d *Data, week, format string) error {
	cfg := d.FocusConfig()
	wk, err := cfg.ParseWeek(week, d.Clock.Now())
	if err != nil {
		return err
	}
	write, err := reportWriter(format)
	if err != nil {
		return err
	}
	r, err := d.Report(wk)
	if err != nil {
		return err
	}
	return write(w, r)
}

func reportWriter(format string) (func(io.Writer, *focus.WeeklyReport) error, error) {
	switch format {
	case "", "text":
		return focus.WriteReportText, nil
	case "json":
		return focus.WriteReportJSON, nil
	case "csv":
		return focus.WriteReportCSV, nil
	}
	return nil, &human.FieldError{Key: "format", Label: "--format", Value: format, Problem: "want text, json or csv", Example: "json", Err: ErrBadFormat}
}

// WriteExport writes every session in [from, to] (dates, both optional) as
// csv or json, one row each.
func WriteExport(w io.Writer, d *Data, from, to, format string) error {
	loc := d.Location()
	start, end, err := human.ParseRange(from, to, loc)
	if err != nil {
		return err
	}
	if end.IsZero() {
		end = d.Clock.Now().Add(focus.MaxSessionLength)
	}
	var write func(io.Writer, []focus.Session, *time.Location) error
	switch format {
	case "", "csv":
		write = focus.WriteSessionsCSV
	case "json":
		write = focus.WriteSessionsJSON
	default:
		return &human.FieldError{Key: "format", Label: "--format", Value: format, Problem: "want csv or json", Example: "json", Err: ErrBadFormat}
	}
	sessions, err := d.Log.Sessions(start, end)
	if err != nil {
		return err
	}
	return write(w, sessions, loc)
}

// WeekReport is week's report ("" = this week, else an ISO week such as
// "2026-W47") as data (GET /v1/report/week). An interruption logged before
// sessions kept the reason gets it from the notification's decision.
func (d *Data) WeekReport(week string) (*focus.WeeklyReport, error) {
	wk, err := d.FocusConfig().ParseWeek(week, d.Clock.Now())
	if err != nil {
		return nil, err
	}
	r, err := d.Report(wk)
	if err != nil {
		return nil, err
	}
	for i, in := range r.Interruptions {
		if in.Reason != "" {
			continue
		}
		if it, err := d.Queue.Find(in.ID); err == nil {
			r.Interruptions[i].Reason = it.Decision.Reason
		}
	}
	return r, nil
}

// SessionsRange returns the focus sessions overlapping [from, to) as
// human.ParseRange reads them (a date is the whole day), oldest first; an
// empty from is unbounded, an empty to as late as a session started now
// could end (GET /v1/sessions).
func (d *Data) SessionsRange(from, to string) ([]focus.Session, error) {
	start, end, err := human.ParseRange(from, to, d.Location())
	if err != nil {
		return nil, err
	}
	if end.IsZero() {
		end = d.Clock.Now().Add(focus.MaxSessionLength)
	}
	return d.Log.Sessions(start, end)
}

// breakthroughWindow is how far back GET /v1/notifications/breakthroughs
// looks without a from: the last week's are what a person asks about
// ("why did that one get through?"); older ones are in the report.
const breakthroughWindow = 7 * 24 * time.Hour

// Breakthroughs returns the notifications that broke through in [from,
// to) as human.ParseRange reads them, oldest first; an empty from is
// breakthroughWindow before now, an empty to now.
func (d *Data) Breakthroughs(from, to string) ([]notify.Item, error) {
	start, end, err := human.ParseRange(from, to, d.Location())
	if err != nil {
		return nil, err
	}
	now := d.Clock.Now()
	if end.IsZero() {
		end = now.Add(time.Nanosecond)
	}
	if start.IsZero() {
		start = end.Add(-breakthroughWindow)
	}
	items, err := d.Queue.Log(start, end)
	if err != nil {
		return nil, err
	}
	out := items[:0]
	for _, it := range items {
		if it.Decision.Action == notify.ActionBreakthrough {
			out = append(out, it)
		}
	}
	return out, nil
}

// AddSource is a request to add a calendar (api.AddCalendar).
type AddSource = api.AddCalendar

// AddSource adds a calendar source; a CalDAV source is checked against the
// server first (discovery), so a wrong password fails here. Sync asked of
// it while another calendar has sync on is refused before anything is
// added (calendar.ErrSyncElsewhere).
func (d *Data) AddSource(ctx context.Context, req AddSource) (calendar.SourceConfig, error) {
	var cfg calendar.SourceConfig
	var err error
	if req.Sample {
		return d.addSample()
	}
	if req.Sync {
		holder, on, err := d.syncSource()
		if err != nil {
			return cfg, err
		}
		if on {
			return cfg, fmt.Errorf("%w, %q: one calendar carries the sync with your other devices, so switch sync off for %q first, or add this calendar without sync",
				calendar.ErrSyncElsewhere, holder.Name, holder.Name)
		}
	}
	switch req.Kind {
	case calendar.SourceFile:
		if req.Path == "" {
			return cfg, api.BadRequest("a file calendar needs a path")
		}
		cfg, err = d.Sources.AddFileSource(req.Path, req.Name)
	case calendar.SourceURL:
		if req.URL == "" {
			return cfg, api.BadRequest("a subscription needs its address")
		}
		cfg, err = d.Sources.AddURLSource(ctx, req.URL, req.Name)
	case calendar.SourceCalDAV:
		if req.URL == "" || req.User == "" {
			return cfg, api.BadRequest("a CalDAV calendar needs an address and a user")
		}
		cfg, err = d.Sources.AddCalDAVSource(ctx, req.URL, req.User, req.Password, req.Calendar)
	default:
		return cfg, api.BadRequest("a calendar of kind %q: want file, url or caldav", req.Kind)
	}
	if err != nil {
		return cfg, err
	}
	if req.AllDayFree {
		if cfg, err = d.Sources.SetAllDayFree(cfg.ID, true); err != nil {
			return cfg, err
		}
	}
	if req.Sync {
		if cfg, err = d.Sources.SetSync(cfg.ID, true); err != nil {
			return cfg, err
		}
	}
	if req.Publish && cfg.Kind == calendar.SourceCalDAV {
		st := d.Settings()
		st.PublishCalDAV = cfg.ID
		if err := d.SaveSettings(st); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// The bundled sample calendar (api.AddCalendar.Sample).
const (
	// SampleName names it so it is clearly a sample.
	SampleName = "Sample calendar (remove any time)"
	// SampleFile is its copy in the data directory, removed with it.
	SampleFile = "sample-calendar.ics"
)

// addSample copies the bundled sample calendar into the data directory,
// adds it as a file calendar and records it as the sample, so it can be
// removed in one click (RemoveSource also removes the copy). Adding it
// again returns the one there.
func (d *Data) addSample() (calendar.SourceConfig, error) {
	if id := d.Settings().SampleSource; id != "" {
		if cfg, err := d.Sources.Config(id); err == nil {
			return cfg, nil
		}
	}
	path := filepath.Join(d.Dir, SampleFile)
	if err := atomicfile.Write(path, assets.SampleCalendar, 0o600); err != nil {
		return calendar.SourceConfig{}, fmt.Errorf("sample calendar: %w", err)
	}
	cfg, err := d.Sources.AddFileSource(path, SampleName)
	if err != nil {
		return cfg, fmt.Errorf("sample calendar: %w", err)
	}
	st := d.Settings()
	st.SampleSource = cfg.ID
	if err := d.SaveSettings(st); err != nil {
		return cfg, fmt.Errorf("sample calendar: %w", err)
	}
	return cfg, nil
}

// SourceChange is a change to a calendar's settings (api.CalendarChange).
type SourceChange = api.CalendarChange

// ChangeSource changes a calendar's settings and returns them; the next
// sync reads the calendar with them.
func (d *Data) ChangeSource(id string, ch SourceChange) (calendar.SourceConfig, error) {
	if ch.AllDayFree == nil && ch.Sync == nil {
		cfg, err := d.Sources.Config(id)
		if err != nil {
			return cfg, err
		}
		return cfg, api.BadRequest("nothing to change (want all_day_free or sync)")
	}
	var cfg calendar.SourceConfig
	var err error
	if ch.AllDayFree != nil {
		if cfg, err = d.Sources.SetAllDayFree(id, *ch.AllDayFree); err != nil {
			return cfg, err
		}
	}
	if ch.Sync != nil {
		if cfg, err = d.Sources.SetSync(id, *ch.Sync); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// RemoveSource removes a source and its secret; it stops publishing to it.
// Removing the sample calendar also removes its copy in the data directory.
func (d *Data) RemoveSource(id string) error {
	if err := d.Sources.RemoveSource(id); err != nil {
		return err
	}
	st := d.Settings()
	changed, sample := false, st.SampleSource == id
	if st.PublishCalDAV == id {
		st.PublishCalDAV, changed = "", true
	}
	if sample {
		st.SampleSource, changed = "", true
	}
	if changed {
		if err := d.SaveSettings(st); err != nil {
			return err
		}
	}
	if sample {
		// Only the sample's own copy, which Lull wrote; gone already is fine.
		if err := os.Remove(filepath.Join(d.Dir, SampleFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("sample calendar: %w", err)
		}
	}
	return nil
}

// BusyRange returns stored busy time over --from/--to as human.ParseRange
// reads them (a date is the whole day); an empty from is today's midnight,
// an empty to a week after the start.
func (d *Data) BusyRange(from, to string) ([]calendar.Interval, error) {
	loc := d.Location()
	start, end, err := human.ParseRange(from, to, loc)
	if err != nil {
		return nil, err
	}
	if start.IsZero() {
		y, m, dd := d.Clock.Now().In(loc).Date()
		start = time.Date(y, m, dd, 0, 0, 0, 0, loc)
	}
	if end.IsZero() {
		end = start.AddDate(0, 0, 7)
	}
	if !end.After(start) {
		return nil, &human.FieldError{Key: "to", Label: "--to", Value: to,
			Problem: "must be after the start, " + human.When(start, loc), Err: human.ErrBadDate}
	}
	snap, err := d.Busy()
	if err != nil {
		return nil, err
	}
	return clip(snap.Busy, start, end), nil
}
