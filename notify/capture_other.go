//go:build !linux

package notify

import (
	"context"
	"errors"

	"github.com/lullapp/lull/internal/clock"
)

// ErrUnsupported means desktop capture and D-Bus control exist only on Linux.
var ErrUnsupported = errors.New("desktop notification capture is only available on Linux")

// CaptureConfig configures StartCapture.
type CaptureConfig struct {
	Submitter     Submitter
	Clock         clock.Clock
	IgnoreApps    []string
	IgnoreSenders []string
	Logf          func(format string, args ...any)
}

// Capture is a no-op outside Linux.
type Capture struct{}

// StartCapture returns ErrUnsupported outside Linux; the caller carries on
// without desktop capture.
func StartCapture(ctx context.Context, cfg CaptureConfig) (*Capture, error) {
	return nil, ErrUnsupported
}

// Done is closed when the capture has stopped; outside Linux it never runs.
func (c *Capture) Done() <-chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}

// Bus is the D-Bus control connection; outside Linux it does nothing.
type Bus struct{}

// OpenBus returns ErrUnsupported outside Linux.
func OpenBus() (*Bus, error) { return nil, ErrUnsupported }

// Close does nothing outside Linux.
func (b *Bus) Close() error { return nil }

// CloseNotification returns ErrUnsupported outside Linux.
func (b *Bus) CloseNotification(id uint32) error { return ErrUnsupported }

// ServerName returns "" outside Linux.
func (b *Bus) ServerName() (string, error) { return "", ErrUnsupported }

// UniqueName returns "" outside Linux.
func (b *Bus) UniqueName() string { return "" }

// NewKDE returns ErrUnsupported outside Linux.
func (b *Bus) NewKDE() (DND, error) { return nil, ErrUnsupported }

// Send returns ErrUnsupported outside Linux.
func (b *Bus) Send(m Message) error { return ErrUnsupported }

// SendClickable is not available outside Linux.
func (b *Bus) SendClickable(m Message, onClick func()) error { return ErrUnsupported }

// BodyMarkup is false outside Linux: no freedesktop server reads the body.
func (b *Bus) BodyMarkup() bool { return false }
