package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestAutostartPath(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_CONFIG_HOME": "/x/cfg", "HOME": "/home/a"}, "/x/cfg/autostart/io.github.lullapp.lull.desktop"},
		{map[string]string{"HOME": "/home/a"}, "/home/a/.config/autostart/io.github.lullapp.lull.desktop"},
		// A relative XDG_CONFIG_HOME is invalid and ignored.
		{map[string]string{"XDG_CONFIG_HOME": "cfg", "HOME": "/home/a"}, "/home/a/.config/autostart/io.github.lullapp.lull.desktop"},
	}
	for _, tc := range tests {
		got, err := autostartPath(envOf(tc.env))
		if err != nil || got != tc.want {
			t.Errorf("%v: %q, %v; want %q", tc.env, got, err, tc.want)
		}
	}
	if _, err := autostartPath(envOf(nil)); err == nil {
		t.Error("no HOME and no XDG_CONFIG_HOME: no error")
	}
}

func TestAutostartWriteRemove(t *testing.T) {
	dir := t.TempDir()
	env := envOf(map[string]string{"XDG_CONFIG_HOME": dir, "HOME": "/nonexistent"})
	p := filepath.Join(dir, "autostart", autostartName)

	if autostartEnabled(env) {
		t.Fatal("enabled before anything was written")
	}
	exe := "/opt/Lull App/bin/lull"
	if err := setAutostart(env, exe, true); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	entry := string(b)
	for _, want := range []string{"[Desktop Entry]\n", "Type=Application\n", "Name=Lull\n", "Exec=\"/opt/Lull App/bin/lull\" --hidden\n"} {
		if !strings.Contains(entry, want) {
			t.Errorf("entry lacks %q:\n%s", want, entry)
		}
	}
	if !autostartEnabled(env) {
		t.Error("not enabled after writing")
	}
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("entry mode %v, %v", fi.Mode(), err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "autostart", ".lull-autostart-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}

	// Writing again replaces the entry (a moved binary).
	if err := setAutostart(env, "/usr/bin/lull", true); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); !strings.Contains(string(b), "Exec=/usr/bin/lull --hidden\n") {
		t.Errorf("entry not replaced:\n%s", b)
	}

	// A user who hid the entry in their session settings has it off.
	if err := os.WriteFile(p, []byte(autostartEntry("/usr/bin/lull")+"Hidden=true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if autostartEnabled(env) {
		t.Error("hidden entry counts as enabled")
	}

	if err := setAutostart(env, "", false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("entry still there: %v", err)
	}
	if err := setAutostart(env, "", false); err != nil {
		t.Errorf("removing twice: %v", err)
	}
	if autostartEnabled(env) {
		t.Error("enabled after removal")
	}
}

func TestAutostartRefusesBadPaths(t *testing.T) {
	env := envOf(map[string]string{"XDG_CONFIG_HOME": t.TempDir()})
	if err := setAutostart(env, "lull", true); err == nil {
		t.Error("relative path accepted")
	}
	if err := setAutostart(env, "/tmp/go-build123/b001/exe/lull", true); err != errAutostartTemporary {
		t.Errorf("go run binary: %v, want errAutostartTemporary", err)
	}
	if autostartEnabled(env) {
		t.Error("an entry was written for a refused path")
	}
}

func TestDesktopExecArg(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/usr/bin/lull", "/usr/bin/lull"},
		{"/opt/my apps/lull", `"/opt/my apps/lull"`},
		{`/opt/a"b/lull`, `"/opt/a\\"b/lull"`},
		{`/opt/$HOME/lull`, `"/opt/\\$HOME/lull"`},
		{`/opt/a\b/lull`, `"/opt/a\\\\b/lull"`},
		{"/opt/100%/lull", "/opt/100%%/lull"},
	}
	for _, tc := range tests {
		if got := desktopExecArg(tc.in); got != tc.want {
			t.Errorf("desktopExecArg(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
