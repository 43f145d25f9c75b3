// Package human holds values as a person types and reads them: lengths of
// time ("1 h 30 min", typed as "25m", "1h30" or "90"), --from/--to ranges of
// days and times, counts ("twice"), and the error that names the value a
// person typed wrong, says why in their terms and shows a right one.
// Everything a person reads from the command line, the settings and the
// local API goes through here, so no Go duration syntax ("1h0m0s"), Go type
// name or UTC stamp reaches them.
package human

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrBadDuration wraps every length of time that cannot be read or is
	// out of range.
	ErrBadDuration = errors.New("bad duration")
	// ErrBadDate wraps every date, time or range that cannot be read or
	// ends before it starts.
	ErrBadDate = errors.New("bad date")
)

// FieldError says which value a person typed is wrong, why, and what a right
// one looks like: `weekly goal "200 h": must be at most 168 h, e.g. 10 h`.
// Settings, the command line and the local API return it (wrapped) for every
// bad value, so the window can put the message under the right field and
// the command line can exit with the usage code.
type FieldError struct {
	// Key names the field for programs: the settings key ("goal",
	// "digest-times") or the flag ("from", "to").
	Key string
	// Label names the field for people ("weekly goal", "--from").
	Label string
	// Value is what was typed; empty when the value did not come as text.
	Value string
	// Problem says what is wrong, in words.
	Problem string
	// Example is a right value, shown after "e.g."; may be empty.
	Example string
	// Err is the kind of problem (ErrBadDuration, ErrBadDate, or the
	// caller's sentinel), for errors.Is.
	Err error
}

// Error reads as one sentence a person understands.
func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString(e.Label)
	if e.Value != "" {
		fmt.Fprintf(&b, " %q", e.Value)
	}
	b.WriteString(": ")
	b.WriteString(e.Problem)
	if e.Example != "" {
		b.WriteString(", e.g. ")
		b.WriteString(e.Example)
	}
	return b.String()
}

// Unwrap returns the kind of problem.
func (e *FieldError) Unwrap() error { return e.Err }

// Message is the error's text without the field's label, for a message
// shown right under the field: `"200 h": must be at most 168 h, e.g. 10 h`.
func (e *FieldError) Message() string {
	msg := strings.TrimPrefix(e.Error(), e.Label)
	msg = strings.TrimPrefix(strings.TrimPrefix(msg, " "), ": ")
	if msg != "" {
		msg = strings.ToUpper(msg[:1]) + msg[1:]
	}
	return msg
}
