package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/lullapp/lull/app/winproc"
	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/calendar/ics"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/focus/coach"
	"github.com/lullapp/lull/hook"
	"github.com/lullapp/lull/internal/human"
	"github.com/lullapp/lull/internal/localapi"
	"github.com/lullapp/lull/internal/settings"
	"github.com/lullapp/lull/internal/store"
	"github.com/lullapp/lull/notify"
)

// Errors of the API itself, next to the domains' (calendar, focus, notify,
// settings, ...).
var (
	// ErrBadRequest is a request missing what it needs, or a body that is
	// not what the endpoint takes.
	ErrBadRequest = errors.New("bad request")
	// ErrBadFormat is an unknown format of a report or an export.
	ErrBadFormat = errors.New("unknown format")
	// ErrInvalidValue is a bad value (a *human.FieldError) of no other
	// kind in the table.
	ErrInvalidValue = errors.New("invalid value")
	// ErrTooManyStreams refuses an event stream beyond MaxEventStreams.
	ErrTooManyStreams = errors.New("too many event streams are open")
)

// BadRequest is a request missing what it needs, in words: it reads as
// the message alone ("a subscription needs a URL") and is ErrBadRequest.
func BadRequest(format string, args ...any) error {
	return kindError{msg: fmt.Sprintf(format, args...), kind: ErrBadRequest}
}

// kindError reads as its message and is its kind (errors.Is).
type kindError struct {
	msg  string
	kind error
}

func (e kindError) Error() string { return e.msg }
func (e kindError) Unwrap() error { return e.kind }

// Exit codes of the command line (README "Exit codes").
const (
	// ExitOK: done.
	ExitOK = 0
	// ExitFailure: Lull failed at something that could work (a calendar
	// server down, focus already running, a disk error).
	ExitFailure = 1
	// ExitUsage: the command asks for something that cannot be (a bad
	// value, a file, calendar or block that does not exist).
	ExitUsage = 2
)

// Kind is one row of the error table: a domain error, the stable code the
// API answers with for it, the HTTP status and the command line's exit
// code. The server, the typed client and the command line all go through
// this one table, so the same error exits the same way whether a command
// ran against the running Lull or on the data directly.
type Kind struct {
	// Code is the stable wire code ("already_focusing").
	Code string
	// Err is the sentinel (errors.Is); nil only for CodeInternal.
	Err error
	// Status is the HTTP status of the answer.
	Status int
	// Exit is the command line's exit code.
	Exit int
}

// CodeInternal is the code of an error no row of the table names: Lull
// failed (HTTP 500, exit code 1).
const CodeInternal = "internal"

// Errors is the error table, most specific first: an error takes the first
// row whose Err it wraps (errors.Is); a bad value of no listed kind takes
// ErrInvalidValue's row, anything else CodeInternal.
func Errors() []Kind {
	const (
		bad      = http.StatusBadRequest
		notFound = http.StatusNotFound
		conflict = http.StatusConflict
		gateway  = http.StatusBadGateway
		unavail  = http.StatusServiceUnavailable
		internal = http.StatusInternalServerError
	)
	return []Kind{
		// Values a person typed.
		{"invalid_settings", settings.ErrBadSettings, bad, ExitUsage},
		{"invalid_plan_settings", calendar.ErrBadSettings, bad, ExitUsage},
		{"invalid_length", human.ErrBadDuration, bad, ExitUsage},
		{"invalid_date", human.ErrBadDate, bad, ExitUsage},
		{"invalid_week", focus.ErrBadWeek, bad, ExitUsage},
		{"future_week", focus.ErrFutureWeek, bad, ExitUsage},
		{"invalid_time", notify.ErrBadTime, bad, ExitUsage},
		{"invalid_notification", notify.ErrInvalid, bad, ExitUsage},
		{"unknown_format", ErrBadFormat, bad, ExitUsage},
		{"unknown_plan_format", calendar.ErrUnknownFormat, bad, ExitUsage},
		{"invalid_export_path", calendar.ErrBadExportPath, bad, ExitUsage},
		{"bad_request", ErrBadRequest, bad, ExitUsage},
		{"invalid_hook", hook.ErrBadHook, bad, ExitUsage},
		// Things that are not there.
		{"no_such_block", calendar.ErrNoSuchBlock, notFound, ExitUsage},
		{"no_such_calendar", calendar.ErrNoSuchSource, notFound, ExitUsage},
		{"no_such_session", focus.ErrNotFound, notFound, ExitUsage},
		{"no_such_digest", notify.ErrNotFound, notFound, ExitUsage},
		{"no_such_suggestion", coach.ErrNotFound, notFound, ExitUsage},
		{"nothing_to_apply", coach.ErrNothingToApply, conflict, ExitUsage},
		{"no_such_hook", hook.ErrNoSuchHook, notFound, ExitUsage},
		{"invalid_calendar", calendar.ErrBadSource, bad, ExitUsage},
		{"invalid_block", calendar.ErrBadBlock, bad, ExitUsage},
		{"sync_elsewhere", calendar.ErrSyncElsewhere, conflict, ExitUsage},
		// Focus as it stands.
		{"already_focusing", focus.ErrAlreadyFocusing, conflict, ExitFailure},
		{"not_focusing", focus.ErrNotFocusing, conflict, ExitFailure},
		{"open_ended", focus.ErrOpenEnded, conflict, ExitFailure},
		{"no_free_time", focus.ErrNoFreeTime, conflict, ExitFailure},
		{"nothing_to_resume", focus.ErrNothingToResume, conflict, ExitFailure},
		// Calendar servers (a gateway's errors: the server answered
		// wrongly or not at all).
		{"calendar_auth", calendar.ErrSourceAuth, gateway, ExitFailure},
		{"calendar_not_found", calendar.ErrSourceNotFound, gateway, ExitFailure},
		{"calendar_tls", calendar.ErrSourceTLS, gateway, ExitFailure},
		{"calendar_unreachable", calendar.ErrSourceUnreachable, gateway, ExitFailure},
		{"calendar_timeout", calendar.ErrSourceTimeout, http.StatusGatewayTimeout, ExitFailure},
		{"calendar_too_large", calendar.ErrSourceTooLarge, gateway, ExitFailure},
		{"calendar_http", calendar.ErrSourceHTTP, gateway, ExitFailure},
		{"not_a_calendar", calendar.ErrSourceNotCalendar, gateway, ExitFailure},
		{"no_caldav_calendar", calendar.ErrNoCalendar, gateway, ExitFailure},
		{"calendar_stale", calendar.ErrSourceStale, gateway, ExitFailure},
		{"not_lulls", calendar.ErrNotLullObject, conflict, ExitFailure},
		{"block_deleted_by_user", calendar.ErrBlockDeletedByUser, conflict, ExitFailure},
		{"publish_conflict", calendar.ErrPublishConflict, conflict, ExitFailure},
		{"planner_busy", calendar.ErrPlannerBusy, conflict, ExitFailure},
		{"secret_missing", calendar.ErrSecretNotFound, internal, ExitFailure},
		{"keyring_timeout", calendar.ErrKeyringTimeout, unavail, ExitFailure},
		// Calendar data Lull cannot read (a file given on the command line;
		// a source's data is one of the rows above).
		{"empty_calendar", ics.ErrEmpty, http.StatusUnprocessableEntity, ExitUsage},
		{"not_icalendar", ics.ErrNotICalendar, http.StatusUnprocessableEntity, ExitUsage},
		{"bad_event", ics.ErrBadEvent, http.StatusUnprocessableEntity, ExitUsage},
		{"expansion_capped", ics.ErrCapped, http.StatusUnprocessableEntity, ExitFailure},
		// Lull's own state.
		{"not_running", localapi.ErrNotRunning, unavail, ExitFailure},
		{"window_not_installed", winproc.ErrNotInstalled, unavail, ExitFailure},
		{"too_many_streams", ErrTooManyStreams, unavail, ExitFailure},
		{"focus_closed", focus.ErrClosed, unavail, ExitFailure},
		{"queue_closed", notify.ErrClosed, unavail, ExitFailure},
		{"capture_unsupported", notify.ErrUnsupported, http.StatusNotImplemented, ExitFailure},
		{"data_in_use", store.ErrLocked, unavail, ExitFailure},
		{"data_damaged", store.ErrDamaged, internal, ExitFailure},
		{"data_too_new", store.ErrTooNew, internal, ExitFailure},
		{"journal_damaged", notify.ErrJournalDamaged, internal, ExitFailure},
		{"corrupt_record", focus.ErrCorruptRecord, internal, ExitFailure},
		// A bad value of none of the kinds above.
		{"invalid_value", ErrInvalidValue, bad, ExitUsage},
	}
}

