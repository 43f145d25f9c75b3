// Package proc holds what Lull's processes need of each other: a lock file
// only one process holds at a time (two commands starting Lull start one;
// two window processes never run), and starting a process detached from
// the one that starts it (the resident started by a command or by the
// window's Restart outlives both).
package proc

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// ErrHeld says another process holds the lock.
var ErrHeld = errors.New("held by another process")

// Lock takes the lock on the file path (created, 0600, when missing),
// trying again every poll until timeout has passed (timeout 0: once); it
// fails with ErrHeld while another process holds it. The returned func
// releases it; the system releases it too when the process ends, however
// it ends (kill -9 included), so a crash never leaves it held.
func Lock(path string, timeout, poll time.Duration) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(timeout)
	for {
		held, err := tryLock(f)
		switch {
		case err == nil:
			return func() { unlockFile(f); f.Close() }, nil
		case !held:
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		case !time.Now().Before(deadline):
			f.Close()
			return nil, ErrHeld
		}
		time.Sleep(poll)
	}
}

// StartDetached starts exe with args and env in a session (process group)
// of its own with no terminal, stdin from /dev/null and its output
// appended to logPath, so it outlives its starter and a Ctrl+C there does
// not reach it. The channel receives its exit (nil for code 0); the
// process is reaped either way.
func StartDetached(exe string, args, env []string, logPath string) (<-chan error, error) {
	if err := os.MkdirAll(filepath.Dir(logPath), 0o700); err != nil {
		return nil, err
	}
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	defer log.Close() // the child has its own copy
	cmd := exec.Command(exe, args...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, log, log
	cmd.SysProcAttr = detached()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	return done, nil
}
