package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/lullapp/lull/internal/atomicfile"
)

// autostartName is the XDG autostart entry's file name: the app ID, so it
// never clashes with another program's entry.
const autostartName = "io.github.lullapp.lull.desktop"

// errAutostartTemporary is returned when the running binary is a `go run`
// build that disappears on exit: an entry pointing at it would break.
var errAutostartTemporary = errors.New("this Lull runs from a temporary build (go run); install it to start it at login")

// autostartSupported reports whether this system reads XDG autostart
// entries (Linux and the BSDs).
func autostartSupported() bool {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
		return true
	}
	return false
}

// autostartPath is the entry's path: $XDG_CONFIG_HOME/autostart, or
// ~/.config/autostart when XDG_CONFIG_HOME is unset or relative (the XDG
// base directory spec says to ignore a relative one).
func autostartPath(getenv func(string) string) (string, error) {
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		home := getenv("HOME")
		if home == "" {
			return "", errors.New("start at login: neither XDG_CONFIG_HOME nor HOME is set")
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "autostart", autostartName), nil
}

// autostartEntry is the desktop entry that starts exe at login.
func autostartEntry(exe string) string {
	return "[Desktop Entry]\n" +
		"Type=Application\n" +
		"Name=Lull\n" +
		"Comment=Protect deep work: focus blocks on your calendar, notifications held until a digest\n" +
		"Exec=" + desktopExecArg(exe) + " --hidden\n" +
		"Icon=io.github.lullapp.lull\n" +
		"Terminal=false\n" +
		"X-GNOME-Autostart-enabled=true\n"
}

// desktopExecArg quotes one Exec argument as the desktop entry spec asks:
// an argument with reserved characters is put in double quotes with ", `, $
// and \ escaped by a backslash; then, because Exec is a string value, every
// backslash is escaped once more; and % (field codes) is doubled.
func desktopExecArg(s string) string {
	s = strings.ReplaceAll(s, "%", "%%")
	if !strings.ContainsAny(s, " \t\n\"'\\><~|&;$*?#()`") {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '`', '$', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return strings.ReplaceAll(b.String(), `\`, `\\`)
}

// autostartEnabled reports whether the entry exists and is not hidden.
func autostartEnabled(getenv func(string) string) bool {
	p, err := autostartPath(getenv)
	if err != nil {
		return false
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == "Hidden=true" {
			return false
		}
	}
	return true
}

// setAutostart writes the entry starting exe (on) or removes it (off).
// The file is written to a temporary name and renamed, so a session
// starting meanwhile never reads half an entry.
func setAutostart(getenv func(string) string, exe string, on bool) error {
	p, err := autostartPath(getenv)
	if err != nil {
		return err
	}
	if !on {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("start at login: %w", err)
		}
		return nil
	}
	if exe == "" || !filepath.IsAbs(exe) {
		return fmt.Errorf("start at login: the program's path %q is not absolute", exe)
	}
	if strings.Contains(exe, string(filepath.Separator)+"go-build") {
		return errAutostartTemporary
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("start at login: %w", err)
	}
	// 0644 like every desktop entry: the session reads it, nothing in it is
	// private.
	if err := atomicfile.Write(p, []byte(autostartEntry(exe)), 0o644); err != nil {
		return fmt.Errorf("start at login: %w", err)
	}
	return nil
}

// runningExecutable is the running binary's path, symlinks resolved.
func runningExecutable() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("start at login: %w", err)
	}
	if r, err := filepath.EvalSymlinks(exe); err == nil {
		exe = r
	}
	return exe, nil
}
