package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	lull "github.com/lullapp/lull"
	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/localapi"
	"github.com/lullapp/lull/internal/store"
	"github.com/lullapp/lull/notify"
)

const usage = `Lull protects deep work: it plans focus blocks in your calendar's free
time, holds notifications while you focus and hands them over as digests.

Usage:
  lull                      open Lull (or show the running one)
  lull --hidden             start Lull in the tray only (what start at login runs)
  lull --start-fresh        keep a damaged lull.db aside and start with empty data
  lull status [--json]      focus state, next block, held notifications
  lull focus start [25m|50m|1h30m|until-next|open]
  lull focus stop | extend 15m
  lull notify --source S --title T [--body B] [--priority low|normal|high|urgent] [--url U]
  lull digest now | list [--limit N] [--json]
  lull plan [--sync] [--dry-run] [--format text|tsv|json]
  lull plan accept ID... | accept --all | skip ID...
  lull calendar add file PATH | url URL | caldav URL --user U   [--name N]
  lull calendar list [--json] | remove ID | sync
  lull calendar expand FILE --from T --to T [--tz ZONE]
  lull calendar busy [FILE] [--from T --to T] [--tz ZONE]
  lull report [--week 2026-W47] [--format text|json|csv]
  lull export [--format csv|json] [--from DATE] [--to DATE]
  lull settings [show | set KEY VALUE]

Run "lull COMMAND --help" for a command's options. Data lives in
$LULL_HOME, else $XDG_DATA_HOME/lull, else ~/.local/share/lull.
`

// usageError is a bad command line: exit code 2.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// errHelp is returned after --help was printed.
var errHelp = errors.New("help shown")

// run is the whole command line; it returns the exit code.
func run(args []string, e env) int {
	dir, err := store.DataDir(e.getenv)
	if err != nil {
		fmt.Fprintf(e.stderr, "lull: %v\n", err)
		return exitFailure
	}
	c := &cli{env: e, dir: dir}
	if len(args) == 0 {
		return c.open()
	}
	if len(args) == 1 && args[0] == store.StartFreshFlag {
		return c.startFresh()
	}
	if len(args) == 1 && args[0] == "--hidden" {
		c.hidden = true
		return c.openHidden()
	}
	err = c.dispatch(args)
	switch {
	case err == nil, errors.Is(err, errHelp):
		return exitOK
	case errors.As(err, new(usageError)):
		fmt.Fprintf(e.stderr, "lull: %v\nRun \"lull --help\" for usage.\n", err)
		return exitUsage
	case isUsageLike(err):
		fmt.Fprintf(e.stderr, "lull: %v\n", err)
		return exitUsage
	default:
		fmt.Fprintf(e.stderr, "lull: %v\n", err)
		return exitFailure
	}
}

// isUsageLike reports errors that mean the user asked for something that
// cannot exist (a bad duration, week or date): exit code 2.
func isUsageLike(err error) bool {
	for _, target := range []error{focus.ErrBadDuration, focus.ErrBadWeek, focus.ErrFutureWeek,
		focus.ErrBadDate, service.ErrBadFormat, calendar.ErrUnknownFormat, service.ErrBadSettings,
		calendar.ErrBadSettings} {
		if errors.Is(err, target) {
			return true
		}
	}
	var se *localapi.StatusError
	return errors.As(err, &se) && se.Code == 400
}

type cli struct {
	env
	dir string
}

func (c *cli) dispatch(args []string) error {
	switch args[0] {
	case "-h", "--help", "-help", "help":
		fmt.Fprint(c.stdout, usage)
		return errHelp
	case "--version", "version":
		fmt.Fprintf(c.stdout, "lull %s\n", lull.Version())
		return nil
	case "status":
		return c.status(args[1:])
	case "focus":
		return c.focus(args[1:])
	case "notify":
		return c.notify(args[1:])
	case "digest":
		return c.digest(args[1:])
	case "plan":
		return c.plan(args[1:])
	case "calendar":
		return c.calendar(args[1:])
	case "report":
		return c.report(args[1:])
	case "export":
		return c.export(args[1:])
	case "settings":
		return c.settings(args[1:])
	}
	return usagef("unknown command %q", args[0])
}

