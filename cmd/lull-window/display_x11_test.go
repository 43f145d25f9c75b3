//go:build linux && cgo && !wayland

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoDisplay: without an X display to open (none named, or one that
// does not answer) the window says so in words and exits 1, instead of
// Fyne's GLFW panicking.
func TestNoDisplay(t *testing.T) {
	dead := ""
	for n := 31999; n > 31000; n-- {
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); os.IsNotExist(err) {
			dead = fmt.Sprintf(":%d", n)
			break
		}
	}
	if dead == "" {
		t.Fatal("every X display number from :31000 to :31999 has a socket in /tmp/.X11-unix")
	}
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{nil, "there is no display (DISPLAY is not set)"},
		{[]string{"DISPLAY=" + dead}, fmt.Sprintf("the display %q does not answer", dead)},
	} {
		out, errOut, code, dir := runMain(t, tc.env)
		if code != 1 || !strings.Contains(errOut, "lull-window: cannot open Lull's window: "+tc.want) ||
			strings.Contains(errOut, "panic") || strings.Contains(errOut, "goroutine") {
			t.Errorf("%q: exit %d\nstdout: %s\nstderr: %s\nwant exit 1 and %q", tc.env, code, out, errOut, tc.want)
		}
		if b, err := os.ReadFile(filepath.Join(dir, crashLog)); len(b) > 0 {
			t.Errorf("%q: %s has a crash: %s", tc.env, crashLog, b)
		} else if err != nil && !os.IsNotExist(err) {
			t.Error(err)
		}
	}
}
