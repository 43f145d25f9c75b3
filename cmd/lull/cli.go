package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	lull "github.com/lullapp/lull"
	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/human"
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
  lull focus start [LENGTH | until-next | open]     LENGTH e.g. 25m, 1h30 or 90
  lull focus stop | resume | extend LENGTH
  lull notify --title T [--source S] [--body B] [--priority P] [--url U]
  lull digest now | list [--limit N] [--json]
  lull present on | off     hold all but urgent and VIP while you present
  lull plan [--sync] [--dry-run] [--days N] [--format text|tsv|json]
  lull plan accept ID... | accept --all | skip ID...
  lull calendar add file PATH | add url | add caldav URL --user U   [--name N]
                            (a subscription address and a password come on stdin)
  lull calendar list [--json] | remove ID | sync | set ID sync on|off
  lull calendar expand FILE --from T --to T [--tz ZONE]
  lull calendar busy [FILE] [--from T] [--to T] [--tz ZONE]
  lull report [--week 2026-W47] [--format text|json|csv]
  lull export [--format csv|json] [--from DATE] [--to DATE]
  lull settings [show [--json] | set KEY VALUE]
  lull coach [--week 2026-W49] [--json] | apply ID | dismiss ID
  lull hooks add EVENT --exec PATH [ARG...] | add EVENT --webhook   (the address on stdin)
  lull hooks list [--json] | remove ID | test ID
  lull sync [status] [--json]   share the focus log and focus with your other devices
  lull sync log-calendar [NAME | --new] [--json]   list or pick the focus log's calendar

Commands that need the running app (focus, notify, digest now) start it in
the tray when it is not running. Run "lull COMMAND --help" for a command's
options. Exit codes: 0 done, 1 Lull failed, 2 a wrong command, option,
value, file or ID. Data lives in $LULL_HOME, else $XDG_DATA_HOME/lull, else
~/.local/share/lull.
`

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
	if err == nil || errors.Is(err, errHelp) {
		return exitOK
	}
	fmt.Fprintf(e.stderr, "lull: %s\n", err)
	return exitCode(err)
}

type cli struct {
	env
	dir string
	// staleNoted is set once the user was told that api.json named a port
	// another program now has, so a command that dials twice says it once.
	staleNoted bool
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
	case "coach":
		return c.coach(args[1:])
	case "present":
		return c.present(args[1:])
	case "hooks":
		return c.hooks(args[1:])
	case "sync":
		return c.syncDevices(args[1:])
	}
	return usagef("unknown command %q (see \"lull --help\")", args[0])
}

func (c *cli) printJSON(v any) error {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// ---- status

func (c *cli) status(args []string) error {
	fs := c.flags("status", "Shows whether you are focusing, the next block, what is held and this week's focus.", "status [--json]")
	asJSON := fs.Bool("json", false, "print JSON (what GET /v1/status answers)")
	pos, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("status takes no arguments")
	}
	var st api.Status
	err = c.withBackend(func(ctx context.Context, b backend) (err error) {
		st, err = b.Status(ctx)
		return err
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

func (c *cli) printStatus(st api.Status) {
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	if st.Running {
		fmt.Fprintf(tw, "Lull %s is running (process %d)\n", st.Version, st.PID)
	} else {
		fmt.Fprintln(tw, "Lull is not running")
	}
	if st.Running {
		fmt.Fprintf(tw, "Focus:\t%s\n", st.StatusLine)
	} else {
		fmt.Fprintf(tw, "Focus:\tnot focusing\n")
	}
	if st.Running {
		printQuiet(tw, st.Quiet)
	}
	if r := st.Resumable; r != nil && !st.Focusing {
		fmt.Fprintf(tw, "Resume:\tthe block until %s can be resumed: lull focus resume\n", r.End.Local().Format("15:04"))
	}
	if st.NextBlock != nil {
		fmt.Fprintf(tw, "Next block:\t%s–%s\n", st.NextBlock.Start.Local().Format("Mon 2 Jan 15:04"), st.NextBlock.End.Local().Format("15:04"))
	} else {
		fmt.Fprintf(tw, "Next block:\tnone accepted (see lull plan)\n")
	}
	fmt.Fprintf(tw, "Held:\t%s\n", count(st.Held, "notification"))
	if !st.NextDigest.IsZero() {
		fmt.Fprintf(tw, "Next digest:\t%s\n", st.NextDigest.Local().Format("Mon 15:04"))
	}
	fmt.Fprintf(tw, "This week:\t%s of the %s goal\n", human.Duration(st.WeekFocus), human.Duration(st.WeeklyGoal))
	fmt.Fprintf(tw, "Data:\t%s\n", st.DataDir)
	if st.Running {
		// Offline, the problems went to stderr when the data was opened.
		for _, p := range st.Problems {
			fmt.Fprintf(tw, "Problem:\t%s\n", p)
		}
	}
	tw.Flush()
}

// count writes "1 notification", "3 notifications".
func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// ---- focus

const focusHelp = `Usage: lull focus start [LENGTH | until-next | open]
       lull focus stop
       lull focus resume
       lull focus extend LENGTH

