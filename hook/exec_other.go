//go:build windows

package hook

import "os/exec"

// ownGroup leaves cmd as it is: cancelling kills the process itself.
func ownGroup(cmd *exec.Cmd) {}
