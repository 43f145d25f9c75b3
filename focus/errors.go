// Package focus turns focus mode on and off (by hand or when an accepted
// block starts), records every session durably in the bbolt focus log, and
// computes the weekly report and its exports.
//
// It knows nothing of the UI or of notify: subscribers receive State values,
// and notify asks "focusing now? until when?" through its own interface,
// which Engine.Focusing satisfies.
package focus

import (
	"errors"

	"github.com/lullapp/lull/internal/human"
)

var (
	// ErrAlreadyFocusing is returned by the Start methods while a session runs.
	ErrAlreadyFocusing = errors.New("already focusing")
	// ErrNotFocusing is returned by Stop and Extend when no session runs.
	ErrNotFocusing = errors.New("not focusing")
	// ErrOpenEnded is returned by Extend for a session that has no planned end.
	ErrOpenEnded = errors.New("session is open-ended and cannot be extended")
	// ErrNoFreeTime is returned by StartUntilNextMeeting when the next busy
	// time starts in less than a minute.
	ErrNoFreeTime = errors.New("the next meeting starts in less than a minute")
	// ErrNothingToResume is returned by Resume when no block under way was
	// stopped early.
	ErrNothingToResume = errors.New("no focus block to resume: none is under way, or it is running already")
	// ErrBadDuration is returned by ParseDuration and ParseStart for input the
	// CLI should reject (exit code 2). It is human.ErrBadDuration.
	ErrBadDuration = human.ErrBadDuration
	// ErrBadWeek is returned by ParseWeek for a malformed or non-existent week.
	ErrBadWeek = errors.New("bad week")
	// ErrBadDate is returned by ParseDay and ExportRange for a malformed date
	// or an empty range. It is human.ErrBadDate.
	ErrBadDate = human.ErrBadDate
	// ErrFutureWeek is returned by ParseWeek and Report for a week that has
	// not started yet.
	ErrFutureWeek = errors.New("week is in the future")
	// ErrNotFound is returned when a session id does not exist in the log.
	ErrNotFound = errors.New("session not found")
	// ErrCorruptRecord is returned when a stored session cannot be decoded.
	ErrCorruptRecord = errors.New("corrupt focus log record")
	// ErrClosed is returned by an Engine after Close.
	ErrClosed = errors.New("focus engine is closed")
)
