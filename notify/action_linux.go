//go:build linux

package notify

import (
	"fmt"
	"sync"

	"github.com/godbus/dbus/v5"
)

// clickable remembers which shown notifications open something when
// clicked, by the server's notification id.
type clickable struct {
	once     sync.Once // subscribes on first use
	mu       sync.Mutex
	onAction map[uint32]func()
	err      error
}

// listen subscribes once to ActionInvoked and NotificationClosed.
func (b *Bus) listen(c *clickable) error {
	c.once.Do(func() {
		for _, member := range []string{"ActionInvoked", "NotificationClosed"} {
			if err := b.conn.AddMatchSignal(dbus.WithMatchInterface(fdoIface), dbus.WithMatchMember(member)); err != nil {
				c.err = fmt.Errorf("listen for notification clicks: %w", err)
				return
			}
		}
		ch := make(chan *dbus.Signal, 16)
		b.conn.Signal(ch)
		go func() {
			for sig := range ch {
				if len(sig.Body) == 0 {
					continue
				}
				id, ok := sig.Body[0].(uint32)
				if !ok {
					continue
				}
				c.mu.Lock()
				f := c.onAction[id]
				switch sig.Name {
				case fdoIface + ".ActionInvoked", fdoIface + ".NotificationClosed":
					delete(c.onAction, id)
				}
				c.mu.Unlock()
				if f != nil && sig.Name == fdoIface+".ActionInvoked" {
					go f()
				}
			}
		}()
	})
	return c.err
}

// SendClickable shows m as app AppName with a default action: clicking the
// notification (or its "Open" button) calls onClick. This is how a digest
// opens Lull's Digest tab where the desktop supports notification actions.
func (b *Bus) SendClickable(m Message, onClick func()) error {
	c := &b.click
	if err := b.listen(c); err != nil {
		return err
	}
	urgency := byte(UrgencyNormal)
	if m.Urgent {
		urgency = byte(UrgencyCritical)
	}
	hints := map[string]dbus.Variant{"urgency": dbus.MakeVariant(urgency)}
	var id uint32
	err := b.server().Call(fdoIface+".Notify", 0, AppName, uint32(0), "", m.Title, bodyText(m.Body, b.BodyMarkup()),
		[]string{"default", "Open", "open", "Open digest"}, hints, int32(-1)).Store(&id)
	if err != nil {
		return fmt.Errorf("show notification %q: %w", m.Title, err)
	}
	c.mu.Lock()
	c.onAction[id] = onClick
	c.mu.Unlock()
	return nil
}
