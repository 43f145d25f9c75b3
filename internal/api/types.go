package api

import (
	"time"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/settings"
	"github.com/lullapp/lull/notify"
)

// Status is GET /v1/status's answer, and what `lull status` prints.
type Status struct {
	Running    bool        `json:"running"`
	Version    string      `json:"version"`
	PID        int         `json:"pid,omitempty"`
	DataDir    string      `json:"data_dir"`
	Focusing   bool        `json:"focusing"`
	Focus      focus.State `json:"focus"`
	StatusLine string      `json:"status_line"`
	// Held is the number of notifications waiting for the next digest.
	Held int `json:"held"`
	// NextBlock is the next accepted block that has not ended.
	NextBlock *calendar.Block `json:"next_block,omitempty"`
	// NextDigest is when the next scheduled digest is due.
	NextDigest time.Time `json:"next_digest,omitzero"`
	// WeekFocus is focus time so far this week, and WeeklyGoal the goal.
	WeekFocus  time.Duration `json:"week_focus_ns"`
	WeeklyGoal time.Duration `json:"weekly_goal_ns"`
	// TokenStore is "keyring" or "file".
	TokenStore string `json:"token_store,omitempty"`
	// Resumable is the block under way that was stopped early and can be
	// resumed (`lull focus resume`), if any.
	Resumable *focus.Block `json:"resumable,omitempty"`
	// Problems are what the start found wrong with the data and worked
	// around.
	Problems []string `json:"problems,omitempty"`
	// TrayAvailable says whether the desktop shows Lull's tray icon; the
	// window minimises instead of closing when it does not.
	TrayAvailable bool `json:"tray_available"`
	// Quiet says whether a meeting or a presentation keeps the desktop
	// quiet now (StatusLine says so too).
	Quiet Quiet `json:"quiet"`
}

// FocusStart is POST /v1/focus/start's body: Spec is a length ("25m",
// "1h30", "90"), "until-next" or "open" (focus.ParseStart). The answer is
// the focus.State.
type FocusStart struct {
	Spec string `json:"spec"`
}

// FocusExtend is POST /v1/focus/extend's body: Duration is a length
// (focus.ParseDuration). The answer is the focus.State.
type FocusExtend struct {
	Duration string `json:"duration"`
}

// Notification is one notification sent to POST /v1/notifications (an
// object, or an array of them); notify.Request says what each field
// takes.
type Notification = notify.Request

// NotifyResult is what Lull did with one notification: its ID, held or
// shown, why, and how often it came.
type NotifyResult = notify.Result

// NotifyResults is POST /v1/notifications' answer to an array.
type NotifyResults struct {
	Results []NotifyResult `json:"results"`
}

// Held is GET /v1/notifications/held's answer.
type Held struct {
	Items []notify.Item `json:"items"`
}

// Digests is GET /v1/digests' answer, newest first.
type Digests struct {
	Digests []notify.Digest `json:"digests"`
}

// DigestNow is POST /v1/digests/now's answer: Delivered is false when
// nothing was held; Warning says the digest was stored but the desktop
// did not show it.
type DigestNow struct {
	Delivered bool           `json:"delivered"`
	Digest    *notify.Digest `json:"digest,omitempty"`
	Warning   string         `json:"warning,omitempty"`
}

// MarkRead is POST /v1/digests/{id}/read's body: one item, or "" (or no
// body) for the whole digest. The answer is 204, no body.
type MarkRead struct {
	Item string `json:"item,omitempty"`
}

// PlanRequest is POST /v1/plan's body: DryRun previews without storing;
// Sync reads the calendars first; Days overrides the horizon (0: the
// setting).
type PlanRequest struct {
	DryRun bool `json:"dry_run"`
	Sync   bool `json:"sync"`
	Days   int  `json:"days"`
}

// PlanResult is the outcome of re-planning (POST /v1/plan), and the plan as
// it stands (GET /v1/plan, counts zero).
type PlanResult struct {
	Added   int `json:"added"`
	Moved   int `json:"moved"`
	Removed int `json:"removed"`
	Kept    int `json:"kept"`
	// Blocks are the horizon's blocks after re-planning.
	Blocks []calendar.Block `json:"blocks"`
	// Days say why working days of the horizon got no focus.
	Days []calendar.DayNote `json:"days,omitempty"`
}

// AcceptAll is POST /v1/plan/accept-all's answer.
type AcceptAll struct {
	Accepted int `json:"accepted"`
}

// SourceReport is what one calendar's read gave during a sync. The same
// counts are kept with the calendar's status (calendar.SourceStatus).
type SourceReport struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Events is the number of events read from the source's data (the
	// current data, or the last good copy when Stale).
	Events int `json:"events"`
	// Problems are events that could not be read (the others still count).
	Problems []string `json:"problems,omitempty"`
	// Error is a fetch or parse failure; with Stale set, the last good copy
	// was used.
	Error string `json:"error,omitempty"`
	Stale bool   `json:"stale,omitempty"`
}

