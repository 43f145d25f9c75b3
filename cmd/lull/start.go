package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/human"
	"github.com/lullapp/lull/internal/proc"
)

// startTimeout bounds how long a command waits for a Lull it started, or
// one another command is starting, to answer on its local API. A cold start
// on a busy two-core machine (keyring, database, first calendar read) takes
// a few seconds; after this the command fails with a message instead of
// hanging the keyboard shortcut it is bound to.
const startTimeout = 30 * time.Second

// startPoll is how often a command asks whether the Lull it started
// answers yet.
const startPoll = 100 * time.Millisecond

// Files in the data directory that starting Lull from a command uses.
const (
	// startLockFile serialises commands that start Lull, so two racing
	// commands start one instance.
	startLockFile = "start.lock"
	// trayLogFile receives the output of a Lull started by a command (it
	// has no terminal).
	trayLogFile = "lull.log"
)

// starter starts Lull in the tray for the data directory dir, detached
// from the command (its own session, no terminal), and returns a channel
// that receives the process's exit (nil error for exit code 0).
type starter func(dir string, e env) (<-chan error, error)

// live returns a client to the running instance. When none runs, it starts
// Lull in the tray (`lull --hidden`), waits for its API and says so on
// stderr, so commands bound to keyboard shortcuts work before Lull was
// opened. Commands racing to do this start one instance: they take turns
// on a lock file, and the second finds the first one's instance.
func (c *cli) live() (*api.Client, error) {
	if cl, err := c.client(); err != nil || cl != nil {
		return cl, err
	}
	unlock, err := lockStart(filepath.Join(c.dir, startLockFile), startTimeout)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if cl, err := c.client(); err != nil || cl != nil {
		return cl, err // another command started it while we waited
	}
	if c.start == nil {
		return nil, errors.New("Lull is not running: start it with \"lull\"")
	}
	exited, err := c.start(c.dir, c.env)
	if err != nil {
		return nil, fmt.Errorf("Lull is not running and could not be started: %w", err)
	}
	deadline := time.Now().Add(startTimeout)
	for {
		if cl, err := c.client(); err != nil || cl != nil {
			if cl != nil {
				fmt.Fprintln(c.stderr, "Lull was not running; started it in the tray.")
			}
			return cl, err
		}
		select {
		case err := <-exited:
			exited = nil // it may have found another instance: ask once more
			if cl, _ := c.client(); cl != nil {
				return cl, nil
			}
			why := "it stopped"
			if err != nil {
				why = "it stopped: " + err.Error()
			}
			return nil, fmt.Errorf("Lull was not running and did not start (%s); its messages are in %s", why, filepath.Join(c.dir, trayLogFile))
		case <-time.After(startPoll):
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("Lull was not running and did not answer within %s of starting; its messages are in %s",
				human.Duration(startTimeout), filepath.Join(c.dir, trayLogFile))
		}
	}
}

// startDetached is the production starter: this binary with --hidden, in a
// new session (process group), stdin from /dev/null and its output
// appended to lull.log in the data directory.
func startDetached(dir string, e env) (<-chan error, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	return proc.StartDetached(exe, []string{"--hidden"}, os.Environ(), filepath.Join(dir, trayLogFile))
}

// lockStart takes the start lock (a lock file only one process holds),
// waiting at most timeout; the returned func releases it.
func lockStart(path string, timeout time.Duration) (func(), error) {
	unlock, err := proc.Lock(path, timeout, startPoll)
	if errors.Is(err, proc.ErrHeld) {
		return nil, fmt.Errorf("another lull command has been starting Lull for %s; try again", human.Duration(timeout))
	}
	if err != nil {
		return nil, fmt.Errorf("start lock: %w", err)
	}
	return unlock, nil
}
