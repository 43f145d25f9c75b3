//go:build windows

package winproc

import "os"

// stop ends p: Windows has no signal a GUI process could catch.
func stop(p *os.Process) error { return p.Kill() }
