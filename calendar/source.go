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
	// ErrSourceHTTP means the server answered with an unexpected HTTP status
	// or an answer Lull could not read (broken XML from a CalDAV server).
	ErrSourceHTTP = errors.New("unexpected answer from the server")
	// ErrSourceNotCalendar means a source gave something that is not
	// iCalendar data: a web page (often a sign-in or error page), JSON, an
	// empty answer. The last good copy stays in use.
	ErrSourceNotCalendar = errors.New("not a calendar")
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
	// ErrSyncElsewhere refuses sync with the user's other devices on a
	// calendar while another calendar has it: the devices share one focus
	// log, beside one calendar, so a second calendar with sync on would
	// silently share nothing.
	ErrSyncElsewhere = errors.New("sync is on for another calendar")
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
	// Sync shares the plan, the focus log and focus state with the user's
	// other devices through this CalDAV calendar (issue 16).
	Sync bool `json:"sync,omitempty"`
	// Added is when the source was added.
	Added time.Time `json:"added"`
}

// SourceStatus is the outcome of a source's recent fetches and of the
// last reading of its data, kept in bbolt so `lull calendar list`, GET
// /v1/calendars and the Settings tab can show it.
type SourceStatus struct {
	// LastAttempt is when a fetch last ran.
	LastAttempt time.Time `json:"last_attempt,omitzero"`
	// LastSuccess is when a fetch last got current data: the time of the
	// last good copy.
	LastSuccess time.Time `json:"last_success,omitzero"`
	// StaleSince is the first failed fetch after the last success; zero
	// while the data is current.
	StaleSince time.Time `json:"stale_since,omitzero"`
	// LastError is the last failure's message, with secrets redacted.
	LastError string `json:"last_error,omitempty"`
	// HasData reports whether a last good copy is cached.
	HasData bool `json:"has_data"`
	// Read is when the data in use (current or last good copy) was last
	// read into events; zero until a sync read it.
	Read time.Time `json:"read,omitzero"`
	// Events is how many events that reading found.
	Events int `json:"events"`
	// ProblemCount is how many events or lines could not be read.
	ProblemCount int `json:"problem_count,omitempty"`
	// Problems are the first MaxStoredProblems of them, in words
	// ("line 40: no DTSTART").
	Problems []string `json:"problems,omitempty"`
}

// MaxStoredProblems is how many problems a source's status keeps in words:
// enough to find the first few in the file, while a calendar with
// thousands of broken events does not grow the database by as much; the
// count keeps the total.
const MaxStoredProblems = 5

// Stale reports whether the last fetch failed.
func (s SourceStatus) Stale() bool { return !s.StaleSince.IsZero() }

// NeedsAttention reports whether the source is not simply fine: its last
// fetch failed, or its data gave no events or had problems.
func (s SourceStatus) NeedsAttention() bool {
	return s.Stale() || (!s.Read.IsZero() && (s.Events == 0 || s.ProblemCount > 0))
}

// Describe is the status in words for a person, times in loc, such as
// "12 events, 2 problems (first: line 40: no DTSTART) · updated 14:05",
// "no events read · updated 3 Dec 14:05" or "error: the address returned
// a web page, not a calendar — last good copy from 3 Dec 14:05 in use".
func (s SourceStatus) Describe(now time.Time, loc *time.Location) string {
	if s.LastAttempt.IsZero() {
		return "not read yet"
	}
	if s.Stale() {
		msg := "error: " + s.LastError
		if !s.HasData {
			return msg + " — no copy to use yet"
		}
		msg += " — last good copy from " + whenText(s.LastSuccess, now, loc) + " in use"
		if counts := s.counts(); counts != "" {
			msg += " (" + counts + ")"
		}
		return msg
	}
	counts := s.counts()
	if counts == "" {
		counts = "not counted yet"
	}
	return counts + " · updated " + whenText(s.LastSuccess, now, loc)
}

