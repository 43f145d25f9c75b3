package hook

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestExampleScripts: the scripts in docs/hooks do what their comments say
// when Lull runs them, against stand-ins for playerctl, gsettings and curl
// that record how they were called; each names its `lull hooks add` line.
func TestExampleScripts(t *testing.T) {
	bin, calls := t.TempDir(), filepath.Join(t.TempDir(), "calls")
	for name, body := range map[string]string{
		"playerctl": `echo "playerctl $*" >> ` + calls + `
case "$*" in
--list-all) echo spotify; echo vlc ;;
--player=spotify\ status) echo Playing ;;
--player=vlc\ status) echo Paused ;;
esac`,
		"gsettings": `echo "gsettings $*" >> ` + calls,
		"curl":      `echo "curl $* stdin=$(cat)" >> ` + calls,
	} {
		script(t, bin, name, body)
	}
	t.Setenv("PATH", bin+":"+os.Getenv("PATH"))
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	urlFile := filepath.Join(t.TempDir(), "chat-webhook")
	os.WriteFile(urlFile, []byte("https://chat.example.com/hooks/SECRETKEY"), 0o600)
	t.Setenv("LULL_WEBHOOK_FILE", urlFile)

	docs, _ := filepath.Abs(filepath.Join("..", "docs", "hooks"))
	for _, tc := range []struct {
		script string
		want   []string
	}{
		{"pause-media.sh", []string{"playerctl --player=spotify pause", "playerctl --player=spotify play"}},
		{"gnome-dnd.sh", []string{"gsettings set org.gnome.desktop.notifications show-banners false", "gsettings set org.gnome.desktop.notifications show-banners true"}},
		{"post-webhook.sh", []string{`--data {"text":"Focusing for 50 min`, `--data {"text":"Back from 25 min of focus (2 interruptions)"}`, `stdin=url = "https://chat.example.com/hooks/SECRETKEY"`}},
	} {
		t.Run(tc.script, func(t *testing.T) {
			os.Remove(calls)
			path := filepath.Join(docs, tc.script)
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range []string{FocusStarted, FocusEnded} {
				if !strings.Contains(string(src), "lull hooks add "+e) {
					t.Errorf("%s does not show its `lull hooks add %s` line", tc.script, e)
				}
			}
			r := newRig(t, nil)
			on := r.addExec(t, FocusStarted, path)
			off := r.addExec(t, FocusEnded, path)
			r.runner.Fire(FocusStarted, FocusStart{Start: at, PlannedEnd: at.Add(50 * time.Minute), PlannedMinutes: 50})
			if res := r.waitLast(t, on.ID); !res.OK {
				t.Fatalf("focus.started: %+v\n%s", res, r.log)
			}
			r.runner.Fire(FocusEnded, FocusEnd{Minutes: 25, Interruptions: 2})
			if res := r.waitLast(t, off.ID); !res.OK {
				t.Fatalf("focus.ended: %+v\n%s", res, r.log)
			}
			got, _ := os.ReadFile(calls)
			for _, w := range tc.want {
				if !strings.Contains(string(got), w) {
					t.Errorf("no call %q in:\n%s", w, got)
				}
			}
			if strings.Contains(string(got), "vlc pause") || strings.Contains(string(got), "vlc play") {
				t.Errorf("a player that was not playing was touched:\n%s", got)
			}
			for _, line := range strings.Split(string(got), "\n") {
				if before, _, _ := strings.Cut(line, " stdin="); strings.Contains(before, "SECRETKEY") {
					t.Errorf("the webhook address is an argument: %s", line)
				}
			}
		})
	}
}
