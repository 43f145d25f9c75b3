package api

import (
	"context"
	"time"

	"github.com/lullapp/lull/internal/human"
)

// RoutePresent is POST /v1/present: the user says they present (or stop).
const RoutePresent = "present"

// quietRoutes are the routes of quiet during meetings and presentations.
func quietRoutes() []Route {
	return []Route{
		{RoutePresent, "POST", "/v1/present", "say you present (everything held but urgent, VIP and repeats) or stop"},
	}
}

// Who or what made the user present (Quiet.PresentingBy).
const (
	// PresentingByUser: the user said so (tray, `lull present on`, API).
	PresentingByUser = "you"
	// PresentingByFullscreen: the active window is fullscreen.
	PresentingByFullscreen = "fullscreen"
)

// Quiet is what keeps the desktop quiet besides focus: a meeting running
// (a busy, timed calendar event, with "hold notifications in meetings"
// on) and presenting (the active window is fullscreen, or the user said
// so). It is part of GET /v1/status, the answer of POST /v1/present and
// the payload of EventMeeting and EventPresenting.
type Quiet struct {
	Meeting bool `json:"meeting"`
	// MeetingTitle is the running meeting's summary; MeetingEnd is when
	// the quiet stretch ends (back-to-back meetings are one stretch).
	MeetingTitle string    `json:"meeting_title,omitempty"`
	MeetingEnd   time.Time `json:"meeting_end,omitzero"`
	Presenting   bool      `json:"presenting"`
	// PresentingBy is PresentingByUser or PresentingByFullscreen (the
	// user's word wins when both hold).
	PresentingBy string `json:"presenting_by,omitempty"`
}

// On reports whether q keeps the desktop quiet.
func (q Quiet) On() bool { return q.Meeting || q.Presenting }

// Line says q in one line for the tray and `lull status` ("In a meeting —
// 20 min left", "Presenting — only urgent and VIP get through"), or ""
// when q is off. Presenting comes first: it changes what breaks through.
func (q Quiet) Line(now time.Time) string {
	switch {
	case q.Presenting && q.PresentingBy == PresentingByFullscreen:
		return "Presenting (fullscreen) — only urgent, VIP and repeats get through"
	case q.Presenting:
		return "Presenting — only urgent, VIP and repeats get through"
	case q.Meeting && !q.MeetingEnd.IsZero():
		// Minutes left round up, as focus's do: "1 min left" until the end.
		left := max(q.MeetingEnd.Sub(now), 0)
		mins := (left + time.Minute - 1) / time.Minute
		return "In a meeting — " + human.Duration(mins*time.Minute) + " left"
	case q.Meeting:
		return "In a meeting"
	}
	return ""
}

// Present is POST /v1/present's body.
type Present struct {
	On bool `json:"on"`
}

// Present is POST /v1/present: on says the user presents, off that they
// stopped (a fullscreen window still counts until it leaves fullscreen).
// The answer is the Quiet state after it.
func (c *Client) Present(ctx context.Context, on bool) (Quiet, error) {
	return answer[Quiet](ctx, c, RoutePresent, nil, Present{On: on})
}

// StatusLine is the one status line with q taken in: presenting first (it
// changes what breaks through), then focus (focusing, said by otherLine),
// then a meeting; otherwise otherLine ("Not focusing", "Next block 14:00").
func (q Quiet) StatusLine(focusing bool, otherLine string, now time.Time) string {
	if q.Presenting || (q.Meeting && !focusing) {
		return q.Line(now)
	}
	return otherLine
}
