// Command lull-window is Lull's window: the Fyne window with the tabs
// Today, Plan, Digest, Report and Settings, a client of the resident
// process (`lull --hidden`) over the local API. The resident starts it on
// demand (app/winproc) as
//
//	lull-window [--tab digest|report] [--minimized]
//
// with LULL_HOME naming the data directory, and it ends when its window
// closes. At most one runs: a second one asks the resident to show the
// first and exits. Without a display to open it on, it says so and exits
// 1; --help says what it is and exits 0.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	lull "github.com/lullapp/lull"
	"github.com/lullapp/lull/assets"
	"github.com/lullapp/lull/internal/proc"
	"github.com/lullapp/lull/internal/store"
	// First of all: LANGUAGE for a C.UTF-8 locale, so Fyne says no "Error
	// parsing user locale C".
	_ "github.com/lullapp/lull/internal/locale"
)

// Files in the data directory the window process uses.
const (
	// lockFile is held while a window process runs: two never run at
	// once.
	lockFile = "window.lock"
	// crashLog receives a crash's report (the window has no terminal).
	crashLog = "window-crash.log"
)

// Memory of the window process (issue 14: shown, Lull costs no more than
// 1.25 times a bare Fyne window). Measured under Xvfb with the default
// settings the window held 172 MB; with both of these, 154 MB.
const (
	// windowGCPercent is the heap growth before a collection (Go's
	// default is 100): the window is idle most of its life, so collecting
	// at half the growth costs CPU nobody sees and keeps its heap (Fyne's
	// caches, the week's data: about 20 MB live) from doubling. GOGC in
	// the environment still wins.
	windowGCPercent = 50
	// releaseAfterOpen is when the memory the start-up used (fonts
	// decoded, first layouts, the first reads) goes back to the system:
	// by then the window is drawn and that garbage is no longer needed.
	releaseAfterOpen = 5 * time.Second
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(windowGCPercent)
	}
	req, err := parseArgs(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Println(help)
		return 0
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "lull-window: %v\n", err)
		return 2
	}
	dir, err := store.DataDir(os.Getenv)
	if err == nil {
		err = os.MkdirAll(dir, 0o700)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "lull-window: data directory: %v\n", err)
		return 1
	}
	if f, err := os.OpenFile(filepath.Join(dir, crashLog), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600); err == nil {
		debug.SetCrashOutput(f, debug.CrashOptions{})
		f.Close()
	}
	unlock, err := proc.Lock(filepath.Join(dir, lockFile), 0, 0)
	if errors.Is(err, proc.ErrHeld) {
		return showRunning(dir, req)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "lull-window: %v\n", err)
		return 1
	}
	defer unlock()
	if err := displayProblem(); err != nil {
		fmt.Fprintf(os.Stderr, "lull-window: %v\n", err)
		return 1
	}

	meta, err := lull.ReadMetadata()
	if err != nil {
		fmt.Fprintf(os.Stderr, "lull-window: %v\n", err)
		return 1
	}
	icon := fyne.NewStaticResource("icon.png", assets.Icon)
	fyneapp.SetMetadata(fyne.AppMetadata{
		ID: meta.Details.ID, Name: meta.Details.Name, Version: meta.Details.Version,
		Build: meta.Details.Build, Icon: icon, Release: true,
	})
	a := fyneapp.NewWithID(meta.Details.ID)
	a.SetIcon(icon)
	w := &window{app: a, dir: dir, req: req}
	a.Lifecycle().SetOnStarted(w.start)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sig)
	go func() {
		<-sig // the resident quitting, or a Ctrl+C
		fyne.Do(a.Quit)
	}()
	a.Run()
	w.close()
	return 0
}
