package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/lullapp/lull/internal/api"
)

// present is `lull present on|off`: the user says they present (or
// stopped), as the tray's "Presenting" item does.
func (c *cli) present(args []string) error {
	fs := c.flags("present", "While you present, Lull holds every notification but urgent ones, your VIPs and\n"+
		"repeats (keywords do not break through), and hands them over in a digest when you\n"+
		"stop. A fullscreen window counts as presenting by itself (X11).", "present on | off")
	pos, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || (pos[0] != "on" && pos[0] != "off") {
		return usagef("present needs on or off, e.g. lull present on (got %q)", strings.Join(pos, " "))
	}
	cl, err := c.live()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	q, err := cl.Present(ctx, pos[0] == "on")
	if err != nil {
		return err
	}
	if pos[0] == "off" && q.Presenting {
		fmt.Fprintln(c.stdout, "Still presenting: a window is fullscreen; leaving fullscreen ends it.")
		return nil
	}
	return c.printStatusLine(ctx, cl)
}

// printQuiet adds the meeting and presenting lines to `lull status`.
func printQuiet(w interface{ Write([]byte) (int, error) }, q api.Quiet) {
	if q.Meeting {
		title := q.MeetingTitle
		if title == "" {
			title = "a meeting"
		}
		line := fmt.Sprintf("Meeting:\t%s", title)
		if !q.MeetingEnd.IsZero() {
			line += " until " + q.MeetingEnd.Local().Format("15:04")
		}
		fmt.Fprintln(w, line+" (desktop notifications held)")
	}
	if q.Presenting {
		by := "you said so: lull present off ends it"
		if q.PresentingBy == api.PresentingByFullscreen {
			by = "a window is fullscreen"
		}
		fmt.Fprintf(w, "Presenting:\t%s (only urgent, VIP and repeats get through)\n", by)
	}
}