// flags makes a flag set whose errors and --help go where they should.
func (c *cli) flags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(c.stdout, "Usage: lull %s\n", synopsis)
		fs.SetOutput(c.stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parse parses args, turning flag errors into usage errors and --help into
// errHelp. Flags may come before or after positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.Usage()
				return nil, errHelp
			}
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// client dials the running instance; nil when none runs. When the
// discovery file is stale and another program has its port, it says so
// on stderr (that program was sent nothing).
func (c *cli) client() (*localapi.Client, error) {
	cl, err := localapi.Dial(c.dir)
	if errors.Is(err, localapi.ErrNotRunning) {
		if nl := (*localapi.NotLullError)(nil); errors.As(err, &nl) {
			fmt.Fprintf(c.stderr, "lull: %v\n", nl)
		}
		return nil, nil
	}
	return cl, err
}

// needRunning dials the running instance or explains that one is needed.
func (c *cli) needRunning(what string) (*localapi.Client, error) {
	cl, err := localapi.Dial(c.dir)
	if errors.Is(err, localapi.ErrNotRunning) {
		why := "Lull is not running"
		if nl := (*localapi.NotLullError)(nil); errors.As(err, &nl) {
			why = nl.Error()
		}
		return nil, fmt.Errorf("%s, and %s needs it: start it with \"lull\"", why, what)
	}
	return cl, err
}

// data opens the data directly (no instance runs).
func (c *cli) data() (*service.Data, error) {
	clk, err := testClock(c.getenv)
	if err != nil {
		return nil, err
	}
	d, err := service.OpenData(service.DataOptions{Dir: c.dir, LockTimeout: 2 * time.Second, Clock: clk})
	if errors.Is(err, store.ErrLocked) {
		return nil, fmt.Errorf("%w; it did not answer on the local API (is it starting or shutting down?), try again in a moment", err)
	}
	if err == nil {
		for _, p := range d.Problems() {
			fmt.Fprintf(c.stderr, "lull: %v\n", p)
		}
	}
	return d, err
}

// withData runs f on the running instance's client, or on the data.
func (c *cli) either(remote func(*localapi.Client) error, local func(*service.Data) error) error {
	cl, err := c.client()
	if err != nil {
		return err
	}
	if cl != nil {
		return remote(cl)
	}
	d, err := c.data()
	if err != nil {
		return err
	}
	defer d.Close()
	return local(d)
}

func (c *cli) printJSON(v any) error {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// ---- status

func (c *cli) status(args []string) error {
	fs := c.flags("status", "status [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("status takes no arguments")
	}
	var st service.Status
	err = c.either(func(cl *localapi.Client) error {
		return cl.Do("GET", "/v1/status", nil, &st)
	}, func(d *service.Data) error {
		st = d.OfflineStatus(lull.Version())
		return nil
	})
	if err != nil {
		return err
	}
	if *asJSON {
		return c.printJSON(st)
	}
	c.printStatus(st)
	return nil
}

func (c *cli) printStatus(st service.Status) {
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	if st.Running {
		fmt.Fprintf(tw, "Lull %s is running (pid %d)\n", st.Version, st.PID)
	} else {
		fmt.Fprintln(tw, "Lull is not running")
	}
	fmt.Fprintf(tw, "Focus:\t%s\n", st.StatusLine)
	if st.NextBlock != nil {
		fmt.Fprintf(tw, "Next block:\t%s–%s\n", st.NextBlock.Start.Local().Format("Mon 02 Jan 15:04"), st.NextBlock.End.Local().Format("15:04"))
	} else {
		fmt.Fprintf(tw, "Next block:\tnone accepted\n")
	}
	fmt.Fprintf(tw, "Held:\t%d notification(s)\n", st.Held)
	if !st.NextDigest.IsZero() {
		fmt.Fprintf(tw, "Next digest:\t%s\n", st.NextDigest.Local().Format("Mon 15:04"))
	}
	fmt.Fprintf(tw, "This week:\t%s of %s goal\n", hours(st.WeekFocus), hours(st.WeeklyGoal))
	fmt.Fprintf(tw, "Data:\t%s\n", st.DataDir)
	if st.Running {
		// Offline, the problems went to stderr when the data was opened.
		for _, p := range st.Problems {
			fmt.Fprintf(tw, "Problem:\t%s\n", p)
		}
	}
	tw.Flush()
}

func hours(d time.Duration) string {
	return fmt.Sprintf("%.1f h", d.Hours())
}

// ---- focus

func (c *cli) focus(args []string) error {
	if len(args) == 0 {
		return usagef("focus needs start, stop or extend")
	}
	switch args[0] {
	case "-h", "--help":
		fmt.Fprintln(c.stdout, "Usage: lull focus start [25m|50m|90m|1h30m|until-next|open] | stop | extend 15m")
		return errHelp
	case "start":
		fs := c.flags("focus start", "focus start [25m|50m|90m|1h30m|until-next|open]  (default 50m)")
		pos, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if len(pos) > 1 {
			return usagef("focus start takes one length")
		}
		spec := "50m"
		if len(pos) == 1 {
			spec = pos[0]
		}
		if _, err := focus.ParseStart(spec); err != nil {
			return err
		}
		cl, err := c.needRunning("starting focus")
		if err != nil {
			return err
		}
		if err := cl.Do("POST", "/v1/focus/start", map[string]string{"spec": spec}, nil); err != nil {
			return err
		}
		return c.printStatusLine(cl)
	case "stop":
		fs := c.flags("focus stop", "focus stop")
		if _, err := parse(fs, args[1:]); err != nil {
			return err
		}
		cl, err := c.needRunning("stopping focus")
		if err != nil {
			return err
		}
		var s focus.Session
		if err := cl.Do("POST", "/v1/focus/stop", nil, &s); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "Focus stopped after %s\n", s.Duration().Round(time.Minute))
		return nil
	case "extend":
		fs := c.flags("focus extend", "focus extend DURATION (e.g. 15m)")
		pos, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return usagef("focus extend needs one duration, e.g. 15m")
		}
		if _, err := focus.ParseDuration(pos[0]); err != nil {
			return err
		}
		cl, err := c.needRunning("extending focus")
		if err != nil {
			return err
		}
		if err := cl.Do("POST", "/v1/focus/extend", map[string]string{"duration": pos[0]}, nil); err != nil {
			return err
		}
		return c.printStatusLine(cl)
	}
	return usagef("unknown focus command %q (want start, stop or extend)", args[0])
}

