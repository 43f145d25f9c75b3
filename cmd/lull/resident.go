package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	lull "github.com/lullapp/lull"
	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/app/tray"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/store"
	"github.com/lullapp/lull/notify"
)

// damageProbeTimeout bounds how long a plain `lull` whose Lull did not
// start waits for the database to look at it: the Lull it started has
// stopped, so nothing should hold it long.
const damageProbeTimeout = 2 * time.Second

// open is `lull` with no arguments: it makes sure Lull runs (starting the
// resident process in the tray, detached, when none does) and asks it to
// show the window, which it starts or raises.
func (c *cli) open() int {
	if c.raise() {
		return exitOK
	}
	cl, err := c.live()
	if err != nil {
		// A Lull that cannot open damaged data stopped in the background,
		// where its message went to lull.log: say it here.
		if derr := c.damaged(); derr != nil {
			err = derr
		}
		fmt.Fprintf(c.stderr, "lull: %v\n", err)
		return exitFailure
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := cl.ShowWindow(ctx); err != nil {
		fmt.Fprintf(c.stderr, "lull: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// damaged is the error opening the database gives when it is damaged; nil
// when it is not (or is held, or missing: a start reports those itself).
func (c *cli) damaged() error {
	path := filepath.Join(c.dir, store.FileName)
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	db, err := store.Open(path, store.Options{LockTimeout: damageProbeTimeout, ReadOnly: true})
	if err == nil {
		db.Close()
		return nil
	}
	if errors.Is(err, store.ErrDamaged) {
		return err
	}
	return nil
}

// startFresh is `lull --start-fresh`: when the database is damaged, it
// keeps it aside (with its notification journal, under
// lull.db.damaged-<time>, never replacing a file) and starts Lull with
// empty data, its window shown. It refuses when the database is not
// damaged or Lull runs.
func (c *cli) startFresh() int {
	path := filepath.Join(c.dir, store.FileName)
	db, err := store.Open(path, store.Options{LockTimeout: 2 * time.Second})
	switch {
	case err == nil:
		db.Close()
		fmt.Fprintf(c.stderr, "lull: %s is not damaged, so nothing was moved; start Lull with \"lull\"\n", path)
		return exitUsage
	case !errors.Is(err, store.ErrDamaged):
		fmt.Fprintf(c.stderr, "lull: %v\n", err)
		return exitFailure
	}
	moved, err := store.MoveAside(path, time.Now(), notify.JournalSuffix)
	if err != nil {
		fmt.Fprintf(c.stderr, "lull: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(c.stdout, "Kept the damaged data as %s; Lull starts with empty data.\n", strings.Join(moved, " and "))
	return c.resident(c.dir, c.env)
}

// openHidden is `lull --hidden` (start at login): the resident process;
// when one already runs it is left as it is.
func (c *cli) openHidden() int {
	if cl, err := api.Dial(c.dir); err == nil && cl != nil {
		fmt.Fprintln(c.stdout, "Lull is already running.")
		return exitOK
	}
	return c.resident(c.dir, c.env)
}

// lostStartRace handles a start that found the data held by another
// instance (locked is that error): once the other one answers, a plain
// start asks it to show its window, and `lull --hidden` (start at login)
// leaves it as it is, hidden or not, and exits 0.
func (c *cli) lostStartRace(locked error) int {
	// The other instance may still be starting (asking the keyring for the
	// API token alone may take seconds at login); the wait ends as soon as
	// its API answers.
	for deadline := time.Now().Add(startTimeout); time.Now().Before(deadline); time.Sleep(startPoll) {
		if c.hidden {
			if cl, err := api.Dial(c.dir); err == nil && cl != nil {
				fmt.Fprintln(c.stdout, "Lull is already running.")
				return exitOK
			}
		} else if c.raise() {
			return exitOK
		}
	}
	fmt.Fprintf(c.stderr, "lull: %v\n", locked)
	return exitFailure
}

// raise asks a running instance to show its window; it reports whether
// one answered.
func (c *cli) raise() bool {
	cl, err := api.Dial(c.dir)
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := cl.ShowWindow(ctx); err != nil {
		return false
	}
	fmt.Fprintln(c.stdout, "Lull is already running: showing its window.")
	return true
}

// runResident is the resident process (`lull --hidden`, start at login):
// the service wired to the desktop and the tray, until the tray's Quit,
// POST /v1/quit, SIGINT or SIGTERM. No GUI toolkit is linked: the window is a process of
// its own (lull-window), started on demand. Started not hidden (`lull
// --start-fresh`), it shows the window once it runs.
func runResident(dir string, e env) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// POST /v1/quit (the window's "Quit Lull" where there is no tray) ends
	// the tray's run like its own Quit.
	ctx, quit := context.WithCancel(ctx)
	defer quit()
	meta, err := lull.ReadMetadata()
	if err != nil {
		fmt.Fprintf(e.stderr, "lull: %v\n", err)
		return exitFailure
	}
	clk, err := testClock(e.getenv)
	if err != nil {
		fmt.Fprintf(e.stderr, "lull: %v\n", err)
		return exitFailure
	}
	svc, err := service.StartDesktop(ctx, service.Desktop{Dir: dir, Clock: clk, Version: meta.Details.Version, Log: e.stderr, Quit: quit})
	if errors.Is(err, store.ErrLocked) {
		return (&cli{env: e, dir: dir}).lostStartRace(err)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "lull: %v\n", err)
		return exitFailure
	}
	defer func() {
		if err := svc.Close(); err != nil {
			fmt.Fprintf(e.stderr, "lull: closing: %v\n", err)
		}
	}()
	if !e.hidden {
		svc.RequestShow()
	}
	tray.Run(ctx, svc, tray.Options{Logf: func(f string, a ...any) { fmt.Fprintf(e.stderr, "lull: "+f+"\n", a...) }})
	return exitOK
}
