package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"text/tabwriter"
	"time"

	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/calendar/ics"
	"github.com/lullapp/lull/internal/localapi"
)

const calendarUsage = `Usage:
  lull calendar add file PATH [--name N] [--all-day-free]
  lull calendar add url [URL|-] [--name N] [--all-day-free]
                                                  (URL from stdin when "-" or missing)
  lull calendar add caldav URL --user U [--calendar PATH] [--publish] [--name N] [--all-day-free]
                                                  (password from stdin or prompted)
  lull calendar list [--json]
  lull calendar set ID all-day-free on|off        (all-day events that say nothing count as free)
  lull calendar remove ID
  lull calendar sync
  lull calendar expand FILE --from T --to T [--tz ZONE]
  lull calendar busy [FILE] [--from T --to T] [--tz ZONE]

Windows are [from, to): a date means its midnight.`

func (c *cli) calendar(args []string) error {
	if len(args) == 0 {
		return usagef("calendar needs add, list, set, remove, sync, expand or busy")
	}
	switch args[0] {
	case "-h", "--help":
		fmt.Fprintln(c.stdout, calendarUsage)
		return errHelp
	case "add":
		return c.calendarAdd(args[1:])
	case "list":
		return c.calendarList(args[1:])
	case "set":
		return c.calendarSet(args[1:])
	case "remove", "rm":
		fs := c.flags("calendar remove", "calendar remove ID")
		ids, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if len(ids) != 1 {
			return usagef("calendar remove needs one id (see \"lull calendar list\")")
		}
		err = c.either(func(cl *localapi.Client) error {
			return cl.Do("DELETE", "/v1/calendars/"+ids[0], nil, nil)
		}, func(d *service.Data) error { return d.RemoveSource(ids[0]) })
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "Removed %s\n", ids[0])
		return nil
	case "sync":
		fs := c.flags("calendar sync", "calendar sync")
		if _, err := parse(fs, args[1:]); err != nil {
			return err
		}
		var rep service.SyncReport
		err := c.either(func(cl *localapi.Client) error {
			return cl.Do("POST", "/v1/calendars/sync", nil, &rep)
		}, func(d *service.Data) error {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			var err error
			rep, err = d.SyncCalendars(ctx)
			return err
		})
		if err != nil {
			return err
		}
		c.reportSync(c.stdout, rep)
		return nil
	case "expand":
		return c.calendarExpand(args[1:])
	case "busy":
		return c.calendarBusy(args[1:])
	}
	return usagef("unknown calendar command %q", args[0])
}

func (c *cli) reportSync(w io.Writer, rep service.SyncReport) {
	if len(rep.Sources) == 0 {
		fmt.Fprintln(w, "No calendars yet: add one with \"lull calendar add\".")
	}
	for _, s := range rep.Sources {
		switch {
		case s.Error != "" && s.Stale:
			fmt.Fprintf(w, "%s: %d events (stale: %s)\n", s.Name, s.Events, s.Error)
		case s.Error != "":
			fmt.Fprintf(w, "%s: error: %s\n", s.Name, s.Error)
		default:
			fmt.Fprintf(w, "%s: %d events\n", s.Name, s.Events)
		}
		for _, p := range s.Problems {
			fmt.Fprintf(c.stderr, "%s: skipped: %s\n", s.Name, p)
		}
	}
}

