// Command lull is Lull: with no arguments it opens the app (or shows the
// running one); with a subcommand it talks to the running instance over
// the local API, or works on the data directly when none runs.
package main

import (
	"io"
	"os"

	"github.com/lullapp/lull/internal/api"
	// Before Fyne reads the locale: no "Error parsing user locale C" noise.
	_ "github.com/lullapp/lull/internal/locale"
)

func main() {
	os.Exit(run(os.Args[1:], env{
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		getenv: os.Getenv,
		gui:    runGUI,
		start:  startDetached,
	}))
}

// env is everything run touches outside itself, so tests can drive it.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// gui starts the app in dir and blocks until it quits; it returns the
	// exit code.
	gui func(dir string, e env) int
	// hidden starts the app in the tray without showing its window
	// (`lull --hidden`, what start-at-login runs).
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
