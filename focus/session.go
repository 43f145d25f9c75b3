package focus

import (
	"encoding/binary"
	"fmt"
	"time"
	"unicode/utf8"
)

// Kind says how a session began.
type Kind uint8

const (
	// Manual sessions were started by the user (window, tray, CLI, API).
	Manual Kind = iota + 1
	// Scheduled sessions were started by an accepted focus block.
	Scheduled
)

// String returns "manual" or "scheduled".
func (k Kind) String() string {
	switch k {
	case Manual:
		return "manual"
	case Scheduled:
		return "scheduled"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// MarshalText encodes the kind as its name for JSON exports.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Outcome says how a session ended.
type Outcome uint8

const (
	// Running means the session has not ended yet.
	Running Outcome = iota
	// Completed means it reached its planned end, or an open-ended session
	// was stopped by the user.
	Completed
	// StoppedEarly means the user (or quitting Lull) stopped it before its
	// planned end; for a scheduled session the block was ended early.
	StoppedEarly
	// Crashed means Lull died while it ran; it was closed at its last
	// heartbeat when Lull started again.
	Crashed
	// Suspended means the computer slept while it ran (its heartbeats
	// stopped while the process lived on); it was closed at its last
	// heartbeat, so sleep never counts as focus.
	Suspended
	// Quit means Lull was quit (or the session logged out) before the
	// planned end. Unlike StoppedEarly, the user did not stop the focus: a
	// block still under way when Lull starts again resumes.
	Quit
)

// String returns "running", "completed", "stopped-early", "crashed",
// "suspended" or "quit".
func (o Outcome) String() string {
	switch o {
	case Running:
		return "running"
	case Completed:
		return "completed"
	case StoppedEarly:
		return "stopped-early"
	case Crashed:
		return "crashed"
	case Suspended:
		return "suspended"
	case Quit:
		return "quit"
	}
	return fmt.Sprintf("outcome(%d)", uint8(o))
}

// MarshalText encodes the outcome as its name for JSON exports.
func (o Outcome) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// Interruption is a breakthrough notification that reached the user during
// a focus session. notify supplies it; focus only stores and reports it.
type Interruption struct {
	// ID is notify's id for the notification.
	ID string `json:"id"`
	// Source is who sent it (app name, "ci", a sender address).
	Source string `json:"source"`
	// Title is the notification's title, truncated to MaxTitleBytes.
	Title string `json:"title"`
	// At is when it broke through.
	At time.Time `json:"at"`
	// Reason says why it broke through, in words ("urgent", "VIP: pager",
	// "3rd message from Alice in Slack within 15 min"); cut to
	// MaxTitleBytes. Empty in sessions recorded before reasons were kept.
	Reason string `json:"reason,omitempty"`
}

// MaxTitleBytes bounds a stored interruption title so one noisy sender cannot
// bloat the log; longer titles are cut at a rune boundary.
const MaxTitleBytes = 80

// Session is one focus session as recorded in the log.
type Session struct {
	// ID is the session's stable id (the hex form of its log key).
	ID string `json:"id"`
	// Kind says whether it was started by hand or by a block.
	Kind Kind `json:"kind"`
	// Start is when focus began.
	Start time.Time `json:"start"`
	// PlannedEnd is when it is (or was) due to end; zero for open-ended.
	PlannedEnd time.Time `json:"planned_end,omitzero"`
	// End is when it actually ended; zero while running.
	End time.Time `json:"end,omitzero"`
	// LastAlive is the last heartbeat written while it ran.
	LastAlive time.Time `json:"last_alive"`
	// BlockID is the accepted block it ran for, if any (a manual session
	// takes the id of a block that starts while it runs).
	BlockID string `json:"block_id,omitempty"`
	// Outcome says how it ended.
	Outcome Outcome `json:"outcome"`
	// Interruptions are the breakthroughs during the session, oldest first.
	Interruptions []Interruption `json:"interruptions,omitempty"`
}

// until returns the end to count the session to: its End, or for a session
// still marked running, its last heartbeat (the engine substitutes now for
// the live session).
func (s *Session) until() time.Time {
	if !s.End.IsZero() {
		return s.End
	}
	return s.LastAlive
}

// Duration returns how long the session lasted (to its last heartbeat while
// it is still marked running). It is computed on absolute instants, so DST
// and time-zone changes do not affect it.
func (s *Session) Duration() time.Duration { return s.until().Sub(s.Start) }

// recordVersion is the first byte of every encoded session. Version 1
// records have no interruption reasons; they are still read.
const recordVersion = 2

// encode writes the session's value (the key carries Start and the id) in a
// compact binary form: version, kind, outcome, then times as nanosecond
// offsets from Start (uvarint, 0 meaning "none"), then the block id and the
// interruptions as length-prefixed strings.
func (s *Session) encode() []byte {
	b := make([]byte, 0, 32+len(s.BlockID))
	b = append(b, recordVersion, byte(s.Kind), byte(s.Outcome))
	b = appendOffset(b, s.Start, s.PlannedEnd)
	b = appendOffset(b, s.Start, s.End)
	b = appendOffset(b, s.Start, s.LastAlive)
	b = appendString(b, s.BlockID)
	b = binary.AppendUvarint(b, uint64(len(s.Interruptions)))
	for _, in := range s.Interruptions {
		b = appendString(b, in.ID)
		b = appendString(b, in.Source)
		b = appendString(b, in.Title)
		b = binary.AppendVarint(b, in.At.Sub(s.Start).Nanoseconds())
		b = appendString(b, in.Reason)
	}
	return b
}

func appendOffset(b []byte, start, t time.Time) []byte {
	if t.IsZero() {
		return binary.AppendUvarint(b, 0)
	}
	d := t.Sub(start)
	if d < 0 {
		d = 0
	}
	return binary.AppendUvarint(b, uint64(d)+1)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// truncate cuts s to at most n bytes without splitting a rune.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// decoder reads an encoded session, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = fmt.Errorf("%w: truncated number", ErrCorruptRecord)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = fmt.Errorf("%w: truncated number", ErrCorruptRecord)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) str() string {
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	if n > uint64(len(d.b)) {
		d.err = fmt.Errorf("%w: string of %d bytes overruns record", ErrCorruptRecord, n)
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) offset(start time.Time) time.Time {
	v := d.uvarint()
	if v == 0 || d.err != nil {
		return time.Time{}
	}
	if v > 1<<62 {
		d.err = fmt.Errorf("%w: time offset out of range", ErrCorruptRecord)
		return time.Time{}
	}
	return start.Add(time.Duration(v - 1))
}

// decodeSession decodes a key/value pair written by Log.
func decodeSession(k, v []byte) (Session, error) {
	if len(k) != 16 {
		return Session{}, fmt.Errorf("%w: key of %d bytes", ErrCorruptRecord, len(k))
	}
	if len(v) < 3 || v[0] < 1 || v[0] > recordVersion {
		return Session{}, fmt.Errorf("%w: unknown record version", ErrCorruptRecord)
	}
	s := Session{ID: keyID(k), Start: keyTime(k), Kind: Kind(v[1]), Outcome: Outcome(v[2])}
	if s.Kind != Manual && s.Kind != Scheduled || s.Outcome > Quit {
		return Session{}, fmt.Errorf("%w: session %s: bad kind or outcome", ErrCorruptRecord, s.ID)
	}
	d := decoder{b: v[3:]}
	s.PlannedEnd = d.offset(s.Start)
	s.End = d.offset(s.Start)
	s.LastAlive = d.offset(s.Start)
	s.BlockID = d.str()
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		return Session{}, fmt.Errorf("%w: session %s: %d interruptions overrun record", ErrCorruptRecord, s.ID, n)
	}
	for i := uint64(0); i < n && d.err == nil; i++ {
		in := Interruption{ID: d.str(), Source: d.str(), Title: d.str()}
		in.At = s.Start.Add(time.Duration(d.varint()))
		if v[0] >= 2 {
			in.Reason = d.str()
		}
		s.Interruptions = append(s.Interruptions, in)
	}
	if d.err != nil {
		return Session{}, fmt.Errorf("session %s: %w", s.ID, d.err)
	}
	return s, nil
}

// UnmarshalText parses a kind name, so API clients can decode State and
// exported sessions.
func (k *Kind) UnmarshalText(b []byte) error {
	for _, c := range []Kind{Manual, Scheduled} {
		if string(b) == c.String() {
			*k = c
			return nil
		}
	}
	return fmt.Errorf("unknown session kind %q", b)
}

// UnmarshalText parses an outcome name.
func (o *Outcome) UnmarshalText(b []byte) error {
	for _, c := range []Outcome{Running, Completed, StoppedEarly, Crashed, Suspended, Quit} {
		if string(b) == c.String() {
			*o = c
			return nil
		}
	}
	return fmt.Errorf("unknown session outcome %q", b)
}
