//go:build linux

package notify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/lullapp/lull/internal/clock"
)

// ErrUnsupported means desktop capture and D-Bus control exist only on Linux.
var ErrUnsupported = errors.New("desktop notification capture is only available on Linux")

const (
	fdoName  = "org.freedesktop.Notifications"
	fdoPath  = dbus.ObjectPath("/org/freedesktop/Notifications")
	fdoIface = "org.freedesktop.Notifications"
)

// CaptureConfig configures StartCapture.
type CaptureConfig struct {
	// Submitter receives every captured notification (the Service).
	Submitter Submitter
	// Clock dates pending Notify calls whose reply never comes.
	Clock clock.Clock
	// IgnoreApps are app names never captured; AppName is always ignored.
	IgnoreApps []string
	// IgnoreSenders are D-Bus unique names never captured, such as the
	// connection Lull's own Sender uses (the Bus's UniqueName, beeep's shared
	// session connection).
	IgnoreSenders []string
	// Logf reports problems; default discards.
	Logf func(format string, args ...any)
}

// Capture watches the session bus for Notify calls from every application
// (a D-Bus monitor connection) and submits them, with the id the server
// assigned, once the server has replied.
type Capture struct {
	cfg  CaptureConfig
	conn *dbus.Conn
	done chan struct{}

	mu      sync.Mutex
	pending map[callKey]pendingCall
}

type callKey struct {
	sender string
	serial uint32
}

type pendingCall struct {
	n  Notification
	at time.Time
}

// replyTimeout is how long a Notify call waits for its reply before it is
// submitted without a server id.
const replyTimeout = 5 * time.Second

// StartCapture connects a monitor to the session bus and captures until ctx
// ends; Done is closed when it has stopped.
func StartCapture(ctx context.Context, cfg CaptureConfig) (*Capture, error) {
	if cfg.Submitter == nil || cfg.Clock == nil {
		return nil, fmt.Errorf("desktop capture: Submitter and Clock are required")
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return nil, fmt.Errorf("desktop capture: connect to the session bus: %w", err)
	}
	c := &Capture{cfg: cfg, conn: conn, done: make(chan struct{}), pending: map[callKey]pendingCall{}}
	cfg.IgnoreSenders = append(cfg.IgnoreSenders, conn.Names()...)
	c.cfg = cfg
	rules := []string{
		"type='method_call',interface='" + fdoIface + "',member='Notify'",
		"type='method_return',sender='" + fdoName + "'",
		"type='error',sender='" + fdoName + "'",
	}
	if call := conn.BusObject().Call("org.freedesktop.DBus.Monitoring.BecomeMonitor", 0, rules, uint32(0)); call.Err != nil {
		conn.Close()
		return nil, fmt.Errorf("desktop capture: become a D-Bus monitor: %w", call.Err)
	}
	ch := make(chan *dbus.Message, 512)
	conn.Eavesdrop(ch)
	go c.loop(ctx, ch)
	return c, nil
}

// Done is closed when the capture has stopped.
func (c *Capture) Done() <-chan struct{} { return c.done }

func (c *Capture) loop(ctx context.Context, ch <-chan *dbus.Message) {
	defer close(c.done)
	defer c.conn.Close()
	tick := time.NewTicker(time.Second) // only to expire replies that never came
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			c.expire(ctx)
		case msg := <-ch:
			c.handle(ctx, msg)
		}
	}
}

func header[T any](msg *dbus.Message, f dbus.HeaderField) T {
	var zero T
	v, ok := msg.Headers[f]
	if !ok {
		return zero
	}
	t, _ := v.Value().(T)
	return t
}

func (c *Capture) handle(ctx context.Context, msg *dbus.Message) {
	switch msg.Type {
	case dbus.TypeMethodCall:
		if header[string](msg, dbus.FieldMember) == "Notify" && header[string](msg, dbus.FieldInterface) == fdoIface {
			c.onCall(header[string](msg, dbus.FieldSender), msg.Serial(), msg.Body)
		}
	case dbus.TypeMethodReply, dbus.TypeError:
		c.onReply(ctx, header[string](msg, dbus.FieldDestination), header[uint32](msg, dbus.FieldReplySerial),
			msg.Type == dbus.TypeMethodReply, msg.Body)
	}
}

