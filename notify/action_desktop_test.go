//go:build desktop && linux

package notify

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestDesktopDigestClickOpens: a digest sent with SendClickable calls back
// when the user activates it in the notification server (dunst here:
// `dunstctl action` performs the default action of the notification shown).
func TestDesktopDigestClickOpens(t *testing.T) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Skip("no session bus (run inside dbus-run-session with dunst)")
	}
	if _, err := exec.LookPath("dunstctl"); err != nil {
		t.Skip("dunst not installed")
	}
	exec.Command("dunstctl", "set-paused", "false").Run()
	exec.Command("dunstctl", "close-all").Run()
	bus, err := OpenBus()
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	clicked := make(chan struct{}, 1)
	if err := bus.SendClickable(Message{Title: "Lull — 3 held", Body: "ci 2 · mail 1"}, func() { clicked <- struct{}{} }); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		out, _ := exec.Command("dunstctl", "count", "displayed").Output()
		if strings.TrimSpace(string(out)) != "0" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("dunst never displayed the digest")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if out, err := exec.Command("dunstctl", "action", "0").CombinedOutput(); err != nil {
		t.Fatalf("dunstctl action: %v %s", err, out)
	}
	select {
	case <-clicked:
	case <-time.After(5 * time.Second):
		t.Fatal("activating the digest did not call back")
	}
}