start    focus now: for LENGTH (default 50 min), until your next meeting
         (at the latest the end of the working day), or open-ended
stop     stop focusing
resume   focus again for the rest of a block you stopped early
extend   move the end of the running session LENGTH later

LENGTH is minutes or a length with units: 25, 25m, 25 min, 1h30, 1.5h.
Lull is started in the tray first when it is not running.
`

func (c *cli) focus(args []string) error {
	if len(args) == 0 {
		return usagef("focus needs start, stop, resume or extend (see \"lull focus --help\")")
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(c.stdout, focusHelp)
		return errHelp
	case "start":
		fs := c.flags("focus start", "Focuses now for LENGTH (minutes, or e.g. 25m, 1h30; default 50 min), until your next\nmeeting (at the latest the end of the working day), or open-ended until you stop.",
			"focus start [LENGTH | until-next | open]")
		pos, err := fs.parse(args[1:])
		if err != nil {
			return err
		}
		if len(pos) > 1 {
			return usagef("focus start takes one length, e.g. 25m (got %q)", strings.Join(pos, " "))
		}
		spec := "50m"
		if len(pos) == 1 {
			spec = pos[0]
		}
		if _, err := focus.ParseStart(spec); err != nil {
			return err
		}
		cl, err := c.live()
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
		defer cancel()
		_, err = cl.StartFocus(ctx, spec)
		if errors.Is(err, focus.ErrAlreadyFocusing) {
			// Pressed twice (or two shortcuts raced): focus is on, as asked.
			msg := err.Error()
			if i := strings.Index(msg, "): "); i >= 0 {
				msg = msg[:i+1]
			}
			fmt.Fprintf(c.stderr, "lull: %s; left as it is.\n", msg)
			err = nil
		}
		if err != nil {
			return err
		}
		return c.printStatusLine(ctx, cl)
	case "stop":
		fs := c.flags("focus stop", "Stops focusing now.", "focus stop")
		if err := noArgs(fs, args[1:]); err != nil {
			return err
		}
		cl, err := c.live()
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
		defer cancel()
		s, err := cl.StopFocus(ctx)
		if errors.Is(err, focus.ErrNotFocusing) {
			fmt.Fprintln(c.stdout, "Not focusing: nothing to stop.")
			return nil
		}
		if err != nil {
			return err
		}
		after := human.Duration(s.Duration())
		if s.Duration() < time.Second {
			after = "less than a second"
		}
		fmt.Fprintf(c.stdout, "Focus stopped after %s.\n", after)
		return nil
	case "resume":
		fs := c.flags("focus resume", "Focuses again for the rest of the focus block you stopped early.", "focus resume")
		if err := noArgs(fs, args[1:]); err != nil {
			return err
		}
		cl, err := c.live()
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
		defer cancel()
		if _, err := cl.ResumeFocus(ctx); err != nil {
			return err
		}
		return c.printStatusLine(ctx, cl)
	case "extend":
		fs := c.flags("focus extend", "Moves the end of the running session LENGTH later (minutes, or e.g. 15m, 1h).", "focus extend LENGTH")
		pos, err := fs.parse(args[1:])
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return usagef("focus extend needs one length, e.g. lull focus extend 15m")
		}
		if _, err := focus.ParseDuration(pos[0]); err != nil {
			return err
		}
		cl, err := c.live()
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
		defer cancel()
		if _, err := cl.ExtendFocus(ctx, pos[0]); err != nil {
			return err
		}
		return c.printStatusLine(ctx, cl)
	}
	return usagef("unknown focus command %q (want start, stop, resume or extend)", args[0])
}

// noArgs parses a command that takes options only.
func noArgs(fs *flagSet, args []string) error {
	pos, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("lull %s takes no arguments (got %q)", fs.Name(), strings.Join(pos, " "))
	}
	return nil
}

// printStatusLine prints the running instance's status line, computed on
// its clock.
func (c *cli) printStatusLine(ctx context.Context, cl *api.Client) error {
	st, err := cl.Status(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, st.StatusLine)
	return nil
}

// ---- notify and digests

func (c *cli) notify(args []string) error {
	fs := c.flags("notify", "Sends a notification to Lull: held for the next digest, unless a breakthrough rule lets it\nthrough (urgent, VIP, keyword, the same sender three times in 15 minutes).",
		"notify --title T [--source S] [--body B] [--priority low|normal|high|urgent] [--url U]")
	source := fs.String("source", "cli", "who sends it; the digest groups by it (`S`)")
	title := fs.String("title", "", "what it is about, required (`T`)")
	body := fs.String("body", "", "more text (`B`)")
	priority := fs.String("priority", "normal", "low, normal, high or urgent; urgent breaks through focus (`P`)")
	link := fs.String("url", "", "a link to open (`U`)")
	pos, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("notify takes options only (got %q); quote a title with spaces: --title \"Build failed\"", strings.Join(pos, " "))
	}
	if strings.TrimSpace(*title) == "" {
		return usagef("notify needs --title, e.g. lull notify --title \"Build failed\"")
	}
	if !notify.Priority(*priority).Valid() {
		return usagef("--priority %q: want low, normal, high or urgent", *priority)
	}
	cl, err := c.live()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	results, err := cl.Notify(ctx, []api.Notification{{Source: *source, Title: *title, Body: *body, Priority: *priority, URL: *link}})
	if err != nil {
		return err
	}
	res := results[0]
	switch res.Decision {
	case notify.ActionBreakthrough:
		fmt.Fprintf(c.stdout, "Shown now: %s.\n", res.Reason)
	default:
		fmt.Fprintf(c.stdout, "Held for the next digest (%s).\n", res.Reason)
	}
	return nil
}

const digestHelp = `Usage: lull digest now
       lull digest list [--limit N] [--json]

