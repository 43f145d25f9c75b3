package notify

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// fakeRunner records commands and answers queries from a table.
type fakeRunner struct {
	cmds    []string
	answers map[string]string
	fail    string
}

func (f *fakeRunner) run(_ context.Context, name string, args ...string) ([]byte, error) {
	cmd := strings.Join(append([]string{name}, args...), " ")
	f.cmds = append(f.cmds, cmd)
	if cmd == f.fail {
		return nil, errors.New("exit status 1")
	}
	return []byte(f.answers[cmd]), nil
}

func TestDNDAdapters(t *testing.T) {
	tests := []struct {
		name    string
		make    func(Runner) DND
		answers map[string]string // query answers with DND off
		onAns   map[string]string // query answers with DND already on
		want    []string          // Enter then Leave, from off
	}{
		{"dunst", NewDunst,
			map[string]string{"dunstctl is-paused": "false\n"}, map[string]string{"dunstctl is-paused": "true\n"},
			[]string{"dunstctl is-paused", "dunstctl set-paused true", "dunstctl set-paused false"}},
		{"mako", NewMako,
			map[string]string{"makoctl mode": "default\n"}, map[string]string{"makoctl mode": "default\ndo-not-disturb\n"},
			[]string{"makoctl mode", "makoctl mode -a do-not-disturb", "makoctl mode -r do-not-disturb"}},
		{"swaync", NewSwayNC,
			map[string]string{"swaync-client -D": "false\n"}, map[string]string{"swaync-client -D": "true\n"},
			[]string{"swaync-client -D", "swaync-client -dn", "swaync-client -df"}},
		{"gnome", NewGNOME,
			map[string]string{"gsettings get org.gnome.desktop.notifications show-banners": "true\n"},
			map[string]string{"gsettings get org.gnome.desktop.notifications show-banners": "false\n"},
			[]string{"gsettings get org.gnome.desktop.notifications show-banners",
				"gsettings set org.gnome.desktop.notifications show-banners false",
				"gsettings set org.gnome.desktop.notifications show-banners true"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeRunner{answers: tc.answers}
			d := tc.make(f.run)
			if d.Name() != tc.name {
				t.Errorf("Name() = %q", d.Name())
			}
			if err := d.Enter(); err != nil {
				t.Fatal(err)
			}
			if err := d.Enter(); err != nil { // idempotent
				t.Fatal(err)
			}
			if err := d.Leave(); err != nil {
				t.Fatal(err)
			}
			if err := d.Leave(); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(f.cmds, tc.want) {
				t.Fatalf("commands = %q, want %q", f.cmds, tc.want)
			}

			// Additive: DND on before focus stays on after.
			f = &fakeRunner{answers: tc.onAns}
			d = tc.make(f.run)
			if err := d.Enter(); err != nil {
				t.Fatal(err)
			}
			if err := d.Leave(); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(f.cmds, tc.want[:1]) {
				t.Fatalf("with DND already on: commands = %q, want only the query", f.cmds)
			}

			// A failing command is an error that names the adapter, and a
			// failed Enter does not make Leave turn anything off.
			f = &fakeRunner{answers: tc.answers, fail: tc.want[1]}
			d = tc.make(f.run)
			if err := d.Enter(); err == nil || !strings.Contains(err.Error(), tc.name) {
				t.Fatalf("Enter with failing command: %v", err)
			}
			if err := d.Leave(); err != nil || len(f.cmds) != 2 {
				t.Fatalf("Leave after failed Enter: %v, commands %q", err, f.cmds)
			}
		})
	}
}

func TestSelectDND(t *testing.T) {
	kde := func() (DND, error) { return NoDND{}, errors.New("kde stub") }
	tools := func(names ...string) func(string) bool {
		return func(n string) bool {
			for _, x := range names {
				if x == n {
					return true
				}
			}
			return false
		}
	}
	tests := []struct {
		setting string
		env     Environment
		want    string // adapter name, or "error"
	}{
		{"", Environment{ServerName: "dunst"}, "dunst"},
		{"auto", Environment{ServerName: "mako"}, "mako"},
		{"", Environment{ServerName: "SwayNotificationCenter"}, "swaync"},
		{"", Environment{ServerName: "gnome-shell"}, "gnome"},
		{"", Environment{Desktop: "ubuntu:GNOME"}, "gnome"},
		{"", Environment{ServerName: "Plasma"}, "error"}, // the kde stub's error
		{"", Environment{HasTool: tools("makoctl")}, "mako"},
		{"", Environment{ServerName: "xfce4-notifyd", HasTool: tools("dunstctl")}, "none"},
		{"", Environment{}, "none"},
		{"dunst", Environment{ServerName: "mako"}, "dunst"},
		{"none", Environment{ServerName: "dunst"}, "none"},
		{"bogus", Environment{}, "error"},
	}
	for _, tc := range tests {
		d, err := SelectDND(tc.setting, tc.env, (&fakeRunner{}).run, kde)
		got := "error"
		if err == nil {
			got = d.Name()
		}
		if got != tc.want {
			t.Errorf("SelectDND(%q, %+v) = %s (%v), want %s", tc.setting, tc.env, got, err, tc.want)
		}
	}
	if _, err := SelectDND("kde", Environment{}, (&fakeRunner{}).run, nil); err == nil {
		t.Error("kde without a constructor: no error")
	}
}
