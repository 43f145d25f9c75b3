package calendar

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/lullapp/lull/calendar/ics"
)

// Sentinel errors of sources, secrets and publishing, checked with errors.Is.
var (
	// ErrSecretNotFound means the keyring holds no secret under the key.
	ErrSecretNotFound = errors.New("secret not found in the keyring")
	// ErrKeyringTimeout means the OS keyring did not answer in time (locked
	// or absent Secret Service).
	ErrKeyringTimeout = errors.New("keyring did not answer")
	// ErrNoSuchSource means no source has the given ID.
	ErrNoSuchSource = errors.New("no such calendar source")
	// ErrBadSource means a source's settings are unusable (bad URL, missing
	// file, unknown kind).
	ErrBadSource = errors.New("invalid calendar source")
	// ErrSourceAuth means the server rejected the user name or password
	// (HTTP 401/403).
	ErrSourceAuth = errors.New("the server rejected the user name or password")
	// ErrSourceNotFound means the server has nothing at the address (HTTP
	// 404/410).
	ErrSourceNotFound = errors.New("the server has no calendar at this address")
	// ErrSourceTLS means the TLS handshake failed, usually an untrusted or
	// expired certificate.
	ErrSourceTLS = errors.New("secure connection failed (certificate problem)")
	// ErrSourceUnreachable means the server could not be reached at all.
	ErrSourceUnreachable = errors.New("the server could not be reached")
	// ErrSourceTimeout means the server did not answer within the time limit.
	ErrSourceTimeout = errors.New("the server did not answer in time")
	// ErrSourceTooLarge means the calendar is bigger than the size limit;
	// it is ics.ErrTooLarge, the error of every reader of calendar data.
	ErrSourceTooLarge = ics.ErrTooLarge
	// ErrSourceHTTP means the server answered with an unexpected HTTP status.
	ErrSourceHTTP = errors.New("unexpected answer from the server")
	// ErrSourceStale marks a fetch that failed but returned the last good
	// copy; see StaleError.
	ErrSourceStale = errors.New("using the last good copy")
	// ErrNoCalendar means CalDAV discovery found no calendar to use.
	ErrNoCalendar = errors.New("no calendar found on the CalDAV server")
	// ErrNotLullObject means a publisher refused to touch a calendar object
	// that Lull did not create.
	ErrNotLullObject = errors.New("calendar object was not created by Lull")
	// ErrBlockDeletedByUser means the user deleted this Lull block on the
	// server; Lull never re-creates it.
	ErrBlockDeletedByUser = errors.New("focus block was deleted by the user on the server")
	// ErrPublishConflict means the object changed on the server since Lull
	// last saw it (If-Match / If-None-Match failed); Lull leaves it alone.
	ErrPublishConflict = errors.New("calendar object changed on the server")
)

// SourceKind is the type of a calendar source.
type SourceKind string

// The kinds of calendar sources.
const (
	SourceFile   SourceKind = "file"
	SourceURL    SourceKind = "url"
	SourceCalDAV SourceKind = "caldav"
)

// Source is one calendar Lull reads busy time from. Fetch returns raw
// iCalendar data (one VCALENDAR) ready for Parse; events Lull published
// itself (UID prefix BlockUIDPrefix with X-LULL-BLOCK) are removed so the
// planner never mistakes its own blocks for meetings.
//
// When a fetch fails but a last good copy exists, Fetch returns that copy
// together with a *StaleError (errors.Is(err, ErrSourceStale)); callers that
// can work with stale data use it and show the error as a warning. With no
// copy at all it returns nil data and the error.
type Source interface {
	// ID is the source's stable identifier (what `lull calendar remove`
	// takes).
	ID() string
	// Name is the display name.
	Name() string
	// Fetch returns the calendar's current data.
	Fetch(ctx context.Context) ([]byte, error)
	// Status reports the outcome of the last fetches.
	Status() (SourceStatus, error)
}

// SourceConfig is a source's stored settings. It never holds a secret: a
// subscription URL and a CalDAV password live in the keyring under the ID.
type SourceConfig struct {
	ID   string     `json:"id"`
	Kind SourceKind `json:"kind"`
	Name string     `json:"name"`
	// Path is a file source's absolute path.
	Path string `json:"path,omitempty"`
	// Host is a URL source's scheme and host only, for display.
	Host string `json:"host,omitempty"`
	// ServerURL is a CalDAV source's server address (without credentials).
	ServerURL string `json:"server_url,omitempty"`
	// User is the CalDAV user name.
	User string `json:"user,omitempty"`
	// CalendarPath is the chosen CalDAV calendar collection's path.
	CalendarPath string `json:"calendar_path,omitempty"`
	// AllDayFree is the "all-day events are free" setting: this calendar's
	// all-day events that say nothing about being busy count as free (for
	// producers that never mark them; see BusyOptions.AllDayFree).
	AllDayFree bool `json:"all_day_free,omitempty"`
	// Added is when the source was added.
	Added time.Time `json:"added"`
}

