package hook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/lullapp/lull/internal/human"
)

// ExecTimeout bounds one run of a program hook: pausing music or setting a
// chat status takes well under a second; a program still running after
// this is stuck, and it and every process it started are killed.
const ExecTimeout = 10 * time.Second

// MaxOutput is how much of a program's stdout, and of its stderr, goes to
// Lull's log per run: enough for an error message, never a flood from a
// program that prints without end.
const MaxOutput = 4 << 10

// outputWait bounds how long Lull waits for a program's output to close
// after the program ended or was killed: a child it left running in the
// background may hold it open.
const outputWait = time.Second

// runExec runs h's program with p on stdin and p's LULL_* variables added
// to Lull's environment (the desktop's variables, such as DISPLAY and
// DBUS_SESSION_BUS_ADDRESS, are what makes playerctl or gsettings work),
// no shell in between, for at most timeout; log receives what it printed.
func runExec(ctx context.Context, h Hook, p Payload, body []byte, timeout time.Duration, log func(string, ...any)) (ok bool, reason string) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, h.Path, h.Args...)
	cmd.Env = append(os.Environ(), p.Env()...)
	cmd.Stdin = bytes.NewReader(body)
	stdout, stderr := &capped{limit: MaxOutput}, &capped{limit: MaxOutput}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	ownGroup(cmd)
	cmd.WaitDelay = outputWait
	err := cmd.Run()
	for _, o := range []struct {
		name string
		out  *capped
	}{{"stdout", stdout}, {"stderr", stderr}} {
		if s := o.out.String(); s != "" {
			log("hook %s (%s): %s: %s", h.ID, h.Path, o.name, s)
		}
	}
	var exit *exec.ExitError
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return false, fmt.Sprintf("did not finish within %s and was stopped", human.Duration(timeout))
	case ctx.Err() != nil:
		return false, "stopped because Lull was quitting"
	case err == nil:
		return true, "done"
	case errors.As(err, &exit):
		if exit.Exited() {
			return false, fmt.Sprintf("exited with status %d", exit.ExitCode())
		}
		return false, "was killed (" + strings.TrimPrefix(exit.String(), "signal: ") + ")"
	case errors.Is(err, exec.ErrWaitDelay):
		return true, "done (a process it left running kept its output open)"
	case errors.Is(err, os.ErrNotExist):
		return false, "the program " + h.Path + " is no longer there"
	case errors.Is(err, os.ErrPermission):
		return false, "the program " + h.Path + " may not be run (check that it is executable)"
	}
	return false, "could not be run: " + err.Error()
}

// capped keeps the first limit bytes written to it and counts the rest,
// so a program that prints without end costs nothing.
type capped struct {
	limit int
	buf   bytes.Buffer
	more  int
}

func (c *capped) Write(p []byte) (int, error) {
	n := min(len(p), c.limit-c.buf.Len())
	if n > 0 {
		c.buf.Write(p[:n])
	}
	c.more += len(p) - max(n, 0)
	return len(p), nil
}

// String is what was kept, trimmed, with how much was left out.
func (c *capped) String() string {
	s := strings.TrimSpace(c.buf.String())
	if c.more > 0 {
		s += fmt.Sprintf(" … (%d more bytes not logged)", c.more)
	}
	return s
}