// printStatusLine prints the running instance's status line, computed on
// its clock.
func (c *cli) printStatusLine(cl *localapi.Client) error {
	var st service.Status
	if err := cl.Do("GET", "/v1/status", nil, &st); err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, st.StatusLine)
	return nil
}

// ---- notify and digests

func (c *cli) notify(args []string) error {
	fs := c.flags("notify", "notify --source S --title T [--body B] [--priority low|normal|high|urgent] [--url U]")
	source := fs.String("source", "cli", "who sends it (groups the digest)")
	title := fs.String("title", "", "title (required)")
	body := fs.String("body", "", "body text")
	priority := fs.String("priority", "normal", "low, normal, high or urgent (urgent may break through focus)")
	link := fs.String("url", "", "a link to open")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("notify takes only flags")
	}
	if *title == "" {
		return usagef("notify needs --title")
	}
	switch notify.Priority(*priority) {
	case notify.PriorityLow, notify.PriorityNormal, notify.PriorityHigh, notify.PriorityUrgent:
	default:
		return usagef("--priority %q: want low, normal, high or urgent", *priority)
	}
	cl, err := c.needRunning("notify")
	if err != nil {
		return err
	}
	var res notify.Result
	req := map[string]string{"source": *source, "title": *title, "body": *body, "priority": *priority, "url": *link}
	if err := cl.DoHeader("POST", "/v1/notifications", map[string]string{notify.OriginHeader: "cli"}, req, &res); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%s %s (%s)\n", res.ID, res.Decision, res.Reason)
	return nil
}

