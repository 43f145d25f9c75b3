package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/calendar/ics"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/human"
	"github.com/lullapp/lull/internal/settings"
)

const calendarUsage = `Usage: lull calendar add file PATH [--name N] [--all-day-free]
       lull calendar add url [--name N] [--all-day-free]
                                  (the address from stdin, or typed when asked)
       lull calendar add caldav URL --user U [--calendar PATH] [--publish] [--sync] [--name N] [--all-day-free]
                                  (the password from stdin, or typed when asked)
       lull calendar list [--json]
       lull calendar set ID all-day-free on|off
       lull calendar set ID sync on|off
       lull calendar remove ID
       lull calendar sync
       lull calendar expand FILE --from T --to T [--tz ZONE]
       lull calendar busy [FILE] [--from T] [--to T] [--tz ZONE]

add      connect a calendar: a file, a subscription URL or a CalDAV account.
         Secrets never go on the command line, where other programs can read
         them: the subscription address and the CalDAV password are read from
         stdin (or typed when asked) and kept in the OS keyring
list     the calendars with their IDs
set      all-day-free on: this calendar's all-day events that say nothing
         about being busy count as free (for calendars that never mark them);
         sync on (one CalDAV calendar): share the focus log and focus state
         with your other devices through this calendar (see "lull sync --help")
remove   disconnect a calendar by ID
sync     read every calendar again
expand   every occurrence of FILE's events in the window, one per line (UTC)
busy     your busy time in the window (default: the week from today)

T is a date (2026-11-30: the whole day, so --to includes it), a time in your
zone (2026-11-30T14:00) or a time with its offset (2026-11-30T14:00+01:00).
`