// SourceStatus is the outcome of a source's recent fetches, kept in bbolt so
// `lull calendar list` and the settings tab can show it.
type SourceStatus struct {
	// LastAttempt is when a fetch last ran.
	LastAttempt time.Time `json:"last_attempt,omitzero"`
	// LastSuccess is when a fetch last got current data.
	LastSuccess time.Time `json:"last_success,omitzero"`
	// StaleSince is the first failed fetch after the last success; zero
	// while the data is current.
	StaleSince time.Time `json:"stale_since,omitzero"`
	// LastError is the last failure's message, with secrets redacted.
	LastError string `json:"last_error,omitempty"`
	// HasData reports whether a last good copy is cached.
	HasData bool `json:"has_data"`
}

// Stale reports whether the last fetch failed.
func (s SourceStatus) Stale() bool { return !s.StaleSince.IsZero() }

// String is the one-line status shown to the user, such as
// "ok (updated 2026-11-22 03:00 UTC)" or
// "stale since 2026-11-22 03:00 UTC: the server could not be reached".
func (s SourceStatus) String() string {
	const layout = "2006-01-02 15:04 MST"
	switch {
	case s.LastAttempt.IsZero():
		return "not fetched yet"
	case s.Stale() && s.HasData:
		return fmt.Sprintf("stale since %s: %s", s.StaleSince.UTC().Format(layout), s.LastError)
	case s.Stale():
		return fmt.Sprintf("failing since %s, no data: %s", s.StaleSince.UTC().Format(layout), s.LastError)
	default:
		return fmt.Sprintf("ok (updated %s)", s.LastSuccess.UTC().Format(layout))
	}
}

// StaleError is returned by Fetch together with the last good copy when the
// current fetch failed.
type StaleError struct {
	// Source is the source's name.
	Source string
	// Since is when fetches started failing.
	Since time.Time
	// Err is the (redacted) reason of the latest failure.
	Err error
}

// Error implements error.
func (e *StaleError) Error() string {
	return fmt.Sprintf("calendar %q: stale since %s, using the last good copy: %v",
		e.Source, e.Since.UTC().Format("2006-01-02 15:04 MST"), e.Err)
}

// Unwrap makes errors.Is see both ErrSourceStale and the cause.
func (e *StaleError) Unwrap() []error { return []error{ErrSourceStale, e.Err} }

// classifyNetErr maps a transport error to one of the source sentinels, so
// the message says what went wrong in the user's terms. The original error
// is kept for its details (it is redacted by the caller).
func classifyNetErr(err error) error {
	var (
		certInvalid  x509.CertificateInvalidError
		unknownAuth  x509.UnknownAuthorityError
		hostname     x509.HostnameError
		verifyErr    *tls.CertificateVerificationError
		recordHeader tls.RecordHeaderError
		netErr       net.Error
		opErr        *net.OpError
		dnsErr       *net.DNSError
	)
	switch {
	case errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Errorf("%w: %v", ErrSourceTimeout, err)
	case errors.As(err, &certInvalid), errors.As(err, &unknownAuth), errors.As(err, &hostname),
		errors.As(err, &verifyErr), errors.As(err, &recordHeader),
		strings.Contains(err.Error(), "tls: "):
		return fmt.Errorf("%w: %v", ErrSourceTLS, err)
	case errors.As(err, &dnsErr), errors.As(err, &opErr):
		return fmt.Errorf("%w: %v", ErrSourceUnreachable, err)
	}
	return fmt.Errorf("%w: %v", ErrSourceUnreachable, err)
}

// statusErr maps a non-success HTTP status to a source sentinel.
func statusErr(code int) error {
	switch code {
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Errorf("%w (HTTP %d)", ErrSourceAuth, code)
	case http.StatusNotFound, http.StatusGone:
		return fmt.Errorf("%w (HTTP %d)", ErrSourceNotFound, code)
	}
	return fmt.Errorf("%w: HTTP %d %s", ErrSourceHTTP, code, http.StatusText(code))
}