func (c *cli) digest(args []string) error {
	if len(args) == 0 {
		return usagef("digest needs now or list")
	}
	switch args[0] {
	case "-h", "--help":
		fmt.Fprintln(c.stdout, "Usage: lull digest now | list [--limit N] [--json]")
		return errHelp
	case "now":
		fs := c.flags("digest now", "digest now")
		if _, err := parse(fs, args[1:]); err != nil {
			return err
		}
		cl, err := c.needRunning("delivering a digest")
		if err != nil {
			return err
		}
		var out struct {
			Delivered bool           `json:"delivered"`
			Digest    *notify.Digest `json:"digest"`
			Warning   string         `json:"warning"`
		}
		if err := cl.Do("POST", "/v1/digests/now", nil, &out); err != nil {
			return err
		}
		if out.Warning != "" {
			fmt.Fprintf(c.stderr, "lull: %s\n", out.Warning)
		}
		if !out.Delivered || out.Digest == nil {
			fmt.Fprintln(c.stdout, "Nothing held: no digest sent.")
			return nil
		}
		fmt.Fprintf(c.stdout, "Delivered: %s — %s\n", out.Digest.Message().Title, out.Digest.Message().Body)
		return nil
	case "list":
		fs := c.flags("digest list", "digest list [--limit N] [--json]")
		limit := fs.Int("limit", 10, "how many digests, newest first")
		asJSON := fs.Bool("json", false, "print JSON")
		if _, err := parse(fs, args[1:]); err != nil {
			return err
		}
		var digests []notify.Digest
		err := c.either(func(cl *localapi.Client) error {
			var out struct {
				Digests []notify.Digest `json:"digests"`
			}
			err := cl.Do("GET", fmt.Sprintf("/v1/digests?limit=%d", *limit), nil, &out)
			digests = out.Digests
			return err
		}, func(d *service.Data) error {
			var err error
			digests, err = d.Queue.ListDigests(time.Unix(0, 0), d.Clock.Now().Add(time.Second), *limit)
			return err
		})
		if err != nil {
			return err
		}
		if *asJSON {
			return c.printJSON(digests)
		}
		if len(digests) == 0 {
			fmt.Fprintln(c.stdout, "No digests yet.")
		}
		for _, dg := range digests {
			fmt.Fprintf(c.stdout, "%s  %s (%s)\n", dg.At.Local().Format("Mon 02 Jan 15:04"), dg.Message().Title, dg.Reason)
			for _, g := range dg.Groups() {
				fmt.Fprintf(c.stdout, "  %s (%d)\n", g.Source, g.Count)
				for _, it := range g.Items {
					mark := " "
					if it.Read {
						mark = "✓"
					}
					count := ""
					if it.Count > 1 {
						count = fmt.Sprintf(" ×%d", it.Count)
					}
					fmt.Fprintf(c.stdout, "   %s %s  %s%s\n", mark, it.ReceivedAt.Local().Format("15:04"), it.Title, count)
				}
			}
		}
		return nil
	}
	return usagef("unknown digest command %q (want now or list)", args[0])
}

// ---- plan

func (c *cli) plan(args []string) error {
	if len(args) > 0 && (args[0] == "accept" || args[0] == "skip") {
		return c.planAction(args[0], args[1:])
	}
	fs := c.flags("plan", "plan [--sync] [--dry-run] [--days N] [--from DATE --ics FILE...] [--export FILE.ics] [--format text|tsv|json]\n       lull plan accept ID...|--all | plan skip ID...")
	sync := fs.Bool("sync", false, "re-read the calendars first")
	dry := fs.Bool("dry-run", false, "show what re-planning would do without storing it")
	format := fs.String("format", "text", "text, tsv or json")
	days := fs.Int("days", 0, "planning horizon in days (default: the setting, 14)")
	from := fs.String("from", "", "plan as if it were this day (YYYY-MM-DD; only with --ics)")
	export := fs.String("export", "", "also write the accepted blocks to this .ics file")
	var ics multiFlag
	fs.Var(&ics, "ics", "plan over this calendar file alone, storing nothing (repeatable)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unknown plan command %q (want accept or skip)", pos[0])
	}
	switch *format {
	case calendar.FormatText, calendar.FormatTSV, calendar.FormatJSON:
	default:
		return usagef("--format %q: want text, tsv or json", *format)
	}
	if *days < 0 || *days > 366 {
		return usagef("--days %d: want 1 to 366", *days)
	}
	if *from != "" && len(ics) == 0 {
		return usagef("--from plans a preview and needs --ics FILE")
	}
	if len(ics) > 0 {
		return c.planFiles(ics, *from, *days, *format)
	}
	var res service.PlanResult
	err = c.either(func(cl *localapi.Client) error {
		if err := cl.Do("POST", "/v1/plan", map[string]any{"dry_run": *dry, "sync": *sync, "days": *days}, &res); err != nil {
			return err
		}
		if *export != "" {
			var blocks []calendar.Block
			if err := cl.Do("GET", "/v1/plan/accepted", nil, &blocks); err != nil {
				return err
			}
			return calendar.ExportBlocksICS(*export, blocks, time.Now())
		}
		return nil
	}, func(d *service.Data) error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if *sync && !*dry {
			rep, err := d.SyncCalendars(ctx)
			if err != nil {
				return err
			}
			c.reportSync(c.stderr, rep) // stdout is the plan, in its format
		}
		var err error
		if res, err = d.ReplanWith(*dry, *days); err != nil {
			return err
		}
		if !*dry {
			if _, err := d.Publish(ctx); err != nil {
				fmt.Fprintf(c.stderr, "lull: %v\n", err)
			}
		}
		if *export != "" {
			blocks, err := d.AcceptedBlocks()
			if err != nil {
				return err
			}
			return calendar.ExportBlocksICS(*export, blocks, d.Clock.Now())
		}
		return nil
	})
	if err != nil {
		return err
	}
	if *dry && *format == calendar.FormatText {
		fmt.Fprintf(c.stdout, "Dry run: %d new, %d moved, %d removed, %d kept\n", res.Added, res.Moved, res.Removed, res.Kept)
	}
	if *export != "" {
		fmt.Fprintf(c.stderr, "Accepted blocks written to %s\n", *export)
	}
	return calendar.WritePlan(c.stdout, res.Blocks, *format, time.Local)
}

