package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lullapp/lull/hook"
	"github.com/lullapp/lull/internal/api"
)

const hooksUsage = `Usage: lull hooks add EVENT [--titles] --exec PATH [ARG...]
       lull hooks add EVENT [--titles] --webhook
                                  (the address from stdin, or typed when asked)
       lull hooks list [--json]
       lull hooks remove ID
       lull hooks test ID

add      run a program, or post to a webhook, on EVENT:
           focus.started, focus.ended, digest.delivered, breakthrough,
           plan.changed, meeting.started, meeting.ended
         A program runs without a shell, with the ARGs given here and the
         event as JSON on stdin and as LULL_* variables; it has 10 s.
         A webhook gets the JSON as a POST: https://, or http:// only to
         this computer (127.0.0.1, ::1, localhost); 5 s a try, 3 retries.
         Its address is a secret: it is read from stdin and kept in the
         OS keyring; Lull shows only its scheme and host.
         Hooks see no notification or meeting titles unless --titles.
list     the hooks with their IDs and how each last ran
remove   remove a hook by ID
test     run a hook now with a sample event and say how it went

Hooks run in the running Lull (started in the tray when it is not running).
Examples are in docs/hooks/.
`

func (c *cli) hooks(args []string) error {
	if len(args) == 0 {
		return usagef("hooks needs add, list, remove or test (see \"lull hooks --help\")")
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(c.stdout, hooksUsage)
		return errHelp
	case "add":
		return c.hooksAdd(args[1:])
	case "list", "ls":
		return c.hooksList(args[1:])
	case "remove", "rm":
		fs := c.flags("hooks remove", "Removes a hook by its ID (see \"lull hooks list\"); a webhook's address leaves the keyring.", "hooks remove ID")
		id, err := oneID(fs, args[1:])
		if err != nil {
			return err
		}
		return c.withHooks(func(ctx context.Context, cl *api.Client) error {
			h, err := cl.RemoveHook(ctx, id)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "Removed %s (%s → %s)\n", h.ID, h.Event, hook.Describe(h))
			return nil
		})
	case "test":
		fs := c.flags("hooks test", "Runs a hook now with a sample of its event (marked \"test\": true, LULL_TEST=1) and says\nhow it went; a webhook is tried once. Exits 1 when the hook failed.", "hooks test ID")
		id, err := oneID(fs, args[1:])
		if err != nil {
			return err
		}
		return c.withHooks(func(ctx context.Context, cl *api.Client) error {
			res, err := cl.TestHook(ctx, id)
			if err != nil {
				return err
			}
			if !res.OK {
				return fmt.Errorf("hook %s %s", id, res.Words(time.Local))
			}
			fmt.Fprintf(c.stdout, "Hook %s %s\n", id, res.Words(time.Local))
			return nil
		})
	}
	return usagef("unknown hooks command %q (want add, list, remove or test)", args[0])
}

// oneID parses a command that takes one hook ID.
func oneID(fs *flagSet, args []string) (string, error) {
	pos, err := fs.parse(args)
	if err != nil {
		return "", err
	}
	if len(pos) != 1 {
		return "", usagef("lull %s needs one ID (the ID column of \"lull hooks list\")", fs.Name())
	}
	return pos[0], nil
}

// withHooks runs f against the running Lull, which runs the hooks (it is
// started in the tray when it is not running).
func (c *cli) withHooks(f func(ctx context.Context, cl *api.Client) error) error {
	cl, err := c.live()
	if err != nil {
		return err
	}
	// A test may wait for a program's or a webhook's whole time limit.
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	return f(ctx, cl)
}

