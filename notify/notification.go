// Package notify holds incoming notifications while the user focuses and
// hands them over as scheduled digests outside focus blocks.
//
// The pipeline is intake (local API handler, command line, D-Bus capture on
// Linux) → rules (break through or hold) → durable queue in bbolt → digest
// scheduler → delivery through a Sender. While focusing, the desktop's own
// notification server is put in do-not-disturb through a DND adapter.
//
// notify learns whether the user is focusing through FocusState and reports
// breakthroughs through InterruptionSink; it never imports the focus engine.
package notify

import (
	"errors"
	"time"
)

// Priority is how important the sender says a notification is.
type Priority string

// The priorities the local API accepts. Urgent always asks to break through.
const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// Valid reports whether p is one of the four priorities.
func (p Priority) Valid() bool {
	switch p {
	case PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent:
		return true
	}
	return false
}

// Urgency is the freedesktop notification urgency hint (0 low, 1 normal,
// 2 critical).
type Urgency uint8

// The freedesktop urgency levels.
const (
	UrgencyLow      Urgency = 0
	UrgencyNormal   Urgency = 1
	UrgencyCritical Urgency = 2
)

// Origin says how a notification reached Lull; it decides when it is batched.
type Origin string

// The origins. API and CLI notifications are batched all day; desktop ones
// only during focus unless Config.BatchDesktopAllDay is set.
const (
	OriginAPI     Origin = "api"
	OriginCLI     Origin = "cli"
	OriginDesktop Origin = "desktop"
)

// Notification is one incoming notification, whatever its origin.
type Notification struct {
	// ID is assigned when the notification is committed: a time-ordered hex
	// key, unique in the database.
	ID string `json:"id"`
	// Source is who sent it: the API's "source" field, or the desktop app's
	// name for captured notifications. Rules and digests group by it.
	Source   string   `json:"source"`
	Title    string   `json:"title"`
	Body     string   `json:"body,omitempty"`
	Priority Priority `json:"priority"`
	URL      string   `json:"url,omitempty"`
	// Urgency is the freedesktop hint of captured notifications.
	Urgency Urgency `json:"urgency"`
	// App is the application name a desktop notification carried.
	App        string    `json:"app,omitempty"`
	Origin     Origin    `json:"origin"`
	ReceivedAt time.Time `json:"received_at"`
	// ServerID is the id the desktop notification server assigned to a
	// captured notification (0 when unknown); it lets Lull close the
	// original so it does not pop up after focus.
	ServerID uint32 `json:"server_id,omitempty"`
}

// Action is what the rules decided for a notification.
type Action string

// The actions. Held goes to the digest queue; Breakthrough reaches the user
// now (and is an interruption while focusing); Pass leaves a desktop
// notification to the desktop untouched.
const (
	ActionHold         Action = "held"
	ActionBreakthrough Action = "breakthrough"
	ActionPass         Action = "passed"
)

// Decision is the rules' verdict with a human-readable reason, stored with
// every notification.
type Decision struct {
	Action Action `json:"action"`
	Reason string `json:"reason"`
}

// Item is a stored notification with its decision. Identical repeats of a
// held notification collapse into one Item whose Count grows.
type Item struct {
	Notification
	Decision Decision `json:"decision"`
	// Count is how many identical notifications this item stands for.
	Count int `json:"count"`
	// LastAt is when the latest of those arrived.
	LastAt time.Time `json:"last_at"`
	// Read is set by MarkRead in the digest view.
	Read bool `json:"read,omitempty"`
}

// Interruption is a breakthrough that reached the user while focusing.
type Interruption struct {
	At     time.Time
	Source string
	Title  string
	Reason string
	// NotificationID is the stored notification's ID.
	NotificationID string
}

// FocusState tells notify whether the user is focusing now and, if so,
// until when (zero when open-ended). The focus engine satisfies it.
type FocusState interface {
	Focusing() (bool, time.Time)
}

// InterruptionSink records breakthroughs that happened during focus against
// the running session. The focus engine satisfies it.
type InterruptionSink interface {
	RecordInterruption(Interruption)
}

// Message is one OS notification Lull shows.
type Message struct {
	Title  string
	Body   string
	Urgent bool
}

// Sender shows one OS notification (beeep in production, a recorder in
// tests).
type Sender interface {
	Send(Message) error
}

// Closer closes a notification the desktop's notification server still holds
// (org.freedesktop.Notifications.CloseNotification), so a held original
// does not pop up after focus.
type Closer interface {
	CloseNotification(id uint32) error
}

// Sentinel errors, checked with errors.Is.
var (
	// ErrInvalid wraps every validation failure of an incoming notification.
	ErrInvalid = errors.New("invalid notification")
	// ErrNotFound means no digest or item has the given ID.
	ErrNotFound = errors.New("not found")
	// ErrClosed means the queue was closed.
	ErrClosed = errors.New("notification queue is closed")
	// ErrJournalDamaged marks what opening the queue found wrong with its
	// journal (Queue.Problems): Lull still starts, with what it could read.
	ErrJournalDamaged = errors.New("the notification journal was damaged")
)