func (c *cli) calendar(args []string) error {
	if len(args) == 0 {
		return usagef("calendar needs add, list, set, remove, sync, expand or busy (see \"lull calendar --help\")")
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(c.stdout, calendarUsage)
		return errHelp
	case "add":
		return c.calendarAdd(args[1:])
	case "list":
		return c.calendarList(args[1:])
	case "set":
		return c.calendarSet(args[1:])
	case "remove", "rm":
		fs := c.flags("calendar remove", "Disconnects a calendar by its ID (see \"lull calendar list\"); its busy time no longer counts.", "calendar remove ID")
		ids, err := fs.parse(args[1:])
		if err != nil {
			return err
		}
		if len(ids) != 1 {
			return usagef("calendar remove needs one ID (the ID column of \"lull calendar list\")")
		}
		err = c.withBackend(func(ctx context.Context, b backend) error { return b.RemoveCalendar(ctx, ids[0]) })
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "Removed %s\n", ids[0])
		return nil
	case "sync":
		fs := c.flags("calendar sync", "Reads every calendar again and re-plans.", "calendar sync")
		if err := noArgs(fs, args[1:]); err != nil {
			return err
		}
		var rep api.SyncReport
		err := c.withBackend(func(ctx context.Context, b backend) (err error) {
			rep, err = b.SyncCalendars(ctx)
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
	return usagef("unknown calendar command %q (see \"lull calendar --help\")", args[0])
}

func (c *cli) reportSync(w io.Writer, rep api.SyncReport) {
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
		return usagef("calendar add needs file, url or caldav (see \"lull calendar --help\")")
	}
	kind := args[0]
	var fs *flagSet
	switch kind {
	case "-h", "--help", "help":
		fmt.Fprint(c.stdout, calendarUsage)
		return errHelp
	case "file":
		fs = c.flags("calendar add file", "Connects a calendar file (.ics); Lull reads it again whenever it changes.", "calendar add file PATH [--name N] [--all-day-free]")
	case "url":
		fs = c.flags("calendar add url", "Connects an ICS subscription URL. It is often secret, so it is read from stdin (or typed\nwhen asked), never taken as an argument; Lull keeps it in the OS keyring.", "calendar add url [--name N] [--all-day-free]")
	case "caldav":
		fs = c.flags("calendar add caldav", "Connects a CalDAV calendar; the password is read from stdin or prompted, and kept in the\nOS keyring.", "calendar add caldav URL --user U [--calendar PATH] [--publish] [--sync] [--name N] [--all-day-free]")
	default:
		return usagef("calendar add: unknown kind %q (want file, url or caldav)", kind)
	}
	name := fs.String("name", "", "the name Lull shows (`N`)")
	allDayFree := fs.Bool("all-day-free", false, "count this calendar's all-day events as free unless they are marked busy")
	var user, cal *string
	var publish, syncOn *bool
	if kind == "caldav" {
		user = fs.String("user", "", "the CalDAV user name, required (`U`)")
		cal = fs.String("calendar", "", "which calendar, by path or name, when the account has several (`PATH`)")
		publish = fs.Bool("publish", false, "write accepted focus blocks to this calendar")
		syncOn = fs.Bool("sync", false, "share the plan, focus log and focus state with your other devices through this calendar")
	}
	pos, err := fs.parse(args[1:])
	if err != nil {
		return err
	}
	req := api.AddCalendar{Name: *name, AllDayFree: *allDayFree}
	switch kind {
	case "file":
		if len(pos) != 1 {
			return usagef("calendar add file needs one PATH, e.g. lull calendar add file ~/work.ics")
		}
		abs, err := filepath.Abs(pos[0])
		if err != nil {
			return err
		}
		if _, err := os.Stat(abs); errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%w: %s", errNoSuchFile, abs)
		}
		req.Kind, req.Path = calendar.SourceFile, abs
	case "url":
		if len(pos) > 1 || len(pos) == 1 && pos[0] != "-" {
			// The argument is not echoed: it is the secret.
			return usagef("calendar add url: give the subscription address on stdin, not as an argument " +
				"(arguments are visible to other programs): run \"lull calendar add url\" and paste it, " +
				"or \"lull calendar add url < address.txt\"")
		}
		req.Kind = calendar.SourceURL
		if req.URL, err = c.readSecret("Subscription URL: "); err != nil {
			return err
		}
	case "caldav":
		if len(pos) == 1 && urlHasPassword(pos[0]) {
			return usagef("calendar add caldav: the address holds a password (user:password@…), and arguments " +
				"are visible to other programs: give the address without it and type the password when asked " +
				"(or on stdin), e.g. lull calendar add caldav https://dav.example.com/ --user me")
		}
		if len(pos) != 1 || *user == "" {
			return usagef("calendar add caldav needs URL and --user, e.g. lull calendar add caldav https://dav.example.com/ --user me")
		}
		req.Kind, req.URL, req.User, req.Calendar, req.Publish, req.Sync = calendar.SourceCalDAV, pos[0], *user, *cal, *publish, *syncOn
		if req.Password, err = c.readSecret(fmt.Sprintf("Password for %s: ", *user)); err != nil {
			return err
		}
	}
	var cfg calendar.SourceConfig
	err = c.withBackend(func(ctx context.Context, b backend) (err error) {
		cfg, err = b.AddCalendar(ctx, req)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Added %s %q as %s\n", cfg.Kind, cfg.Name, cfg.ID)
	return nil
}

// urlHasPassword reports whether raw is a URL carrying a password in its
// user info; such a URL must not be an argument.
func urlHasPassword(raw string) bool {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		// Unparsable: look for the user:password@ form by hand.
		at := strings.LastIndex(raw, "@")
		scheme := strings.Index(raw, "://")
		return at > 0 && scheme >= 0 && strings.Contains(raw[scheme+3:at], ":")
	}
	_, ok := u.User.Password()
	return ok
}

func (c *cli) calendarList(args []string) error {
	fs := c.flags("calendar list", "Lists the connected calendars with their IDs and how their last read went.", "calendar list [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := noArgs(fs, args); err != nil {
		return err
	}
	var list []calendar.SourceInfo
	err := c.withBackend(func(ctx context.Context, b backend) (err error) {
		list, err = b.Calendars(ctx)
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
			where = s.Config.User + " @ " + calendar.RedactURL(s.Config.ServerURL)
			if u, err := url.Parse(s.Config.ServerURL); err == nil {
				where = s.Config.User + " @ " + u.Scheme + "://" + u.Host + s.Config.CalendarPath
			}
		}
		allDay := "busy"
		if s.Config.AllDayFree {
			allDay = "free"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Config.ID, s.Config.Kind, s.Config.Name, where, allDay, s.Summary)
	}
	return tw.Flush()
}

// calendarSet is `lull calendar set ID all-day-free|sync on|off`.
func (c *cli) calendarSet(args []string) error {
	fs := c.flags("calendar set", "Changes how Lull reads one calendar: with all-day-free on, its all-day events that say\nnothing about being busy count as free (for calendars that never mark them); with sync on\n(one CalDAV calendar at a time), the focus log and focus state are shared with your other devices through it.",
		"calendar set ID all-day-free|sync on|off")
	pos, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 3 || pos[1] != "all-day-free" && pos[1] != "sync" {
		return usagef("calendar set needs ID all-day-free on|off or ID sync on|off (see \"lull calendar list\" for the ID)")
	}
	on, err := settings.ParseSwitch(pos[2])
	if err != nil {
		return usagef("calendar set %s %s %q: want on or off", pos[0], pos[1], pos[2])
	}
	var ch api.CalendarChange
	if pos[1] == "sync" {
		ch.Sync = &on
	} else {
		ch.AllDayFree = &on
	}
	var cfg calendar.SourceConfig
	err = c.withBackend(func(ctx context.Context, b backend) (err error) {
		cfg, err = b.ChangeCalendar(ctx, pos[0], ch)
		return err
	})
	if err != nil {
		return err
	}
	switch {
	case ch.Sync != nil && cfg.Sync:
		fmt.Fprintf(c.stdout, "%s: sync with your other devices is on\n", cfg.Name)
	case ch.Sync != nil:
		fmt.Fprintf(c.stdout, "%s: sync with your other devices is off\n", cfg.Name)
	case cfg.AllDayFree:
		fmt.Fprintf(c.stdout, "%s: all-day events are free unless marked busy\n", cfg.Name)
	default:
		fmt.Fprintf(c.stdout, "%s: all-day events are busy unless marked free\n", cfg.Name)
	}
	return nil
}

func (c *cli) calendarExpand(args []string) error {
	fs := c.flags("calendar expand", "Prints every occurrence of FILE's events in the window, one per line: start, end and\nsummary, in UTC (the reference expanders' format). A date as --to includes that day.",
		"calendar expand FILE --from T --to T [--tz ZONE]")
	from := fs.String("from", "", "window start, e.g. 2026-01-01 or 2026-01-01T00:00+00:00 (`T`)")
	to := fs.String("to", "", "window end, e.g. 2026-12-31 or 2027-01-01T00:00+00:00 (`T`)")
	tz := fs.String("tz", "", "zone for floating times, all-day dates and T without a zone (default UTC) (`ZONE`)")
	pos, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *from == "" || *to == "" {
		return usagef("calendar expand needs FILE, --from and --to, e.g. lull calendar expand work.ics --from 2026-01-01 --to 2026-12-31")
	}
	loc, err := zone(*tz, time.UTC)
	if err != nil {
		return err
	}
	start, end, err := human.ParseRange(*from, *to, loc)
	if err != nil {
		return err
	}
	if _, err := os.Stat(pos[0]); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: %s", errNoSuchFile, pos[0])
	}
	lowMemory()
	problems, err := ics.ExpandFile(pos[0], start, end, loc, c.stdout)
	for _, p := range problems {
		fmt.Fprintf(c.stderr, "lull: %s: skipped: %v\n", pos[0], p)
	}
	return err
}

