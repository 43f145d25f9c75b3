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