// SyncReport is the outcome of reading every calendar (POST
// /v1/calendars/sync).
type SyncReport struct {
	At      time.Time      `json:"at"`
	Sources []SourceReport `json:"sources"`
	// BusyIntervals is the number of merged busy intervals.
	BusyIntervals int `json:"busy_intervals"`
}

// AddCalendar is POST /v1/calendars' body: exactly the fields its kind
// needs. Password and a URL's secret parts go to the keyring only. The
// answer (201) is the calendar.SourceConfig.
type AddCalendar struct {
	Kind     calendar.SourceKind `json:"kind"`
	Name     string              `json:"name,omitempty"`
	Path     string              `json:"path,omitempty"`
	URL      string              `json:"url,omitempty"`
	User     string              `json:"user,omitempty"`
	Password string              `json:"password,omitempty"`
	// Calendar picks a CalDAV calendar by path or name when the account
	// has several.
	Calendar string `json:"calendar,omitempty"`
	// Publish makes a CalDAV calendar the one accepted blocks are written to.
	Publish bool `json:"publish,omitempty"`
	// AllDayFree sets the calendar's "all-day events are free" (see
	// calendar.SourceConfig.AllDayFree).
	AllDayFree bool `json:"all_day_free,omitempty"`
	// Sync shares the plan, the focus log and focus state with the user's
	// other devices through this CalDAV calendar (calendar.SourceConfig.Sync).
	Sync bool `json:"sync,omitempty"`
	// Sample adds the calendar bundled with Lull instead, a made-up week
	// of meetings, as a file calendar in the data directory marked as the
	// sample (settings' SampleSource), so it can be removed in one click;
	// the other fields are ignored, and adding it again returns the one
	// there.
	Sample bool `json:"sample,omitempty"`
}

// CalendarChange is PATCH /v1/calendars/{id}'s body; nil fields stay. The
// answer is the calendar.SourceConfig.
type CalendarChange struct {
	// AllDayFree is the "all-day events are free" setting.
	AllDayFree *bool `json:"all_day_free,omitempty"`
	// Sync switches sync with the user's other devices through this
	// CalDAV calendar on or off (calendar.SourceConfig.Sync).
	Sync *bool `json:"sync,omitempty"`
}

// Removed is DELETE /v1/calendars/{id}'s answer.
type Removed struct {
	Removed string `json:"removed"`
}

// Range is the query of GET /v1/busy and part of GET /v1/export's: From
// and To as human.ParseRange reads them ("2026-11-30", "2026-11-30T14:00",
// with an offset, or ""), a date as To including that day.
type Range struct {
	From, To string
}

// ReportRequest is GET /v1/report's query: Week is an ISO week
// ("2026-W47", "" for this week), Format text, json or csv. The answer is
// the report in that format.
type ReportRequest struct {
	Week, Format string
}

// ExportRequest is GET /v1/export's query: the sessions in Range, as csv
// or json (Format).
type ExportRequest struct {
	Range
	Format string
}

// ShowRequest is POST /v1/window/show's body (optional): the tab to show,
// "digest", "report" or "" for the window's choice.
type ShowRequest struct {
	Tab string `json:"tab,omitempty"`
}

// Shown is POST /v1/window/show's answer.
type Shown struct {
	Shown bool `json:"shown"`
}

// Settings are the user's settings, as GET /v1/settings answers and PUT
// /v1/settings takes them (whole); settings.Fields is their schema.
type Settings = settings.Settings

// Quitting is POST /v1/quit's answer: Lull stops once it has answered.
type Quitting struct {
	Quitting bool `json:"quitting"`
}

// Breakthroughs is GET /v1/notifications/breakthroughs' answer: the
// notifications that broke through in the range (Range; an empty from is
// a week before now, an empty to now), oldest first, each with its
// decision saying why.
type Breakthroughs struct {
	Items []notify.Item `json:"items"`
}

// MarkedRead is POST /v1/digests/read's answer: how many digests had
// unread items and are read now.
type MarkedRead struct {
	Digests int `json:"digests"`
}

// DiscoverCalDAV is POST /v1/calendars/discover's body: a CalDAV account
// to list the calendars of before one is added (the password is used for
// this request only, never stored).
type DiscoverCalDAV struct {
	URL      string `json:"url"`
	User     string `json:"user"`
	Password string `json:"password,omitempty"`
}

// CalDAVCalendars is POST /v1/calendars/discover's answer.
type CalDAVCalendars struct {
	Calendars []calendar.CalDAVCalendar `json:"calendars"`
}

// WeekReport is GET /v1/report/week's answer: a week's report as data,
// every length exact (GET /v1/report's JSON rounds hours for people and
// spreadsheets), for the window's charts. The query is ReportRequest's
// Week ("" for this week).
type WeekReport = focus.WeeklyReport

// Between is the Range from from to to as exact instants (RFC 3339 with
// nanoseconds and the offset); a zero time leaves its side empty.
func Between(from, to time.Time) Range {
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(time.RFC3339Nano)
	}
	return Range{From: stamp(from), To: stamp(to)}
}
