package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus"
)

var (
	// ErrBadFormat is an unknown --format value.
	ErrBadFormat = errors.New("unknown format")
	// ErrBadRequest is a request missing what it needs.
	ErrBadRequest = errors.New("bad request")
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
	return nil, fmt.Errorf("%w %q: want text, json or csv", ErrBadFormat, format)
}

// WriteExport writes every session in [from, to] (dates, both optional) as
// csv or json, one row each.
func WriteExport(w io.Writer, d *Data, from, to, format string) error {
	loc := d.Location()
	start, end, err := focus.ExportRange(from, to, loc)
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
		return fmt.Errorf("%w %q: want csv or json", ErrBadFormat, format)
	}
	sessions, err := d.Log.Sessions(start, end)
	if err != nil {
		return err
	}
	return write(w, sessions, loc)
}

// AddSource is a request to add a calendar: exactly the fields its kind
// needs. Password and a URL's secret parts go to the keyring only.
type AddSource struct {
	Kind     calendar.SourceKind `json:"kind"`
	Name     string              `json:"name,omitempty"`
	Path     string              `json:"path,omitempty"`
	URL      string              `json:"url,omitempty"`
	User     string              `json:"user,omitempty"`
	Password string              `json:"password,omitempty"`
	// Calendar picks a CalDAV calendar by path or name when the account
	// has several.
	Calendar string `json:"calendar,omitempty"`
	// Publish makes a CalDAV calendar the one accepted blocks are written to.
	Publish bool `json:"publish,omitempty"`
	// AllDayFree sets the calendar's "all-day events are free" (see
	// calendar.SourceConfig.AllDayFree).
	AllDayFree bool `json:"all_day_free,omitempty"`
}

// AddSource adds a calendar source; a CalDAV source is checked against the
// server first (discovery), so a wrong password fails here.
func (d *Data) AddSource(ctx context.Context, req AddSource) (calendar.SourceConfig, error) {
	var cfg calendar.SourceConfig
	var err error
	switch req.Kind {
	case calendar.SourceFile:
		if req.Path == "" {
			return cfg, fmt.Errorf("%w: a file calendar needs a path", ErrBadRequest)
		}
		cfg, err = d.Sources.AddFileSource(req.Path, req.Name)
	case calendar.SourceURL:
		if req.URL == "" {
			return cfg, fmt.Errorf("%w: a subscription needs a URL", ErrBadRequest)
		}
		cfg, err = d.Sources.AddURLSource(ctx, req.URL, req.Name)
	case calendar.SourceCalDAV:
		if req.URL == "" || req.User == "" {
			return cfg, fmt.Errorf("%w: a CalDAV calendar needs a URL and a user", ErrBadRequest)
		}
		cfg, err = d.Sources.AddCalDAVSource(ctx, req.URL, req.User, req.Password, req.Calendar)
	default:
		return cfg, fmt.Errorf("%w: kind %q: want file, url or caldav", ErrBadRequest, req.Kind)
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

// SourceChange is a change to a calendar's settings; nil fields stay.
type SourceChange struct {
	// AllDayFree is the "all-day events are free" setting.
	AllDayFree *bool `json:"all_day_free,omitempty"`
}

// ChangeSource changes a calendar's settings and returns them; the next
// sync reads the calendar with them.
func (d *Data) ChangeSource(id string, ch SourceChange) (calendar.SourceConfig, error) {
	if ch.AllDayFree == nil {
		cfg, err := d.Sources.Config(id)
		if err != nil {
			return cfg, err
		}
		return cfg, fmt.Errorf("%w: nothing to change (want all_day_free)", ErrBadRequest)
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

// BusyRange returns stored busy time over [from, to): dates (YYYY-MM-DD,
// to inclusive) or RFC 3339 times; empty means today and seven days on.
func (d *Data) BusyRange(from, to string) ([]calendar.Interval, error) {
	loc := d.Location()
	start, end, err := ParseRange(from, to, d.Clock.Now(), loc)
	if err != nil {
		return nil, err
	}
	snap, err := d.Busy()
	if err != nil {
		return nil, err
	}
	return clip(snap.Busy, start, end), nil
}

// ParseRange parses a --from/--to pair: RFC 3339 times or dates (a date
// --to includes that day). Defaults: today's midnight, seven days later.
func ParseRange(from, to string, now time.Time, loc *time.Location) (time.Time, time.Time, error) {
	y, m, dd := now.In(loc).Date()
	start := time.Date(y, m, dd, 0, 0, 0, 0, loc)
	end := start.AddDate(0, 0, 7)
	var err error
	if from != "" {
		if start, err = parseInstant(from, loc, false); err != nil {
			return start, end, err
		}
	}
	if to != "" {
		if end, err = parseInstant(to, loc, true); err != nil {
			return start, end, err
		}
	} else if from != "" {
		end = start.AddDate(0, 0, 7)
	}
	if !end.After(start) {
		return start, end, fmt.Errorf("%w: --to %s is not after --from %s", focus.ErrBadDate, end.Format(time.RFC3339), start.Format(time.RFC3339))
	}
	return start, end, nil
}

func parseInstant(s string, loc *time.Location, endOfDay bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	t, err := focus.ParseDay(s, loc)
	if err != nil {
		return t, fmt.Errorf("%w: %q: want YYYY-MM-DD or an RFC 3339 time", focus.ErrBadDate, s)
	}
	if endOfDay {
		t = t.AddDate(0, 0, 1)
	}
	return t, nil
}
