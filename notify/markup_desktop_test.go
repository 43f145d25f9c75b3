//go:build desktop && linux

package notify

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestDesktopMarkupEscaped sends Lull's own notifications whose body
// holds markup characters to a real dunst (which advertises body-markup):
// every path (beeep for digests, the bus for breakthroughs, the clickable
// digest) sends the body escaped, and dunst shows the text as written.
func TestDesktopMarkupEscaped(t *testing.T) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Skip("no session bus (run inside dbus-run-session)")
	}
	if _, err := exec.LookPath("dunst"); err != nil {
		t.Skip("dunst not installed")
	}
	waitFor(t, "dunst to answer", func() bool { return exec.Command("dunstctl", "is-paused").Run() == nil })
	sh(t, "dunstctl", "set-paused", "false")
	sh(t, "dunstctl", "close-all")
	watch := watchBus(t)
	bus, err := OpenBus()
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	if !bus.BodyMarkup() {
		t.Fatal("dunst does not advertise body-markup; the test needs a server that reads markup")
	}
	const body = "<b>CI</b> 3 · Q&A 1"
	const escaped = "&lt;b&gt;CI&lt;/b&gt; 3 · Q&amp;A 1"
	sends := []struct {
		name string
		send func(Message) error
	}{
		{"digest through beeep", NewSender(bus).Send},
		{"breakthrough through the bus", func(m Message) error { m.Urgent = true; return NewSender(bus).Send(m) }},
		{"clickable digest", func(m Message) error { return bus.SendClickable(m, func() {}) }},
	}
	for i, s := range sends {
		if err := s.send(Message{Title: "<i>src</i>: " + s.name, Body: body}); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		waitFor(t, s.name+" on the bus", func() bool { return len(watch.from(AppName)) == i+1 })
		if got := watch.from(AppName)[i].Body; got != escaped {
			t.Errorf("%s: body on the bus %q, want %q", s.name, got, escaped)
		}
	}
	sh(t, "dunstctl", "close-all")
	// What dunst renders (its "message", Pango markup) shows the text as
	// written: markup characters escaped in the body, and in the summary,
	// which dunst escapes itself (it is plain text by the specification).
	var hist struct {
		Data [][]map[string]struct {
			Data any `json:"data"`
		} `json:"data"`
	}
	out := sh(t, "dunstctl", "history")
	if err := json.Unmarshal([]byte(out), &hist); err != nil || len(hist.Data) == 0 {
		t.Fatalf("dunstctl history: %v\n%s", err, out)
	}
	shown := 0
	for _, n := range hist.Data[0] {
		if summary, _ := n["summary"].Data.(string); n["appname"].Data != AppName || !strings.HasPrefix(summary, "<i>src</i>: ") {
			continue // another test's notification in this shared session
		}
		shown++
		msg, _ := n["message"].Data.(string)
		if !strings.Contains(msg, escaped) || strings.Contains(msg, "<b>CI</b>") || !strings.Contains(msg, "&lt;i&gt;src&lt;/i&gt;") {
			t.Errorf("dunst renders %q: markup from the text is read as markup", msg)
		}
	}
	if shown != len(sends) {
		t.Errorf("dunst history holds %d of this test's notifications, want %d:\n%s", shown, len(sends), out)
	}
}
