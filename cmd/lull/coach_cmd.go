package main

import (
	"context"
	"fmt"

	"github.com/lullapp/lull/focus/coach"
	"github.com/lullapp/lull/internal/api"
)

// coachBackend is what `lull coach` asks: the running Lull over the local
// API, or the data directly when none runs (both change the settings the
// same way; the running Lull follows them at once).
type coachBackend interface {
	Coach(ctx context.Context, week string) (api.Coach, error)
	CoachApply(ctx context.Context, id, week string) (api.CoachApplied, error)
	CoachDismiss(ctx context.Context, id, week string) error
}

var _ coachBackend = (*api.Client)(nil)
var _ coachBackend = offline{}

func (o offline) Coach(_ context.Context, week string) (api.Coach, error) { return o.d.Coach(week) }

func (o offline) CoachApply(_ context.Context, id, week string) (api.CoachApplied, error) {
	return o.d.CoachApply(id, week, o.d.SaveSettings)
}

func (o offline) CoachDismiss(_ context.Context, id, week string) error {
	return o.d.CoachDismiss(id, week)
}

// withCoach runs f against the running Lull or the data directly.
func (c *cli) withCoach(f func(ctx context.Context, b coachBackend) error) error {
	return c.withBackend(func(ctx context.Context, b backend) error {
		cb, ok := b.(coachBackend)
		if !ok {
			return fmt.Errorf("the coach is not available here")
		}
		return f(ctx, cb)
	})
}

const coachHelp = `Usage: lull coach [--week 2026-W49] [--json]
       lull coach apply ID [--week 2026-W49]
       lull coach dismiss ID [--week 2026-W49]

Turns a week (default: this week) into suggestions: sources to hold
except VIPs, noisy sources to batch to one digest, a better time of day
for focus, and a meeting audit with what the planner would gain without a
meeting. Apply changes the rules or settings it names and says what
changed; dismiss hides a suggestion for good. Lull sends nothing to
anyone.

apply     apply suggestion ID
dismiss   hide suggestion ID for good
`

func (c *cli) coach(args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "-h", "--help", "help":
			fmt.Fprint(c.stdout, coachHelp)
			return errHelp
		case "apply", "dismiss":
			return c.coachAct(args[0], args[1:])
		}
	}
	fs := c.flags("coach", "Lists the week's suggestions, each with its ID.", "coach [--week 2026-W49] [--json]")
	week := fs.String("week", "", "ISO week, e.g. 2026-W49 (default: this week) (`WEEK`)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := noArgs(fs, args); err != nil {
		return err
	}
	return c.withCoach(func(ctx context.Context, b coachBackend) error {
		out, err := b.Coach(ctx, *week)
		if err != nil {
			return err
		}
		if *asJSON {
			return c.printJSON(out)
		}
		return coach.WriteText(c.stdout, weekLabel(out.Week), out.Suggestions)
	})
}

// weekLabel prints an ISO week label as it is.
type weekLabel string

func (w weekLabel) String() string { return string(w) }

func (c *cli) coachAct(verb string, args []string) error {
	about := "Applies suggestion ID: changes the rules or settings it names and says what changed."
	if verb == "dismiss" {
		about = "Dismisses suggestion ID for good: it is not shown again."
	}
	fs := c.flags("coach "+verb, about, "coach "+verb+" ID [--week 2026-W49]")
	week := fs.String("week", "", "the ISO week the suggestion is from, e.g. 2026-W49 (default: this week) (`WEEK`)")
	pos, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("coach %s needs one suggestion ID, e.g. lull coach %s hold-3f2a9c1e (see \"lull coach\")", verb, verb)
	}
	id := pos[0]
	return c.withCoach(func(ctx context.Context, b coachBackend) error {
		if verb == "dismiss" {
			if err := b.CoachDismiss(ctx, id, *week); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "Dismissed %s: it will not be shown again.\n", id)
			return nil
		}
		out, err := b.CoachApply(ctx, id, *week)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "Applied: %s.\n", out.Changed)
		return nil
	})
}