// planFiles is `lull plan --ics FILE...`: a preview over files alone.
func (c *cli) planFiles(paths []string, from string, days int, format string) error {
	var st service.Settings
	err := c.either(func(cl *localapi.Client) error {
		return cl.Do("GET", "/v1/settings", nil, &st)
	}, func(d *service.Data) error {
		st = d.Settings()
		return nil
	})
	if err != nil {
		return err
	}
	loc := st.Location()
	now := time.Now()
	if clk, _ := testClock(c.getenv); clk != nil {
		now = clk.Now()
	}
	if from != "" {
		day, err := focus.ParseDay(from, loc)
		if err != nil {
			return err
		}
		now = day
	}
	blocks, problems, err := service.PlanFiles(paths, st, now, days, readFile)
	for _, p := range problems {
		fmt.Fprintf(c.stderr, "lull: skipped: %v\n", p)
	}
	if err != nil {
		return err
	}
	return calendar.WritePlan(c.stdout, blocks, format, loc)
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func (c *cli) planAction(action string, args []string) error {
	fs := c.flags("plan "+action, "plan "+action+" ID... (or --all for accept)")
	all := fs.Bool("all", false, "accept every proposed block")
	ids, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *all && action != "accept" {
		return usagef("--all only goes with accept")
	}
	if !*all && len(ids) == 0 {
		return usagef("plan %s needs block ids (see \"lull plan\")", action)
	}
	return c.either(func(cl *localapi.Client) error {
		if *all {
			var out map[string]int
			if err := cl.Do("POST", "/v1/plan/accept-all", nil, &out); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "Accepted %d block(s)\n", out["accepted"])
			return nil
		}
		for _, id := range ids {
			var b calendar.Block
			if err := cl.Do("POST", "/v1/blocks/"+url.PathEscape(id)+"/"+action, nil, &b); err != nil {
				return fmt.Errorf("block %s: %w", id, err)
			}
			fmt.Fprintf(c.stdout, "%s %s\n", b.ID, b.State)
		}
		return nil
	}, func(d *service.Data) error {
		if *all {
			n, err := d.AcceptAll()
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "Accepted %d block(s)\n", n)
		}
		for _, id := range ids {
			var b calendar.Block
			var err error
			if action == "accept" {
				b, err = d.Blocks.Accept(id)
			} else {
				b, err = d.Blocks.Skip(id)
			}
			if err != nil {
				return fmt.Errorf("block %s: %w", id, err)
			}
			fmt.Fprintf(c.stdout, "%s %s\n", b.ID, b.State)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, err := d.Publish(ctx)
		return err
	})
}

// ---- report and export

func (c *cli) report(args []string) error {
	fs := c.flags("report", "report [--week 2026-W47] [--format text|json|csv]")
	week := fs.String("week", "", "ISO week, e.g. 2026-W47 (default: this week)")
	format := fs.String("format", "text", "text, json or csv")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("report takes only flags")
	}
	return c.either(func(cl *localapi.Client) error {
		return cl.DoRaw("GET", "/v1/report?"+url.Values{"week": {*week}, "format": {*format}}.Encode(), c.stdout)
	}, func(d *service.Data) error {
		return service.WriteReport(c.stdout, d, *week, *format)
	})
}