func (c *cli) calendarAdd(args []string) error {
	if len(args) == 0 {
		return usagef("calendar add needs file, url or caldav")
	}
	kind := args[0]
	if kind == "-h" || kind == "--help" {
		fmt.Fprintln(c.stdout, calendarUsage)
		return errHelp
	}
	fs := c.flags("calendar add "+kind, "calendar add "+kind+" …")
	name := fs.String("name", "", "display name")
	user := fs.String("user", "", "CalDAV user name")
	cal := fs.String("calendar", "", "CalDAV calendar path or name when the account has several")
	publish := fs.Bool("publish", false, "write accepted focus blocks to this CalDAV calendar")
	allDayFree := fs.Bool("all-day-free", false, "count this calendar's all-day events as free unless they are marked busy")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	req := service.AddSource{Name: *name, AllDayFree: *allDayFree}
	switch kind {
	case "file":
		if len(pos) != 1 {
			return usagef("calendar add file needs one PATH")
		}
		abs, err := filepath.Abs(pos[0])
		if err != nil {
			return err
		}
		req.Kind, req.Path = calendar.SourceFile, abs
	case "url":
		if len(pos) > 1 {
			return usagef("calendar add url takes one URL")
		}
		req.Kind = calendar.SourceURL
		if len(pos) == 1 && pos[0] != "-" {
			req.URL = pos[0]
		} else if req.URL, err = c.readSecret("Subscription URL: "); err != nil {
			return err
		}
	case "caldav":
		if len(pos) != 1 || *user == "" {
			return usagef("calendar add caldav needs URL and --user")
		}
		req.Kind, req.URL, req.User, req.Calendar, req.Publish = calendar.SourceCalDAV, pos[0], *user, *cal, *publish
		if req.Password, err = c.readSecret(fmt.Sprintf("Password for %s: ", *user)); err != nil {
			return err
		}
	default:
		return usagef("calendar add: unknown kind %q (want file, url or caldav)", kind)
	}
	var cfg calendar.SourceConfig
	err = c.either(func(cl *localapi.Client) error {
		return cl.Do("POST", "/v1/calendars", req, &cfg)
	}, func(d *service.Data) error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		var err error
		cfg, err = d.AddSource(ctx, req)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Added %s %q as %s\n", cfg.Kind, cfg.Name, cfg.ID)
	return nil
}

func (c *cli) calendarList(args []string) error {
	fs := c.flags("calendar list", "calendar list [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	var list []calendar.SourceInfo
	err := c.either(func(cl *localapi.Client) error {
		return cl.Do("GET", "/v1/calendars", nil, &list)
	}, func(d *service.Data) error {
		var err error
		list, err = d.Sources.ListSources()
		return err
	})
	if err != nil {
		return err
	}
	if *asJSON {
		return c.printJSON(list)
	}
	if len(list) == 0 {
		fmt.Fprintln(c.stdout, "No calendars yet: add one with \"lull calendar add\".")
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tNAME\tWHERE\tALL-DAY\tSTATUS")
	for _, s := range list {
		where := s.Config.Path
		switch s.Config.Kind {
		case calendar.SourceURL:
			where = s.Config.Host
		case calendar.SourceCalDAV:
			where = s.Config.User + " @ " + s.Config.ServerURL + s.Config.CalendarPath
		}
		allDay := "busy"
		if s.Config.AllDayFree {
			allDay = "free"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Config.ID, s.Config.Kind, s.Config.Name, where, allDay, s.Status)
	}
	return tw.Flush()
}

// calendarSet is `lull calendar set ID all-day-free on|off`.
func (c *cli) calendarSet(args []string) error {
	fs := c.flags("calendar set", "calendar set ID all-day-free on|off")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 3 || pos[1] != "all-day-free" {
		return usagef("calendar set needs ID all-day-free on|off (see \"lull calendar list\" for the ID)")
	}
	free, err := parseBool(pos[2])
	if err != nil {
		return usagef("calendar set %s all-day-free: %v (e.g. on or off)", pos[0], err)
	}
	ch := service.SourceChange{AllDayFree: &free}
	var cfg calendar.SourceConfig
	err = c.either(func(cl *localapi.Client) error {
		return cl.Do("PATCH", "/v1/calendars/"+pos[0], ch, &cfg)
	}, func(d *service.Data) error {
		var err error
		cfg, err = d.ChangeSource(pos[0], ch)
		return err
	})
	if err != nil {
		return err
	}
	if cfg.AllDayFree {
		fmt.Fprintf(c.stdout, "%s: all-day events are free unless marked busy\n", cfg.Name)
	} else {
		fmt.Fprintf(c.stdout, "%s: all-day events are busy unless marked free\n", cfg.Name)
	}
	return nil
}

func (c *cli) calendarExpand(args []string) error {
	fs := c.flags("calendar expand", "calendar expand FILE --from T --to T [--tz ZONE]")
	from := fs.String("from", "", "window start (RFC 3339 or YYYY-MM-DD)")
	to := fs.String("to", "", "window end, exclusive")
	tz := fs.String("tz", "", "zone for floating times and all-day dates (default UTC)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *from == "" || *to == "" {
		return usagef("calendar expand needs FILE, --from and --to")
	}
	loc, err := zone(*tz, time.UTC)
	if err != nil {
		return err
	}
	start, end, err := parseWindow(*from, *to, loc, time.Time{})
	if err != nil {
		return err
	}
	lowMemory()
	problems, err := ics.ExpandFile(pos[0], start, end, loc, c.stdout)
	for _, p := range problems {
		fmt.Fprintf(c.stderr, "lull: %s: skipped: %v\n", pos[0], p)
	}
	return err
}

func (c *cli) calendarBusy(args []string) error {
	fs := c.flags("calendar busy", "calendar busy [FILE] [--from T --to T] [--tz ZONE]")
	from := fs.String("from", "", "window start (RFC 3339 or YYYY-MM-DD; default today)")
	to := fs.String("to", "", "window end (default a week later)")
	tz := fs.String("tz", "", "your zone (default the system's)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usagef("calendar busy takes at most one FILE")
	}
	loc, err := zone(*tz, time.Local)
	if err != nil {
		return err
	}
	y, m, d := time.Now().In(loc).Date()
	start, end, err := parseWindow(*from, *to, loc, time.Date(y, m, d, 0, 0, 0, 0, loc))
	if err != nil {
		return err
	}
	var busy []calendar.Interval
	if len(pos) == 1 {
		// The file's busy time as a source of the user's would give it:
		// their addresses make declined meetings free.
		st, err := c.settingsNow()
		if err != nil {
			return err
		}
		st.Plan.Zone = loc.String() // --tz, or the zone the window is read in
		bt, problems, err := service.BusyFiles(pos[:1], st, start, end, readFile)
		for _, p := range problems {
			fmt.Fprintf(c.stderr, "lull: %s: skipped: %v\n", pos[0], p)
		}
		if err != nil {
			return err
		}
		busy = bt.Busy
	} else {
		q := fmt.Sprintf("/v1/busy?from=%s&to=%s", start.Format(time.RFC3339), end.Format(time.RFC3339))
		err = c.either(func(cl *localapi.Client) error {
			return cl.Do("GET", q, nil, &busy)
		}, func(d *service.Data) error {
			busy, err = d.BusyRange(start.Format(time.RFC3339), end.Format(time.RFC3339))
			return err
		})
		if err != nil {
			return err
		}
	}
	for _, iv := range busy {
		if iv.End.After(start) && iv.Start.Before(end) {
			fmt.Fprintf(c.stdout, "%s\t%s\n", iv.Start.UTC().Format("20060102T150405Z"), iv.End.UTC().Format("20060102T150405Z"))
		}
	}
	return nil
}

// zone loads --tz, or returns def when it is empty.
func zone(tz string, def *time.Location) (*time.Location, error) {
	if tz == "" {
		return def, nil
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, usagef("--tz %q: %v", tz, err)
	}
	return loc, nil
}

// parseWindow parses --from and --to as [from, to) with parseBound; an
// empty --from is defaultStart and an empty --to a week after the start.
func parseWindow(from, to string, loc *time.Location, defaultStart time.Time) (start, end time.Time, err error) {
	start = defaultStart
	if from != "" {
		if start, err = parseBound(from, loc); err != nil {
			return start, end, err
		}
	}
	end = start.AddDate(0, 0, 7)
	if to != "" {
		if end, err = parseBound(to, loc); err != nil {
			return start, end, err
		}
	}
	if !end.After(start) {
		return start, end, usagef("--to must be after --from")
	}
	return start, end, nil
}

// parseBound parses an expansion bound exactly as the reference expanders
// take it: "2024-01-01T00:00Z", RFC 3339, a local time or a date (midnight).
func parseBound(s string, loc *time.Location) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04Z07:00", time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, usagef("bad time %q: want e.g. 2024-01-01T00:00Z, RFC 3339 or YYYY-MM-DD", s)
}

// readFile reads a calendar file given on the command line within the one
// input-size limit of every calendar reader (ics.MaxInputBytes).
func readFile(path string) ([]byte, error) { return ics.ReadFile(path) }

// lowMemory asks the garbage collector to keep the heap of a one-shot file
// command near 32 MiB (a soft limit: it is exceeded rather than failing),
// which keeps expanding a 20,000-event calendar under 60 MB of RSS for a
// few per cent of speed. GOMEMLIMIT in the environment wins.
func lowMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(32 << 20)
	}
}