// Classify returns the row of the table for err: the first whose Err it
// wraps; ErrInvalidValue's for another *human.FieldError; else a row with
// CodeInternal, HTTP 500 and exit code 1.
func Classify(err error) Kind {
	table := Errors()
	for _, k := range table {
		if errors.Is(err, k.Err) {
			return k
		}
	}
	if errors.As(err, new(*human.FieldError)) {
		return table[len(table)-1]
	}
	return Kind{Code: CodeInternal, Status: http.StatusInternalServerError, Exit: ExitFailure}
}

// ExitCode is the command line's exit code for err (ExitOK for nil).
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	return Classify(err).Exit
}

// HTTPStatus is the status the API answers err with.
func HTTPStatus(err error) int { return Classify(err).Status }

// byCode returns the row with code.
func byCode(code string) (Kind, bool) {
	for _, k := range Errors() {
		if k.Code == code {
			return k, true
		}
	}
	return Kind{}, false
}

// WriteError answers err in the API's error format,
// {"error":{"code","message","field",...}}: the code and status of its row
// in the table, the message as the user reads it locally, and the parts of
// its *human.FieldError, if any.
func WriteError(w http.ResponseWriter, err error) {
	k := Classify(err)
	body := localapi.ErrorBody{Code: k.Code, Message: err.Error()}
	var fe *human.FieldError
	if errors.As(err, &fe) {
		body.Field, body.Label, body.Value, body.Problem, body.Example = fe.Key, fe.Label, fe.Value, fe.Problem, fe.Example
	}
	localapi.WriteError(w, k.Status, body)
}

// Error is an error answer of the API as the Client returns it. It reads as
// the message Lull wrote (the same words the command would print on the
// data directly); errors.Is finds the sentinel its code stands for, and a
// bad value unwraps to a *human.FieldError whose Key names the field.
type Error struct {
	// Code is the wire code; Status the HTTP status.
	Code   string
	Status int
	// Message is what Lull said.
	Message string
	err     error
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the *human.FieldError or the sentinel.
func (e *Error) Unwrap() error { return e.err }

// fromStatus turns the transport's error answer into an *Error; other
// errors stay as they are.
func fromStatus(err error) error {
	var se *localapi.StatusError
	if !errors.As(err, &se) {
		return err
	}
	b := se.Body
	e := &Error{Code: b.Code, Status: se.Status, Message: b.Message}
	if k, ok := byCode(b.Code); ok {
		e.err = k.Err
	}
	if b.Field != "" {
		e.err = &human.FieldError{Key: b.Field, Label: b.Label, Value: b.Value, Problem: b.Problem, Example: b.Example, Err: e.err}
	}
	return e
}
