package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/settings"
)

func (c *cli) settings(args []string) error {
	if len(args) == 0 {
		args = []string{"show"}
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(c.stdout, settingsHelp())
		return errHelp
	case "show":
		fs := c.flags("settings show", "Prints every setting; change one with \"lull settings set KEY VALUE\".", "settings show [--json]")
		asJSON := fs.Bool("json", false, "print JSON (what GET /v1/settings answers)")
		pos, err := fs.parse(args[1:])
		if err != nil {
			return err
		}
		if len(pos) > 0 {
			return usagef("settings show takes no arguments")
		}
		st, err := c.settingsNow()
		if err != nil {
			return err
		}
		if *asJSON {
			return c.printJSON(st)
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
		for _, f := range settings.Fields() {
			fmt.Fprintf(tw, "%s\t%s\n", f.Key, f.Show(st))
		}
		return tw.Flush()
	case "set":
		if len(args) == 2 && (args[1] == "--help" || args[1] == "-h") {
			fmt.Fprint(c.stdout, settingsHelp())
			return errHelp
		}
		if len(args) != 3 {
			return usagef("settings set needs KEY and VALUE, e.g. lull settings set goal 12h (keys: lull settings --help)")
		}
		return c.settingsSet(args[1], args[2])
	}
	return usagef("unknown settings command %q (want show or set)", args[0])
}

// settingsSet is `lull settings set KEY VALUE`: the value read as the
// settings schema reads it (the window reads it the same way), checked and
// stored where the settings live, by the running Lull or on the data.
func (c *cli) settingsSet(key, value string) error {
	f, ok := settings.Lookup(key)
	if !ok {
		return usagef("no setting %q (see \"lull settings --help\")", key)
	}
	var st api.Settings
	err := c.withBackend(func(ctx context.Context, b backend) (err error) {
		if st, err = b.Settings(ctx); err != nil {
			return err
		}
		if err := f.Parse(&st, value); err != nil {
			return err
		}
		st, err = b.SaveSettings(ctx, st)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%s: %s\n", key, f.Show(st))
	return nil
}

func settingsHelp() string {
	var b strings.Builder
	b.WriteString("Usage: lull settings [show [--json]]\n       lull settings set KEY VALUE\n\n")
	b.WriteString("Changes apply at once, also to a running Lull. Keys:\n")
	fields := settings.Fields()
	width := 0
	for _, f := range fields {
		width = max(width, len(f.Key))
	}
	for _, f := range fields {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, f.Key, f.Help)
	}
	return b.String()
}
