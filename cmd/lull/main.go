// Command lull is Lull: with no arguments it opens the app (or shows the
// running one); with a subcommand it talks to the running instance over
// the local API, or works on the data directly when none runs.
package main

import (
	"io"
	"os"

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
}

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)