func (c *cli) calendarBusy(args []string) error {
	fs := c.flags("calendar busy", "Prints your busy time in the window, one interval per line in your zone: from your\ncalendars as last read, or from FILE alone. A date as --to includes that day.",
		"calendar busy [FILE] [--from T] [--to T] [--tz ZONE] [--format text|tsv]")
	from := fs.String("from", "", "window start (default: today) (`T`)")
	to := fs.String("to", "", "window end (default: a week after the start) (`T`)")
	tz := fs.String("tz", "", "your zone (default: the computer's) (`ZONE`)")
	format := fs.String("format", "text", "text, or tsv: start and end as UTC stamps, for scripts (`FORMAT`)")
	pos, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usagef("calendar busy takes at most one FILE")
	}
	if *format != "text" && *format != "tsv" {
		return usagef("--format %q: want text or tsv", *format)
	}
	loc, err := zone(*tz, time.Local)
	if err != nil {
		return err
	}
	start, end, err := human.ParseRange(*from, *to, loc)
	if err != nil {
		return err
	}
	if start.IsZero() {
		y, m, d := time.Now().In(loc).Date()
		start = time.Date(y, m, d, 0, 0, 0, 0, loc)
	}
	if end.IsZero() {
		end = start.AddDate(0, 0, 7)
	}
	if !end.After(start) {
		return usagef("--to %s is not after the start, %s", *to, human.When(start, loc))
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
		err = c.withBackend(func(ctx context.Context, b backend) (err error) {
			busy, err = b.Busy(ctx, api.Range{From: start.Format(time.RFC3339), To: end.Format(time.RFC3339)})
			return err
		})
		if err != nil {
			return err
		}
	}
	n := 0
	for _, iv := range busy {
		if !iv.End.After(start) || !iv.Start.Before(end) {
			continue
		}
		n++
		if *format == "tsv" {
			fmt.Fprintf(c.stdout, "%s\t%s\n", iv.Start.UTC().Format("20060102T150405Z"), iv.End.UTC().Format("20060102T150405Z"))
			continue
		}
		s, e := iv.Start.In(loc), iv.End.In(loc)
		until := e.Format("15:04")
		if y, m, d := e.Date(); y != s.Year() || m != s.Month() || d != s.Day() {
			until = e.Format("Mon 2 Jan 15:04")
		}
		fmt.Fprintf(c.stdout, "%s–%s\n", s.Format("Mon 2 Jan 2006 15:04"), until)
	}
	if n == 0 && *format == "text" {
		fmt.Fprintf(c.stdout, "Free from %s to %s.\n", human.When(start, loc), human.When(end, loc))
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
		return nil, usagef("--tz %q is not a time zone this computer knows; write e.g. Europe/Berlin", tz)
	}
	return loc, nil
}

// readFile reads a calendar file given on the command line within the one
// input-size limit of every calendar reader (ics.MaxInputBytes); a missing
// file is a usage error (exit 2).
func readFile(path string) ([]byte, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", errNoSuchFile, path)
	}
	return ics.ReadFile(path)
}

// lowMemory asks the garbage collector to keep the heap of a one-shot file
// command near 32 MiB (a soft limit: it is exceeded rather than failing),
// which keeps expanding a 20,000-event calendar under 60 MB of RSS for a
// few per cent of speed. GOMEMLIMIT in the environment wins.
func lowMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(32 << 20)
	}
}
