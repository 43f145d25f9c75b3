package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/systray"

	lull "github.com/lullapp/lull"
	"github.com/lullapp/lull/app"
	"github.com/lullapp/lull/app/service"
	"github.com/lullapp/lull/assets"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/store"
	"github.com/lullapp/lull/notify"
)

// open is `lull` with no arguments: show the running instance's window,
// or start the app.
func (c *cli) open() int {
	if c.raise() {
		return exitOK
	}
	return c.gui(c.dir, c.env)
}

// startFresh is `lull --start-fresh`: when the database is damaged, it
// keeps it aside (with its notification journal, under
// lull.db.damaged-<time>, never replacing a file) and opens the app with
// empty data. It refuses when the database is not damaged or Lull runs.
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
	return c.gui(c.dir, c.env)
}

// openHidden starts the app without its window; when one already runs it
// is left as it is.
func (c *cli) openHidden() int {
	if cl, err := api.Dial(c.dir); err == nil && cl != nil {
		fmt.Fprintln(c.stdout, "Lull is already running.")
		return exitOK
	}
	return c.gui(c.dir, c.env)
}

// lostStartRace handles a start that found the data held by another
// instance (locked is that error): once the other one answers, a plain
// `lull` asks it to show its window, and `lull --hidden` (start at login)
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

// runGUI starts the app in dir and blocks until the user quits.
func runGUI(dir string, e env) int {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		fmt.Fprintf(e.stderr, "lull: data directory: %v\n", err)
		return exitFailure
	}
	if f, err := os.OpenFile(filepath.Join(dir, "crash.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600); err == nil {
		debug.SetCrashOutput(f, debug.CrashOptions{})
		f.Close()
	}
	meta, err := lull.ReadMetadata()
	if err != nil {
		fmt.Fprintf(e.stderr, "lull: %v\n", err)
		return exitFailure
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var bus *notify.Bus
	if runtime.GOOS == "linux" {
		if bus, err = notify.OpenBus(); err != nil {
			fmt.Fprintf(e.stderr, "lull: no session bus (%v): desktop capture and do-not-disturb are off\n", err)
			bus = nil
		}
	}
	clk, err := testClock(e.getenv)
	if err != nil {
		fmt.Fprintf(e.stderr, "lull: %v\n", err)
		return exitFailure
	}
	var running atomic.Pointer[service.Service]
	plain := notify.NewSender(bus)
	var sender notify.Sender = plain
	if bus != nil {
		// Digests open the Digest tab when clicked, where the desktop's
		// notification server supports actions.
		sender = clickableDigests{bus: bus, fallback: sender, open: func() {
			if svc := running.Load(); svc != nil {
				svc.RequestShowDigest()
			}
		}}
	}
	opts := service.Options{
		DataOptions: service.DataOptions{Dir: dir, Clock: clk},
		Version:     meta.Details.Version,
		Sender:      sender,
		MakeDND: func(setting string) notify.DND {
			if setting == "off" {
				return notify.NoDND{}
			}
			dnd, err := notify.DetectDND(setting, bus)
			if err != nil {
				fmt.Fprintf(e.stderr, "lull: do-not-disturb: %v\n", err)
				return nil
			}
			return dnd
		},
	}
	if bus != nil {
		opts.Closer = bus
		// Desktop capture runs while the setting is on; the service starts
		// and stops it as the setting changes.
		var capClock clock.Clock = clock.Real{}
		if clk != nil {
			capClock = clk
		}
		opts.Capture = func(ctx context.Context, sub notify.Submitter) error {
			_, err := notify.StartCapture(ctx, notify.CaptureConfig{
				Submitter:     sub,
				Clock:         capClock,
				IgnoreSenders: []string{bus.UniqueName()},
				Logf:          func(f string, a ...any) { fmt.Fprintf(e.stderr, "lull: capture: "+f+"\n", a...) },
			})
			return err
		}
	}
	svc, err := service.Start(ctx, opts)
	if errors.Is(err, store.ErrLocked) {
		return (&cli{env: e, dir: dir}).lostStartRace(err)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "lull: %v\n", err)
		if errors.Is(err, store.ErrDamaged) {
			// Started from a menu or at login, nobody reads stderr.
			_ = sender.Send(notify.Message{Title: "Lull cannot open your data", Body: err.Error()})
		}
		return exitFailure
	}
	running.Store(svc)
	defer func() {
		if err := svc.Close(); err != nil {
			fmt.Fprintf(e.stderr, "lull: closing: %v\n", err)
		}
		if bus != nil {
			bus.Close()
		}
	}()

	fyneapp.SetMetadata(fyne.AppMetadata{
		ID:      meta.Details.ID,
		Name:    meta.Details.Name,
		Version: meta.Details.Version,
		Build:   meta.Details.Build,
		Icon:    fyne.NewStaticResource("icon.png", assets.Icon),
		Release: true,
	})
	a := fyneapp.NewWithID(meta.Details.ID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	// Hidden to the tray, Fyne's event loop wakes every parkQuantum rather
	// than 60 times a second.
	ui := app.New(a, svc, app.Options{
		Park:     parkQuantum,
		Tray:     newTrayHost(ctx),
		Minimize: minimizeWindow,
		Notify: func(title, body string) {
			if err := plain.Send(notify.Message{Title: title, Body: body}); err != nil {
				fmt.Fprintf(e.stderr, "lull: %s: %v\n", title, err)
			}
		},
	})
	defer ui.Close()
	// Tapping the tray icon shows the window through the UI, which wakes a
	// parked loop (Fyne's own tap handler would wait for it), and an open
	// tray menu keeps the loop awake for the click that follows.
	systray.SetOnTapped(ui.ShowWindow)
	go func() {
		for {
			select {
			case <-systray.TrayOpenedCh:
				ui.TrayOpened()
			case <-ctx.Done():
				return
			}
		}
	}()

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sig)
	go func() {
		select {
		case <-sig:
			ui.Quit()
		case <-ctx.Done():
		}
	}()
	if !e.hidden {
		ui.ShowWindow()
	}
	// Start-up (parsing calendars, building every tab) leaves garbage the
	// runtime would hand back to the OS only slowly; return it once the
	// window is up, so an idle Lull stays close to a bare Fyne window.
	trim := time.AfterFunc(5*time.Second, debug.FreeOSMemory)
	defer trim.Stop()
	a.Run()
	return exitOK
}

// parkQuantum is how long Fyne's event loop sleeps at a time while the
// window is hidden to the tray: what a tray menu click can wait, at most,
// when the desktop did not say the menu opened.
const parkQuantum = 500 * time.Millisecond

// clickableDigests shows digests through the session bus with a default
// action that opens the Digest tab; breakthroughs, and digests the bus
// cannot show, go through the fallback (beeep, or the bus with the critical
// hint).
type clickableDigests struct {
	bus      *notify.Bus
	fallback notify.Sender
	open     func()
}

func (c clickableDigests) Send(m notify.Message) error {
	if !m.Urgent {
		if err := c.bus.SendClickable(m, c.open); err == nil {
			return nil
		}
	}
	return c.fallback.Send(m)
}