func (c *cli) export(args []string) error {
	fs := c.flags("export", "export [--format csv|json] [--from YYYY-MM-DD] [--to YYYY-MM-DD]")
	format := fs.String("format", "csv", "csv or json")
	from := fs.String("from", "", "first day (default: the first session)")
	to := fs.String("to", "", "last day, included (default: today)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("export takes only flags")
	}
	return c.either(func(cl *localapi.Client) error {
		return cl.DoRaw("GET", "/v1/export?"+url.Values{"from": {*from}, "to": {*to}, "format": {*format}}.Encode(), c.stdout)
	}, func(d *service.Data) error {
		return service.WriteExport(c.stdout, d, *from, *to, *format)
	})
}

// ---- settings

// settingKeys are what `lull settings set` changes.
var settingKeys = map[string]string{
	"goal":           "weekly focus goal, e.g. 10h",
	"digest-times":   "comma-separated HH:MM, e.g. 09:00,12:30,16:30",
	"vip":            "comma-separated sources/apps that always break through",
	"keywords":       "comma-separated keywords that break through",
	"user-addresses": "comma-separated addresses of yours (declined meetings are free)",
	"export-ics":     "file the accepted blocks are written to (empty: none)",
	"publish":        "CalDAV calendar id the accepted blocks are written to (empty: none)",
	"dnd":            "do-not-disturb adapter: auto, off, " + strings.Join(notify.DNDNames, ", "),
	"capture":        "capture desktop notifications: true or false",
	"zone":           "IANA time zone, e.g. Europe/Berlin (empty: the system's)",
	"batch-desktop":  "hold desktop notifications all day, not only in focus: true or false",
	"onboarded":      "first-run onboarding done (false shows it again): true or false",
}

func (c *cli) settings(args []string) error {
	if len(args) == 0 || args[0] == "show" {
		return c.either(func(cl *localapi.Client) error {
			var st service.Settings
			if err := cl.Do("GET", "/v1/settings", nil, &st); err != nil {
				return err
			}
			return c.printJSON(st)
		}, func(d *service.Data) error { return c.printJSON(d.Settings()) })
	}
	if args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(c.stdout, "Usage: lull settings [show | set KEY VALUE]\nKeys:")
		keys := make([]string, 0, len(settingKeys))
		for k := range settingKeys {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(c.stdout, "  %-15s %s\n", k, settingKeys[k])
		}
		return errHelp
	}
	if args[0] != "set" || len(args) != 3 {
		return usagef("settings: want show or set KEY VALUE")
	}
	key, value := args[1], args[2]
	if _, ok := settingKeys[key]; !ok {
		return usagef("settings: unknown key %q (see lull settings --help)", key)
	}
	change := func(st *service.Settings) error { return applySetting(st, key, value) }
	return c.either(func(cl *localapi.Client) error {
		var st service.Settings
		if err := cl.Do("GET", "/v1/settings", nil, &st); err != nil {
			return err
		}
		if err := change(&st); err != nil {
			return err
		}
		return cl.Do("PUT", "/v1/settings", st, &st)
	}, func(d *service.Data) error {
		st := d.Settings()
		if err := change(&st); err != nil {
			return err
		}
		return d.SaveSettings(st)
	})
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func applySetting(st *service.Settings, key, value string) error {
	bad := func(err error) error { return fmt.Errorf("%w: %s: %v", service.ErrBadSettings, key, err) }
	switch key {
	case "goal":
		d, err := time.ParseDuration(value)
		if err != nil {
			return bad(err)
		}
		st.Plan.WeeklyGoal = d
	case "digest-times":
		st.DigestTimes = splitList(value)
	case "vip":
		st.VIP = splitList(value)
	case "keywords":
		st.Keywords = splitList(value)
	case "user-addresses":
		st.UserAddresses = splitList(value)
	case "export-ics":
		st.ExportICS = value
	case "publish":
		st.PublishCalDAV = value
	case "dnd":
		st.DND = value
	case "zone":
		st.Plan.Zone = value
	case "capture", "batch-desktop", "onboarded":
		b, err := parseBool(value)
		if err != nil {
			return bad(err)
		}
		switch key {
		case "capture":
			st.Capture = b
		case "batch-desktop":
			st.BatchDesktopAllDay = b
		default:
			st.Onboarded = b
		}
	}
	return st.Validate()
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "true", "yes", "on", "1":
		return true, nil
	case "false", "no", "off", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q: want true or false", v)
}

// readSecret reads a secret from stdin: the first line when stdin is not a
// terminal, else a prompt without echo. Secrets never come from argv.
func (c *cli) readSecret(prompt string) (string, error) {
	if f, ok := c.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(c.stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(c.stderr)
		return string(b), err
	}
	line, err := bufio.NewReader(c.stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}
