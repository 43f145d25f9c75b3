//go:build !windows

package winproc

import (
	"os"
	"syscall"
)

// stop asks p to end as a window manager's close would: SIGTERM.
func stop(p *os.Process) error { return p.Signal(syscall.SIGTERM) }
