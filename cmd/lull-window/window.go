package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	lullapp "github.com/lullapp/lull/app"
	"github.com/lullapp/lull/app/winproc"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/human"
	"github.com/lullapp/lull/internal/proc"
)

// dialWait is how long the window looks for the resident at start: the
// one that started it answers at once, one starting at the same time (at
// login, or just started by Start Lull) within seconds on a busy machine.
const dialWait = 30 * time.Second

// dialPoll is how often it looks meanwhile.
const dialPoll = 100 * time.Millisecond

// residentLog is the file in the data directory that receives the output
// of a resident the window started (as cmd/lull's own starts do).
const residentLog = "lull.log"

// usage is the window's command line, as its errors and --help show it.
const usage = "usage: lull-window [--tab digest|report] [--minimized]"

// help is what --help prints: the window is not what a person runs.
const help = usage + `

Lull's window. Open it with "lull" (or the desktop launcher, or the tray's
Open Lull): that starts Lull in the tray if it is not running, and Lull
starts this window with LULL_HOME naming the data directory.

  --tab digest|report   show that tab
  --minimized           start minimised`

// parseArgs reads the window's command line (winproc.Request.Args). For
// --help (or -h) it returns flag.ErrHelp.
func parseArgs(args []string) (winproc.Request, error) {
	var r winproc.Request
	fs := flag.NewFlagSet("lull-window", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&r.Tab, winproc.FlagTab[2:], "", "the tab to show: digest or report")
	fs.BoolVar(&r.Minimized, winproc.FlagMinimized[2:], false, "start minimised")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return r, err
	} else if err != nil {
		return r, fmt.Errorf("%v (%s)", err, usage)
	}
	if fs.NArg() > 0 {
		return r, fmt.Errorf("unexpected %q (%s)", fs.Arg(0), usage)
	}
	if r.Tab != "" && r.Tab != winproc.TabDigest && r.Tab != winproc.TabReport {
		return r, fmt.Errorf("no tab %q: want %s or %s", r.Tab, winproc.TabDigest, winproc.TabReport)
	}
	return r, nil
}

// showRunning is a window process started while another one runs (the
// lock is held): the resident tells that one to show itself, on the tab
// asked for, and this one ends. A minimised start changes nothing.
func showRunning(dir string, req winproc.Request) int {
	if req.Minimized {
		return 0
	}
	cl, err := api.Dial(dir)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), dialWait)
		defer cancel()
		err = cl.ShowWindowOn(ctx, req.Tab)
	}
	if err != nil {
		// The running window says itself what is wrong with the resident.
		fmt.Fprintf(os.Stderr, "lull-window: Lull's window is already open; it could not be raised: %v\n", err)
		return 0
	}
	fmt.Println("Lull's window is already open: showing it.")
	return 0
}

// window is the window process's UI: Lull's window once the resident
// answers, and until then a small one saying it does not.
type window struct {
	app fyne.App
	dir string
	req winproc.Request
	ui  *lullapp.UI
	// waiting is the small window shown while no resident answers.
	waiting fyne.Window
}

// start runs on the UI goroutine once the app runs: it finds the resident
// and shows the window, or says that Lull is not running.
func (w *window) start() {
	w.waiting = w.app.NewWindow("Lull")
	w.waiting.SetMaster()
	status := widget.NewLabel("Looking for Lull…")
	status.Wrapping = fyne.TextWrapWord
	var startBtn *widget.Button
	startBtn = widget.NewButton("Start Lull", func() {
		startBtn.Disable()
		status.SetText("Starting Lull…")
		go func() {
			err := startResident(w.dir)
			if err == nil {
				err = w.connect()
			}
			if err != nil {
				fyne.Do(func() {
					status.SetText("Lull could not be started: " + err.Error())
					startBtn.Enable()
				})
			}
		}()
	})
	startBtn.Importance = widget.HighImportance
	startBtn.Hide()
	w.waiting.SetContent(container.NewPadded(container.NewVBox(status, container.NewCenter(startBtn))))
	w.waiting.Resize(fyne.NewSize(420, 140))
	go func() {
		if err := w.connect(); err != nil {
			fyne.Do(func() {
				status.SetText("Lull is not running, so nothing is held and no focus starts. Start it to open its window.")
				startBtn.Show()
				w.waiting.Show()
			})
		}
	}()
}

// connect finds the resident (for up to dialWait) and then shows Lull's
// window over it, on the UI goroutine.
func (w *window) connect() error {
	var cl *api.Client
	var err error
	for deadline := time.Now().Add(dialWait); ; time.Sleep(dialPoll) {
		if cl, err = api.Dial(w.dir); err == nil {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer within %s: %w", human.Duration(dialWait), err)
		}
	}
	fyne.Do(func() { w.open(cl) })
	return nil
}

// open builds Lull's window over cl and shows it as the command line
// asked; the small window goes.
func (w *window) open(cl *api.Client) {
	w.ui = lullapp.New(w.app, cl, lullapp.Options{
		Minimize: minimizeWindow,
		Restart:  func() error { return startResident(w.dir) },
		Lull:     findResident,
		Logf:     func(f string, a ...any) { fmt.Fprintf(os.Stderr, "lull-window: "+f+"\n", a...) },
	})
	w.ui.ShowWindow(w.req.Tab)
	time.AfterFunc(releaseAfterOpen, debug.FreeOSMemory)
	if w.req.Minimized {
		fyne.Do(func() { minimizeWindow(w.ui.Window()) })
	}
	if w.waiting != nil {
		w.waiting.Close()
		w.waiting = nil
	}
}

// close ends the UI's work once the app stopped.
func (w *window) close() {
	if w.ui != nil {
		w.ui.Close()
	}
}

// startResident starts the resident process (`lull --hidden`) for dir,
// detached, its output in lull.log there; the window finds it once its API
// answers.
func startResident(dir string) error {
	bin, err := findResident()
	if err != nil {
		return err
	}
	env := append(os.Environ(), "LULL_HOME="+dir)
	if _, err := proc.StartDetached(bin, []string{"--hidden"}, env, filepath.Join(dir, residentLog)); err != nil {
		return fmt.Errorf("start %s: %w", bin, err)
	}
	return nil
}

// findResident locates the lull binary: the one that started this window
// ($LULL_RESIDENT_BIN), else lull beside this binary, else lull on PATH.
func findResident() (string, error) {
	return locate(os.Getenv, os.Executable, exec.LookPath)
}

// residentName is the lull binary's name.
func residentName() string {
	if runtime.GOOS == "windows" {
		return "lull.exe"
	}
	return "lull"
}

// errNoResident says where lull was looked for.
var errNoResident = errors.New("lull is not installed beside lull-window nor on PATH")

// locate is findResident over getenv, executable and lookPath.
func locate(getenv func(string) string, executable func() (string, error), lookPath func(string) (string, error)) (string, error) {
	if p := getenv(winproc.EnvResident); p != "" {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	if exe, err := executable(); err == nil {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		beside := filepath.Join(filepath.Dir(exe), residentName())
		if fi, err := os.Stat(beside); err == nil && !fi.IsDir() {
			return beside, nil
		}
	}
	if p, err := lookPath(residentName()); err == nil {
		return p, nil
	}
	return "", errNoResident
}
