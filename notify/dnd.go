package notify

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// DND puts the desktop's notification server in do-not-disturb for a focus
// block and takes it out again. Adapters are additive: if DND was already on
// at Enter, Leave leaves it on.
type DND interface {
	Name() string
	Enter() error
	Leave() error
}

// Runner runs a command and returns its standard output. ExecRunner is the
// production one; tests inject a recorder to check the exact commands.
type Runner func(ctx context.Context, name string, args ...string) ([]byte, error)

// ExecRunner runs the command with os/exec, with a 5-second limit.
func ExecRunner(ctx context.Context, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// NoDND is the adapter for desktops Lull cannot silence.
type NoDND struct{}

// Name returns "none".
func (NoDND) Name() string { return "none" }

// Enter does nothing.
func (NoDND) Enter() error { return nil }

// Leave does nothing.
func (NoDND) Leave() error { return nil }

// cmdDND is an adapter driven by a command-line tool: a query telling
// whether DND is on, and commands to turn it on and off.
type cmdDND struct {
	name    string
	run     Runner
	isOn    func(out []byte) bool
	query   []string
	on, off []string
	// hidesCritical: the server shows nothing at all in DND.
	hidesCritical bool

	mu      sync.Mutex
	entered bool // we turned it on (it was off before)
}

func (d *cmdDND) Name() string { return d.name }

// HidesCritical reports whether breakthroughs are hidden too while in DND,
// so the Service must lift DND to show one.
func (d *cmdDND) HidesCritical() bool { return d.hidesCritical }

func (d *cmdDND) Enter() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.entered {
		return nil
	}
	out, err := d.run(context.Background(), d.query[0], d.query[1:]...)
	if err != nil {
		return fmt.Errorf("%s do-not-disturb: query: %w", d.name, err)
	}
	if d.isOn(out) {
		return nil // already on: the user's, not ours to undo
	}
	if _, err := d.run(context.Background(), d.on[0], d.on[1:]...); err != nil {
		return fmt.Errorf("%s do-not-disturb: enter: %w", d.name, err)
	}
	d.entered = true
	return nil
}

// Recoverer is implemented by adapters whose do-not-disturb outlives Lull's
// process (dunst, mako, swaync, GNOME; KDE's inhibition ends with the
// connection): Entered says whether Lull turned it on, and ForceLeave turns
// it off after a crash left it on, when a fresh adapter cannot know.
type Recoverer interface {
	Entered() bool
	ForceLeave() error
}

// Entered reports whether this adapter turned do-not-disturb on.
func (d *cmdDND) Entered() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.entered
}

// ForceLeave turns do-not-disturb off whatever this adapter remembers: for
// undoing what an earlier, crashed Lull turned on.
func (d *cmdDND) ForceLeave() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, err := d.run(context.Background(), d.off[0], d.off[1:]...); err != nil {
		return fmt.Errorf("%s do-not-disturb: leave: %w", d.name, err)
	}
	d.entered = false
	return nil
}

func (d *cmdDND) Leave() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.entered {
		return nil
	}
	if _, err := d.run(context.Background(), d.off[0], d.off[1:]...); err != nil {
		return fmt.Errorf("%s do-not-disturb: leave: %w", d.name, err)
	}
	d.entered = false
	return nil
}

func trimmed(out []byte) string { return strings.TrimSpace(string(out)) }

// NewDunst drives dunst with dunstctl set-paused / is-paused. dunst shows
// nothing at all while paused, critical or not.
func NewDunst(run Runner) DND {
	return &cmdDND{name: "dunst", run: run,
		query: []string{"dunstctl", "is-paused"}, isOn: func(o []byte) bool { return trimmed(o) == "true" },
		on: []string{"dunstctl", "set-paused", "true"}, off: []string{"dunstctl", "set-paused", "false"},
		hidesCritical: true}
}

// NewMako drives mako's do-not-disturb mode with makoctl.
func NewMako(run Runner) DND {
	return &cmdDND{name: "mako", run: run,
		query: []string{"makoctl", "mode"}, isOn: func(o []byte) bool {
			for _, f := range strings.Fields(string(o)) {
				if f == "do-not-disturb" {
					return true
				}
			}
			return false
		},
		on: []string{"makoctl", "mode", "-a", "do-not-disturb"}, off: []string{"makoctl", "mode", "-r", "do-not-disturb"}}
}

// NewSwayNC drives SwayNotificationCenter with swaync-client.
func NewSwayNC(run Runner) DND {
	return &cmdDND{name: "swaync", run: run,
		query: []string{"swaync-client", "-D"}, isOn: func(o []byte) bool { return trimmed(o) == "true" },
		on: []string{"swaync-client", "-dn"}, off: []string{"swaync-client", "-df"}}
}

// NewGNOME turns GNOME's notification banners off and on with gsettings.
func NewGNOME(run Runner) DND {
	const schema, key = "org.gnome.desktop.notifications", "show-banners"
	return &cmdDND{name: "gnome", run: run,
		query: []string{"gsettings", "get", schema, key}, isOn: func(o []byte) bool { return trimmed(o) == "false" },
		on: []string{"gsettings", "set", schema, key, "false"}, off: []string{"gsettings", "set", schema, key, "true"}}
}

// DNDNames lists the adapters SelectDND knows, for the settings.
var DNDNames = []string{"auto", "dunst", "mako", "swaync", "gnome", "kde", "none"}

// Environment is what SelectDND looks at: the notification server's name
// (GetServerInformation, "" when unknown), XDG_CURRENT_DESKTOP, and which
// tools are on PATH.
type Environment struct {
	ServerName string
	Desktop    string
	HasTool    func(name string) bool
}

// SelectDND picks the adapter: the setting when it names one, else by the
// running server's name, else by desktop, else by the tools present. kde
// builds the KDE adapter (D-Bus, Linux only; nil means unavailable).
func SelectDND(setting string, env Environment, run Runner, kde func() (DND, error)) (DND, error) {
	byName := func(n string) (DND, error) {
		switch n {
		case "dunst":
			return NewDunst(run), nil
		case "mako":
			return NewMako(run), nil
		case "swaync":
			return NewSwayNC(run), nil
		case "gnome":
			return NewGNOME(run), nil
		case "kde":
			if kde == nil {
				return nil, fmt.Errorf("do-not-disturb %q: not available on this system", n)
			}
			return kde()
		case "none":
			return NoDND{}, nil
		}
		return nil, fmt.Errorf("do-not-disturb %q: unknown (want one of %s)", n, strings.Join(DNDNames, ", "))
	}
	if setting != "" && setting != "auto" {
		return byName(setting)
	}
	server := strings.ToLower(env.ServerName)
	desk := strings.ToLower(env.Desktop)
	has := env.HasTool
	if has == nil {
		has = func(string) bool { return false }
	}
	switch {
	case strings.Contains(server, "dunst"):
		return byName("dunst")
	case strings.Contains(server, "mako"):
		return byName("mako")
	case strings.Contains(server, "swaync"), strings.Contains(server, "swaynotificationcenter"):
		return byName("swaync")
	case strings.Contains(server, "plasma"), strings.Contains(desk, "kde"):
		return byName("kde")
	case strings.Contains(server, "gnome"), strings.Contains(desk, "gnome"), strings.Contains(desk, "unity"):
		return byName("gnome")
	case server == "" && has("dunstctl"):
		return byName("dunst")
	case server == "" && has("makoctl"):
		return byName("mako")
	case server == "" && has("swaync-client"):
		return byName("swaync")
	}
	return NoDND{}, nil
}