now    hand over everything held as one digest now
list   the digests delivered, newest first, with their items
`

func (c *cli) digest(args []string) error {
	if len(args) == 0 {
		return usagef("digest needs now or list (see \"lull digest --help\")")
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(c.stdout, digestHelp)
		return errHelp
	case "now":
		fs := c.flags("digest now", "Hands over everything held as one digest now, even during focus.", "digest now")
		if err := noArgs(fs, args[1:]); err != nil {
			return err
		}
		cl, err := c.live()
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
		defer cancel()
		out, err := cl.DeliverDigest(ctx)
		if err != nil {
			return err
		}
		if out.Warning != "" {
			fmt.Fprintf(c.stderr, "lull: %s\n", out.Warning)
		}
		if !out.Delivered || out.Digest == nil {
			fmt.Fprintln(c.stdout, "Nothing held: no digest sent.")
			return nil
		}
		m := out.Digest.Message()
		fmt.Fprintf(c.stdout, "Delivered: %s — %s\n", m.Title, m.Body)
		return nil
	case "list":
		fs := c.flags("digest list", "Lists the digests delivered, newest first, with their items.", "digest list [--limit N] [--json]")
		limit := fs.Int("limit", 10, "how many digests, newest first (`N`)")
		asJSON := fs.Bool("json", false, "print JSON")
		if err := noArgs(fs, args[1:]); err != nil {
			return err
		}
		if *limit < 1 {
			return usagef("--limit %d: want 1 or more", *limit)
		}
		var digests []notify.Digest
		err := c.withBackend(func(ctx context.Context, b backend) (err error) {
			digests, err = b.Digests(ctx, *limit)
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
			fmt.Fprintf(c.stdout, "%s  %s (%s)\n", dg.At.Local().Format("Mon 2 Jan 15:04"), dg.Message().Title, digestReason(dg.Reason))
			for _, g := range dg.Groups() {
				fmt.Fprintf(c.stdout, "  %s (%d)\n", g.Source, g.Count)
				for _, it := range g.Items {
					mark := " "
					if it.Read {
						mark = "✓"
					}
					times := ""
					if it.Count > 1 {
						times = fmt.Sprintf(" ×%d", it.Count)
					}
					fmt.Fprintf(c.stdout, "   %s %s  %s%s\n", mark, it.ReceivedAt.Local().Format("15:04"), it.Title, times)
				}
			}
		}
		return nil
	}
	return usagef("unknown digest command %q (want now or list)", args[0])
}

// digestReason says why a digest came, in words.
func digestReason(r notify.DigestReason) string {
	switch r {
	case notify.DigestScheduled:
		return "scheduled"
	case notify.DigestFocusEnd:
		return "focus ended"
	case notify.DigestCatchUp:
		return "caught up after Lull was off"
	case notify.DigestManual:
		return "asked for"
	case notify.DigestQuietEnd:
		return "a meeting or presentation ended"
	}
	return string(r)
}

// ---- plan

func (c *cli) plan(args []string) error {
	if len(args) > 0 && (args[0] == "accept" || args[0] == "skip") {
		return c.planAction(args[0], args[1:])
	}
	fs := c.flags("plan", "Shows the focus blocks of the coming days, re-planned from the stored busy time (with\n--sync, from the calendars read again). Accept or skip blocks by the ID shown.",
		"plan [--sync] [--dry-run] [--days N] [--format text|tsv|json] [--export FILE.ics]",
		"plan --ics FILE... [--from DATE] [--days N] [--format text|tsv|json]",
		"plan accept ID... | accept --all | skip ID...")
	sync := fs.Bool("sync", false, "read the calendars again first")
	dry := fs.Bool("dry-run", false, "show what re-planning would change, storing nothing")
	format := fs.String("format", "text", "text, tsv or json (`FORMAT`)")
	days := fs.Int("days", 0, "days to plan, 1 to 366 (default: the horizon setting, 14) (`N`)")
	from := fs.String("from", "", "with --ics: plan as if it were this day, e.g. 2026-11-30 (`DATE`)")
	export := fs.String("export", "", "also write the accepted blocks to this calendar file (`FILE.ics`)")
	var ics multiFlag
	fs.Var(&ics, "ics", "plan over this calendar file alone, storing nothing; repeatable (`FILE`)")
	pos, err := fs.parse(args)
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
	if *export != "" {
		// A path relative to where the command runs, as the user means it.
		abs, err := filepath.Abs(*export)
		if err != nil {
			return err
		}
		*export = abs
	}
	if len(ics) > 0 {
		return c.planFiles(ics, *from, *days, *format)
	}
	var res api.PlanResult
	err = c.withBackend(func(ctx context.Context, b backend) (err error) {
		if res, err = b.Replan(ctx, api.PlanRequest{DryRun: *dry, Sync: *sync, Days: *days}); err != nil {
			return err
		}
		if *export != "" {
			blocks, err := b.Accepted(ctx)
			if err != nil {
				return err
			}
			return calendar.ExportBlocksICS(*export, blocks, c.now())
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
	if err := calendar.WritePlan(c.stdout, res.Blocks, res.Days, *format, time.Local); err != nil {
		return err
	}
	if *format == calendar.FormatText && !*dry && hasProposed(res.Blocks) {
		fmt.Fprintln(c.stdout, "Accept one with \"lull plan accept ID\", all with \"lull plan accept --all\".")
	}
	return nil
}

func hasProposed(bs []calendar.Block) bool {
	for _, b := range bs {
		if b.State == calendar.StateProposed {
			return true
		}
	}
	return false
}

// planFiles is `lull plan --ics FILE...`: a preview over files alone.
func (c *cli) planFiles(paths []string, from string, days int, format string) error {
	st, err := c.settingsNow()
	if err != nil {
		return err
	}
	loc := st.Location()
	now := c.now()
	if from != "" {
		day, err := human.ParseDay("from", "--from", from, loc)
		if err != nil {
			return err
		}
		now = day
	}
	blocks, notes, problems, err := service.PlanFiles(paths, st, now, days, readFile)
	for _, p := range problems {
		fmt.Fprintf(c.stderr, "lull: skipped: %v\n", p)
	}
	if err != nil {
		return err
	}
	return calendar.WritePlan(c.stdout, blocks, notes, format, loc)
}

// settingsNow returns the user's settings, from the running app or the
// data directory.
func (c *cli) settingsNow() (api.Settings, error) {
	var st api.Settings
	err := c.withBackend(func(ctx context.Context, b backend) (err error) {
		st, err = b.Settings(ctx)
		return err
	})
	return st, err
}

// now is the time: the test clock's in binaries built for the end-to-end
// scenario (-tags lulltest), else the computer's.
func (c *cli) now() time.Time {
	if clk, _ := testClock(c.getenv); clk != nil {
		return clk.Now()
	}
	return time.Now()
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func (c *cli) planAction(action string, args []string) error {
	about := map[string]string{
		"accept": "Accepts proposed blocks by ID (see \"lull plan\"), or all of them: they are written to your\ncalendar and start focus when they begin.",
		"skip":   "Skips blocks by ID (see \"lull plan\"): they are removed from the calendars they were written to.",
	}[action]
	synopsis := "plan skip ID..."
	if action == "accept" {
		synopsis = "plan accept ID... | plan accept --all"
	}
	fs := c.flags("plan "+action, about, synopsis)
	var all *bool
	if action == "accept" {
		all = fs.Bool("all", false, "accept every proposed block")
	}
	ids, err := fs.parse(args)
	if err != nil {
		return err
	}
	acceptAll := all != nil && *all
	if acceptAll && len(ids) > 0 {
		return usagef("plan accept takes IDs or --all, not both")
	}
	if !acceptAll && len(ids) == 0 {
		return usagef("plan %s needs block IDs (the ID column of \"lull plan\")", action)
	}
	show := func(b calendar.Block) {
		fmt.Fprintf(c.stdout, "%s %s–%s: %s (%s)\n", b.Start.Local().Format("Mon 2 Jan"), b.Start.Local().Format("15:04"),
			b.End.Local().Format("15:04"), b.State, b.ID)
	}
	return c.withBackend(func(ctx context.Context, b backend) error {
		if acceptAll {
			n, err := b.AcceptAll(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "Accepted %s.\n", count(n, "block"))
			return nil
		}
		act := b.Accept
		if action == "skip" {
			act = b.Skip
		}
		for _, id := range ids {
			blk, err := act(ctx, id)
			if err != nil {
				return err // names the block already
			}
			show(blk)
		}
		return nil
	})
}

// ---- report and export

func (c *cli) report(args []string) error {
	fs := c.flags("report", "Prints a week's report: focus against the goal, planned and kept blocks, meetings,\ninterruptions and the trend.", "report [--week 2026-W47] [--format text|json|csv]")
	week := fs.String("week", "", "ISO week, e.g. 2026-W47 (default: this week) (`WEEK`)")
	format := fs.String("format", "text", "text, json or csv (`FORMAT`)")
	if err := noArgs(fs, args); err != nil {
		return err
	}
	return c.withBackend(func(ctx context.Context, b backend) error {
		out, err := b.Report(ctx, api.ReportRequest{Week: *week, Format: *format})
		if err != nil {
			return err
		}
		_, err = c.stdout.Write(out)
		return err
	})
}

func (c *cli) export(args []string) error {
	fs := c.flags("export", "Writes every focus session, one row each. A date as --to includes that day.",
		"export [--format csv|json] [--from DATE] [--to DATE]")
	format := fs.String("format", "csv", "csv or json (`FORMAT`)")
	from := fs.String("from", "", "first day, e.g. 2026-11-01 (default: the first session) (`DATE`)")
	to := fs.String("to", "", "last day, included (default: today) (`DATE`)")
	if err := noArgs(fs, args); err != nil {
		return err
	}
	return c.withBackend(func(ctx context.Context, b backend) error {
		out, err := b.Export(ctx, api.ExportRequest{Range: api.Range{From: *from, To: *to}, Format: *format})
		if err != nil {
			return err
		}
		_, err = c.stdout.Write(out)
		return err
	})
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
