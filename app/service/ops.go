package service

import (
	"context"
	"io"
	"time"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/human"
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

// AddSource is a request to add a calendar (api.AddCalendar).
type AddSource = api.AddCalendar

// AddSource adds a calendar source; a CalDAV source is checked against the
// server first (discovery), so a wrong password fails here.
func (d *Data) AddSource(ctx context.Context, req AddSource) (calendar.SourceConfig, error) {
	var cfg calendar.SourceConfig
	var err error
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
	if req.Publish && cfg.Kind == calendar.SourceCalDAV {
		st := d.Settings()
		st.PublishCalDAV = cfg.ID
		if err := d.SaveSettings(st); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// SourceChange is a change to a calendar's settings (api.CalendarChange).
type SourceChange = api.CalendarChange

// ChangeSource changes a calendar's settings and returns them; the next
// sync reads the calendar with them.
func (d *Data) ChangeSource(id string, ch SourceChange) (calendar.SourceConfig, error) {
	if ch.AllDayFree == nil {
		cfg, err := d.Sources.Config(id)
		if err != nil {
			return cfg, err
		}
		return cfg, api.BadRequest("nothing to change (want all_day_free)")
	}
	return d.Sources.SetAllDayFree(id, *ch.AllDayFree)
}

// RemoveSource removes a source and its secret; it stops publishing to it.
func (d *Data) RemoveSource(id string) error {
	if err := d.Sources.RemoveSource(id); err != nil {
		return err
	}
	st := d.Settings()
	changed := false
	if st.PublishCalDAV == id {
		st.PublishCalDAV, changed = "", true
	}
	if st.SampleSource == id {
		st.SampleSource, changed = "", true
	}
	if changed {
		return d.SaveSettings(st)
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
