// Command lull is Lull's command line and its resident process: with no
// arguments it makes sure Lull runs in the tray and shows its window (a
// process of its own, lull-window); `lull --hidden` is the resident
// process itself (service, local API, tray; no GUI toolkit); with a
// subcommand it talks to the running instance over the local API, or works
// on the data directly when none runs.
package main

import (
	"io"
	"os"

	"github.com/lullapp/lull/internal/api"
	// First of all: LANGUAGE for a C.UTF-8 locale, which the window
	// process inherits, so Fyne there says no "Error parsing user locale C".
	_ "github.com/lullapp/lull/internal/locale"
)

func main() {
	os.Exit(run(os.Args[1:], env{
		stdin:    os.Stdin,
		stdout:   os.Stdout,
		stderr:   os.Stderr,
		getenv:   os.Getenv,
		resident: runResident,
		start:    startDetached,
	}))
}

// env is everything run touches outside itself, so tests can drive it.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// resident runs the resident process for dir and blocks until it
	// quits; it returns the exit code.
	resident func(dir string, e env) int
	// hidden runs the resident without showing the window (`lull
	// --hidden`, what start-at-login runs).
	hidden bool
	// start starts Lull in the tray, detached, for commands that need the
	// running app when none runs (startDetached; a fake in tests).
	start starter
}

// Exit codes (README "Exit codes"): 0 done; 1 Lull failed at something that
// could work; 2 the command line asks for something that cannot be (an
// unknown command or option, a bad value, a file or ID that does not
// exist).
const (
	exitOK      = api.ExitOK
	exitFailure = api.ExitFailure
	exitUsage   = api.ExitUsage
)