func (c *cli) hooksAdd(args []string) error {
	fs := c.flags("hooks add", "Adds a hook: a program run, or a webhook posted to, on EVENT. Everything after --exec PATH\n"+
		"is the program's own arguments, passed as they are (no shell). A webhook's address is read from\n"+
		"stdin (or typed when asked), never taken as an argument, and kept in the OS keyring.",
		"hooks add EVENT [--titles] --exec PATH [ARG...]", "hooks add EVENT [--titles] --webhook")
	titles := fs.Bool("titles", false, "also send notification and meeting titles (off: counts and sources only)")
	webhook := fs.Bool("webhook", false, "post the event to a web address read from stdin")
	fs.String("exec", "", "the program to run, by its path; what follows are its arguments (`PATH`)")
	// Split at --exec: what follows belongs to the program, options too.
	var prog []string
	for i, a := range args {
		if a == "--exec" || a == "-exec" {
			if i+1 >= len(args) {
				return usagef("--exec needs the program's path, e.g. --exec /usr/bin/playerctl pause")
			}
			args, prog = args[:i], args[i+1:]
			break
		}
		if v, ok := strings.CutPrefix(a, "--exec="); ok {
			args, prog = args[:i], append([]string{v}, args[i+1:]...)
			break
		}
	}
	pos, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		if len(pos) > 1 && *webhook {
			// Not echoed: it may be the secret address.
			return usagef("hooks add --webhook: give the address on stdin, not as an argument (arguments are " +
				"visible to other programs): run \"lull hooks add EVENT --webhook\" and paste it, or " +
				"\"lull hooks add EVENT --webhook < address.txt\"")
		}
		return usagef("hooks add needs one EVENT (%s), e.g. lull hooks add focus.started --exec /usr/bin/playerctl pause",
			strings.Join(hook.Events(), ", "))
	}
	req := api.AddHook{Event: pos[0], Titles: *titles}
	if !hook.ValidEvent(req.Event) {
		return usagef("hooks add: no event %q: want one of %s", req.Event, strings.Join(hook.Events(), ", "))
	}
	switch {
	case *webhook && prog != nil:
		return usagef("hooks add: a hook runs a program (--exec) or posts to a webhook (--webhook), not both")
	case prog != nil:
		path, err := programPath(prog[0])
		if err != nil {
			return err
		}
		req.Exec, req.Args = path, prog[1:]
	case *webhook:
		if req.Webhook, err = c.readSecret("Webhook address (not shown): "); err != nil {
			return err
		}
		if strings.TrimSpace(req.Webhook) == "" {
			return usagef("hooks add --webhook: no address on stdin, e.g. echo https://hooks.example.com/… | lull hooks add %s --webhook", req.Event)
		}
	default:
		return usagef("hooks add needs --exec PATH [ARG...] or --webhook (see \"lull hooks add --help\")")
	}
	return c.withHooks(func(ctx context.Context, cl *api.Client) error {
		h, err := cl.AddHook(ctx, req)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "Added %s: on %s, %s\n", h.ID, h.Event, runsWords(h))
		return nil
	})
}

// programPath makes the program the user named absolute, as the hook must
// store it: a path relative to where the command runs, or a bare name
// found on PATH now (the running Lull may have another PATH).
func programPath(p string) (string, error) {
	if !strings.ContainsRune(p, filepath.Separator) {
		found, err := exec.LookPath(p)
		if err != nil {
			if errors.Is(err, exec.ErrNotFound) {
				return "", fmt.Errorf("%w: there is no program %q on your PATH: give its full path, e.g. /usr/bin/%s", hook.ErrBadHook, p, p)
			}
			return "", fmt.Errorf("%w: %q: %v", hook.ErrBadHook, p, errors.Unwrap(err))
		}
		p = found
	}
	return filepath.Abs(p)
}

// runsWords says what h does: "runs /usr/bin/playerctl pause", "posts
// to https://hooks.example.com", with titles when it has them.
func runsWords(h hook.Hook) string {
	s := "runs " + hook.Describe(h)
	if h.Kind == hook.KindWebhook {
		s = "posts to " + h.Target
	}
	if h.Titles {
		s += " (with titles)"
	}
	return s
}

func (c *cli) hooksList(args []string) error {
	fs := c.flags("hooks list", "Lists the hooks with their IDs, what each runs and how it last ran.", "hooks list [--json]")
	asJSON := fs.Bool("json", false, "print JSON (what GET /v1/hooks answers)")
	if err := noArgs(fs, args); err != nil {
		return err
	}
	return c.withHooks(func(ctx context.Context, cl *api.Client) error {
		list, err := cl.Hooks(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return c.printJSON(list)
		}
		if len(list.Hooks) == 0 {
			fmt.Fprintln(c.stdout, "No hooks yet: add one with \"lull hooks add\" (see \"lull hooks --help\").")
			return nil
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tEVENT\tWHAT\tLAST")
		for _, h := range list.Hooks {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", h.ID, h.Event, runsWords(h), h.LastWords(time.Local))
		}
		return tw.Flush()
	})
}
