package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lullapp/lull/calendar/devsync"
	"github.com/lullapp/lull/internal/api"
)

const syncAbout = `Shares your focus log and your focus with your other computers through your own CalDAV
server: each finished session is written as a free event to the "Lull focus log"
calendar (or, where the server does not let Lull make one, to the synced calendar), and
each computer reads the others' back, so the report counts a week worked on two machines
once. Switch it on with "lull calendar add caldav URL --user U --sync" or
"lull calendar set ID sync on". Lull syncs every 30 seconds while it runs; "lull sync"
syncs now, "lull sync status" prints the state without syncing. "lull sync log-calendar"
lists or picks the calendar the focus log goes to.`

// syncDevices is `lull sync [status] [--json]`.
func (c *cli) syncDevices(args []string) error {
	if len(args) > 0 && args[0] == "log-calendar" {
		return c.syncLogCalendar(args[1:])
	}
	fs := c.flags("sync", syncAbout, "sync [--json]", "sync status [--json]", "sync log-calendar [NAME | --new] [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := fs.parse(args)
	if err != nil {
		return err
	}
	statusOnly := len(pos) == 1 && pos[0] == "status"
	if len(pos) > 1 || len(pos) == 1 && !statusOnly {
		return usagef("sync takes nothing, status or log-calendar, e.g. lull sync status (got %q)", strings.Join(pos, " "))
	}
	var st api.SyncStatus
	var syncErr error
	err = c.withBackend(func(ctx context.Context, b backend) (err error) {
		if statusOnly {
			st, err = b.SyncStatus(ctx)
			return err
		}
		st, syncErr = b.SyncDevices(ctx)
		if syncErr != nil && st.Device == "" {
			// The state as recorded, with the failure in it.
			st, err = b.SyncStatus(ctx)
		}
		return err
	})
	if err != nil {
		return err
	}
	if st.Device == "" && syncErr != nil {
		return syncErr
	}
	if *asJSON {
		if err := c.printJSON(st); err != nil {
			return err
		}
		return syncErr
	}
	writeSyncStatus(c.stdout, st, time.Now())
	return syncErr
}

// writeSyncStatus prints the sync state for people, times in local time.
func writeSyncStatus(w io.Writer, st api.SyncStatus, now time.Time) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	when := func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		t = t.Local()
		if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
			return "today " + t.Format("15:04")
		}
		return t.Format("Mon 2 Jan 15:04")
	}
	if st.On {
		log := st.LogCalendar
		if log == "" {
			log = "chosen at the first sync"
		}
		fmt.Fprintf(tw, "Sync:\ton, through %q (focus log: %s)\n", st.Calendar, log)
	} else {
		fmt.Fprintln(tw, "Sync:\toff (switch it on: lull calendar set ID sync on)")
	}
	fmt.Fprintf(tw, "This device:\t%s\n", st.DeviceName)
	last := when(st.LastSuccess)
	if st.LastError != "" {
		last = "failed " + when(st.LastAttempt) + ": " + st.LastError + " (last good sync: " + when(st.LastSuccess) + ")"
	}
	fmt.Fprintf(tw, "Last sync:\t%s\n", last)
	pending := fmt.Sprintf("%d changes to write", st.Pending)
	if st.Pending == 1 {
		pending = "1 change to write"
	}
	if st.Held > 0 {
		pending += fmt.Sprintf("; %d kept back (another event holds their place on the server, never overwritten)", st.Held)
	}
	fmt.Fprintf(tw, "Pending:\t%s\n", pending)
	if len(st.Devices) == 0 {
		fmt.Fprintln(tw, "Other devices:\tnone seen yet")
	}
	for i, d := range st.Devices {
		label := ""
		if i == 0 {
			label = "Other devices:"
		}
		state := "not focusing"
		if d.Focusing {
			state = "focusing"
		}
		fmt.Fprintf(tw, "%s\t%s: last seen %s, %s, %s\n", label, d.Name, when(d.LastSeen), state, sessionsWord(d.Sessions))
	}
	tw.Flush()
}

// sessionsWord is "1 session" or "N sessions".
func sessionsWord(n int) string {
	if n == 1 {
		return "1 session"
	}
	return fmt.Sprintf("%d sessions", n)
}

const logCalendarAbout = `Lists the calendars of your synced CalDAV account that the shared focus log can go to, the
current one marked with *, or picks one for all your computers: NAME is a calendar's name
as listed (or its path), --new goes back to Lull's own "Lull focus log" (made if missing).
The pick is written to the synced calendar as a small free event on 1 January 1970
(lull-focus-log.ics), never over an event that is not Lull's; this computer sends its whole
focus log to the new calendar at its next sync, the others follow within %d minutes. The
log's events are free time (they never block anyone's time) and events already in that
calendar are never changed.`

// syncLogCalendar is `lull sync log-calendar [NAME | --new] [--json]`.
func (c *cli) syncLogCalendar(args []string) error {
	fs := c.flags("sync log-calendar", fmt.Sprintf(logCalendarAbout, int(devsync.PointerCheck/time.Minute)),
		"sync log-calendar [--json]", "sync log-calendar NAME [--json]", "sync log-calendar --new [--json]")
	own := fs.Bool("new", false, `go back to Lull's own "Lull focus log" calendar (made if missing)`)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := fs.parse(args)
	if err != nil {
		return err
	}
	name := strings.TrimSpace(strings.Join(pos, " "))
	if *own && name != "" {
		return usagef("give a calendar's name or --new, not both, e.g. lull sync log-calendar Focus")
	}
	var list []api.LogCalendar
	var picked api.LogCalendar
	err = c.withBackend(func(ctx context.Context, b backend) (err error) {
		if name == "" && !*own {
			list, err = b.LogCalendars(ctx)
			return err
		}
		picked, err = b.PickLogCalendar(ctx, api.PickLogCalendar{Calendar: name})
		return err
	})
	if err != nil {
		return err
	}
	if name == "" && !*own {
		if *asJSON {
			return c.printJSON(list)
		}
		writeLogCalendars(c.stdout, list)
		return nil
	}
	if *asJSON {
		return c.printJSON(picked)
	}
	fmt.Fprintf(c.stdout, "The focus log of all your computers now goes to %q. This computer sends its log there at its next sync (\"lull sync\" syncs now); the others follow within %d minutes.\n",
		picked.Name, int(devsync.PointerCheck/time.Minute))
	return nil
}

// writeLogCalendars prints the calendars the focus log may go to, the
// current one marked.
func writeLogCalendars(w io.Writer, list []api.LogCalendar) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "Calendars for the focus log (* is the one in use):")
	for _, lc := range list {
		mark, note := " ", ""
		if lc.Current {
			mark = "*"
		}
		switch {
		case lc.Synced:
			note = "the synced calendar: the log goes in as free events"
		case lc.Own:
			note = "Lull's own"
		}
		fmt.Fprintf(tw, "%s %s\t%s\t%s\n", mark, lc.Name, lc.Path, note)
	}
	tw.Flush()
	fmt.Fprintln(w, "Pick one with \"lull sync log-calendar NAME\", or \"lull sync log-calendar --new\" for Lull's own.")
}