// onCall records a Notify call until the server's reply tells its id.
func (c *Capture) onCall(sender string, serial uint32, body []any) {
	n, ok := ParseNotify(body)
	if !ok || c.ignored(sender, n) {
		return
	}
	c.mu.Lock()
	c.pending[callKey{sender, serial}] = pendingCall{n, c.cfg.Clock.Now()}
	c.mu.Unlock()
}

// onReply submits the Notify call a reply (or error) answers, with the id
// the server assigned.
func (c *Capture) onReply(ctx context.Context, dest string, replySerial uint32, ok bool, body []any) {
	key := callKey{dest, replySerial}
	c.mu.Lock()
	p, found := c.pending[key]
	delete(c.pending, key)
	c.mu.Unlock()
	if !found {
		return
	}
	if ok && len(body) == 1 {
		p.n.ServerID, _ = body[0].(uint32)
	}
	c.submit(ctx, p.n)
}

func (c *Capture) expire(ctx context.Context) {
	now := c.cfg.Clock.Now()
	var late []Notification
	c.mu.Lock()
	for k, p := range c.pending {
		if now.Sub(p.at) > replyTimeout {
			late = append(late, p.n)
			delete(c.pending, k)
		}
	}
	c.mu.Unlock()
	for _, n := range late {
		c.submit(ctx, n)
	}
}

func (c *Capture) submit(ctx context.Context, n Notification) {
	if _, err := c.cfg.Submitter.Submit(ctx, []Notification{n}); err != nil {
		c.cfg.Logf("desktop capture: store notification from %s: %v", n.App, err)
	}
}

func (c *Capture) ignored(sender string, n Notification) bool {
	if strings.EqualFold(n.App, AppName) {
		return true
	}
	for _, a := range c.cfg.IgnoreApps {
		if strings.EqualFold(a, n.App) {
			return true
		}
	}
	for _, s := range c.cfg.IgnoreSenders {
		if s != "" && s == sender {
			return true
		}
	}
	return false
}

// ParseNotify reads the body of an org.freedesktop.Notifications.Notify call
// (app_name, replaces_id, app_icon, summary, body, actions, hints,
// expire_timeout) into a desktop Notification; ok is false for a body of the
// wrong shape.
func ParseNotify(body []any) (n Notification, ok bool) {
	if len(body) < 7 {
		return n, false
	}
	app, ok1 := body[0].(string)
	summary, ok2 := body[3].(string)
	text, ok3 := body[4].(string)
	hints, ok4 := body[6].(map[string]dbus.Variant)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return n, false
	}
	src := strings.TrimSpace(app)
	if src == "" {
		src = "desktop"
	}
	n = Notification{Source: truncate(src, MaxSource), App: app, Title: truncate(summary, MaxTitle),
		Body: truncate(text, MaxBody), Priority: PriorityNormal, Urgency: UrgencyNormal, Origin: OriginDesktop}
	if v, found := hints["urgency"]; found {
		switch u := v.Value().(type) {
		case byte:
			n.Urgency = Urgency(min(u, 2))
		case uint32:
			n.Urgency = Urgency(min(u, 2))
		case int32:
			n.Urgency = Urgency(min(max(u, 0), 2))
		}
	}
	if n.Title == "" {
		n.Title = "(no title)"
	}
	return n, true
}

// truncate cuts s to at most limit runes.
func truncate(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	r := []rune(s)
	if len(r) <= limit {
		return s
	}
	return string(r[:limit])
}

// Bus is Lull's control connection to the session bus: it closes held
// originals on the notification server, asks the server's name (to choose a
// DND adapter) and talks to KDE's inhibition.
type Bus struct {
	conn *dbus.Conn
	// click tracks notifications sent with SendClickable.
	click clickable
	// markup caches the server's body-markup capability once known.
	markupMu    sync.Mutex
	markupKnown bool
	markup      bool
}

// OpenBus opens a private session-bus connection; Close closes it.
func OpenBus() (*Bus, error) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return nil, fmt.Errorf("connect to the session bus: %w", err)
	}
	return &Bus{conn: conn, click: clickable{onAction: map[uint32]func(){}}}, nil
}