// counts is "12 events, 2 problems (first: …)", "no events read", or ""
// before the data was read.
func (s SourceStatus) counts() string {
	if s.Read.IsZero() {
		return ""
	}
	var b strings.Builder
	switch s.Events {
	case 0:
		b.WriteString("no events read")
	case 1:
		b.WriteString("1 event")
	default:
		fmt.Fprintf(&b, "%d events", s.Events)
	}
	switch {
	case s.ProblemCount == 1:
		b.WriteString(", 1 problem")
	case s.ProblemCount > 1:
		fmt.Fprintf(&b, ", %d problems", s.ProblemCount)
	}
	if s.ProblemCount > 0 && len(s.Problems) > 0 {
		b.WriteString(" (first: " + s.Problems[0] + ")")
	}
	return b.String()
}

// whenText names a past time briefly in loc: "14:05" today, "3 Dec 14:05"
// this year, "3 Dec 2025 14:05" before.
func whenText(t, now time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "never"
	}
	t, now = t.In(loc), now.In(loc)
	ty, tm, td := t.Date()
	ny, nm, nd := now.Date()
	switch {
	case ty == ny && tm == nm && td == nd:
		return t.Format("15:04")
	case ty == ny:
		return t.Format("2 Jan 15:04")
	}
	return t.Format("2 Jan 2006 15:04")
}

// ProblemText is a problem of a source in words without the calendar's
// name, which the row showing it already gives: "line 40: event "x": no
// DTSTART" for an event that could not be read.
func ProblemText(err error) string {
	var ee *ics.EventError
	if errors.As(err, &ee) {
		var b strings.Builder
		if ee.Line > 0 {
			fmt.Fprintf(&b, "line %d: ", ee.Line)
		}
		if ee.UID != "" {
			fmt.Fprintf(&b, "event %q: ", ee.UID)
		}
		fmt.Fprint(&b, ee.Err)
		return b.String()
	}
	return err.Error()
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

// Error implements error. It names no time: the status (Describe) says in
// the user's zone since when the copy is in use.
func (e *StaleError) Error() string {
	return fmt.Sprintf("calendar %q: %v — using the last good copy", e.Source, e.Err)
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
		// The details ("context deadline exceeded", the request) say
		// nothing more to a person.
		return fmt.Errorf("%w", ErrSourceTimeout)
	case strings.Contains(err.Error(), "stopped after") && strings.Contains(err.Error(), "redirects"):
		// net/http's redirect limit: the server sends Lull in a circle.
		return fmt.Errorf("%w: it sent Lull on from address to address without end (too many redirects)", ErrSourceHTTP)
	case errors.As(err, &certInvalid), errors.As(err, &unknownAuth), errors.As(err, &hostname),
		errors.As(err, &verifyErr), errors.As(err, &recordHeader),
		strings.Contains(err.Error(), "tls: "):
		return fmt.Errorf("%w: %v", ErrSourceTLS, err)
	case errors.As(err, &dnsErr), errors.As(err, &opErr):
		return fmt.Errorf("%w: %v", ErrSourceUnreachable, err)
	}
	return fmt.Errorf("%w: %v", ErrSourceUnreachable, err)
}

// statusErr maps a non-success HTTP status to a source sentinel, in words
// (people read these in `calendar list` and Settings; status codes mean
// nothing to them).
func statusErr(code int) error {
	switch {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return ErrSourceAuth
	case code == http.StatusNotFound || code == http.StatusGone:
		return ErrSourceNotFound
	case code == http.StatusTooManyRequests:
		return fmt.Errorf("%w: it asks Lull to come back later (too many requests)", ErrSourceHTTP)
	case code >= 500:
		return fmt.Errorf("%w: the server reported an error of its own", ErrSourceHTTP)
	case code >= 300 && code < 400:
		return fmt.Errorf("%w: it sent Lull elsewhere without saying where", ErrSourceHTTP)
	}
	return fmt.Errorf("%w: it refused the request", ErrSourceHTTP)
}
