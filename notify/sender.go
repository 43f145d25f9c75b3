package notify

import (
	"fmt"

	"github.com/gen2brain/beeep"
)

// AppName is the application name Lull's own notifications carry; the
// desktop capture ignores notifications with it, so Lull never captures
// itself.
const AppName = "Lull"

// BeeepSender shows notifications with beeep (D-Bus on Linux, falling back
// to notify-send; toast on Windows; osascript on macOS).
type BeeepSender struct{}

// NewBeeepSender returns the production Sender. It sets beeep's
// package-wide AppName to AppName (beeep offers no per-call name), so call it
// once at start-up.
func NewBeeepSender() BeeepSender {
	beeep.AppName = AppName
	return BeeepSender{}
}

// Send shows m as one OS notification.
func (BeeepSender) Send(m Message) error {
	if err := beeep.Notify(m.Title, m.Body, ""); err != nil {
		return fmt.Errorf("show notification %q: %w", m.Title, err)
	}
	return nil
}

// splitSender shows urgent messages (breakthroughs) through one Sender and
// the rest (digests) through another.
type splitSender struct{ normal, urgent Sender }

func (s splitSender) Send(m Message) error {
	if m.Urgent {
		return s.urgent.Send(m)
	}
	return s.normal.Send(m)
}

// NewSender returns the production Sender: digests through beeep, and, when
// bus is not nil (Linux with a session bus), breakthroughs through bus with
// the critical urgency hint so that servers which let critical
// notifications through their do-not-disturb show them.
func NewSender(bus *Bus) Sender {
	b := NewBeeepSender()
	if bus == nil {
		return b
	}
	return splitSender{normal: plainSender{next: b, caps: bus}, urgent: bus}
}