// Close closes the connection.
func (b *Bus) Close() error { return b.conn.Close() }

// UniqueName is the connection's bus name, to give the capture as an
// ignored sender.
func (b *Bus) UniqueName() string {
	if names := b.conn.Names(); len(names) > 0 {
		return names[0]
	}
	return ""
}

func (b *Bus) server() dbus.BusObject { return b.conn.Object(fdoName, fdoPath) }

// CloseNotification asks the notification server to close notification id
// (held originals, so they do not show after focus).
func (b *Bus) CloseNotification(id uint32) error {
	if err := b.server().Call(fdoIface+".CloseNotification", 0, id).Err; err != nil {
		return fmt.Errorf("close notification %d: %w", id, err)
	}
	return nil
}

// ServerName returns the running notification server's name
// (GetServerInformation), without starting one by D-Bus activation.
func (b *Bus) ServerName() (string, error) {
	var owned bool
	if err := b.conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, fdoName).Store(&owned); err != nil {
		return "", fmt.Errorf("notification server: %w", err)
	}
	if !owned {
		return "", nil
	}
	var name, vendor, version, spec string
	if err := b.server().Call(fdoIface+".GetServerInformation", dbus.FlagNoAutoStart).Store(&name, &vendor, &version, &spec); err != nil {
		return "", fmt.Errorf("notification server information: %w", err)
	}
	return name, nil
}

// kdeDND inhibits notifications on KDE Plasma through
// org.freedesktop.Notifications.Inhibit, keeping the cookie for UnInhibit.
// Inhibitions stack, so a user's own DND is never undone.
type kdeDND struct {
	b *Bus

	mu     sync.Mutex
	cookie uint32
	held   bool
}

// NewKDE returns the KDE Plasma adapter.
func (b *Bus) NewKDE() (DND, error) { return &kdeDND{b: b}, nil }

func (k *kdeDND) Name() string { return "kde" }

func (k *kdeDND) Enter() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.held {
		return nil
	}
	var cookie uint32
	hints := map[string]dbus.Variant{}
	if err := k.b.server().Call(fdoIface+".Inhibit", 0, AppName, "Focus time", hints).Store(&cookie); err != nil {
		return fmt.Errorf("kde do-not-disturb: inhibit: %w", err)
	}
	k.cookie, k.held = cookie, true
	return nil
}

func (k *kdeDND) Leave() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.held {
		return nil
	}
	if err := k.b.server().Call(fdoIface+".UnInhibit", 0, k.cookie).Err; err != nil {
		return fmt.Errorf("kde do-not-disturb: uninhibit %d: %w", k.cookie, err)
	}
	k.held = false
	return nil
}

// BodyMarkup reports whether the notification server reads markup in the
// body (its "body-markup" capability), asked once per connection. When the
// server cannot be asked it answers true (and asks again next time):
// escaping plain text is the safe side, markup from a source is not.
func (b *Bus) BodyMarkup() bool {
	b.markupMu.Lock()
	defer b.markupMu.Unlock()
	if b.markupKnown {
		return b.markup
	}
	var caps []string
	if err := b.server().Call(fdoIface+".GetCapabilities", 0).Store(&caps); err != nil {
		return true
	}
	b.markupKnown, b.markup = true, slices.Contains(caps, bodyMarkupCap)
	return b.markup
}

// Send shows m through the notification server directly, as app AppName
// with the urgency hint critical for urgent messages (beeep cannot set it
// without also ringing the terminal bell).
func (b *Bus) Send(m Message) error {
	urgency := byte(UrgencyNormal)
	if m.Urgent {
		urgency = byte(UrgencyCritical)
	}
	hints := map[string]dbus.Variant{"urgency": dbus.MakeVariant(urgency)}
	call := b.server().Call(fdoIface+".Notify", 0, AppName, uint32(0), "", m.Title, bodyText(m.Body, b.BodyMarkup()), []string{}, hints, int32(-1))
	if call.Err != nil {
		return fmt.Errorf("show notification %q: %w", m.Title, call.Err)
	}
	return nil
}
