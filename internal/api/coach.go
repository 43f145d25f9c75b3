package api

import (
	"context"
	"net/url"

	"github.com/lullapp/lull/focus/coach"
)

// The names of the coach's routes.
const (
	RouteCoach        = "coach"
	RouteCoachApply   = "coach.apply"
	RouteCoachDismiss = "coach.dismiss"
	RouteDigestOpened = "digests.opened"
)

// coachRoutes are the coach's endpoints and the one that records a digest
// opened (what the coach reads to tell a digest nobody reads); Routes lists
// them.
func coachRoutes() []Route {
	return []Route{
		{RouteCoach, "GET", "/v1/coach", "the coach's suggestions for a week"},
		{RouteCoachApply, "POST", "/v1/coach/{id}/apply", "apply a suggestion: change the rules or settings it names"},
		{RouteCoachDismiss, "POST", "/v1/coach/{id}/dismiss", "dismiss a suggestion for good"},
		{RouteDigestOpened, "POST", "/v1/digests/{id}/opened", "record that a digest was opened"},
	}
}

// Coach is GET /v1/coach's answer: the week's suggestions, in the coach's
// order (dismissed ones left out).
type Coach struct {
	// Week is the ISO week, "2026-W49".
	Week        string       `json:"week"`
	Suggestions []coach.Item `json:"suggestions"`
}

// CoachRequest names the week of a coach request ("" for this week).
type CoachRequest struct {
	Week string `json:"week,omitempty"`
}

// CoachApplied is POST /v1/coach/{id}/apply's answer: the suggestion as
// applied, with what changed.
type CoachApplied struct {
	Suggestion coach.Item `json:"suggestion"`
	// Changed says in words what applying it changed.
	Changed string `json:"changed"`
}

// Coach is GET /v1/coach: week's suggestions ("" for this week).
func (c *Client) Coach(ctx context.Context, week string) (Coach, error) {
	return answer[Coach](ctx, c, RouteCoach, url.Values{"week": {week}}, nil)
}

// CoachApply is POST /v1/coach/{id}/apply: apply suggestion id of week.
func (c *Client) CoachApply(ctx context.Context, id, week string) (CoachApplied, error) {
	var out CoachApplied
	err := c.call(ctx, RouteCoachApply, nil, nil, CoachRequest{Week: week}, &out, id)
	return out, err
}

// CoachDismiss is POST /v1/coach/{id}/dismiss: dismiss suggestion id of
// week for good.
func (c *Client) CoachDismiss(ctx context.Context, id, week string) error {
	return c.call(ctx, RouteCoachDismiss, nil, nil, CoachRequest{Week: week}, nil, id)
}

// DigestOpened is POST /v1/digests/{id}/opened: the user opened digest id.
func (c *Client) DigestOpened(ctx context.Context, id string) error {
	return c.call(ctx, RouteDigestOpened, nil, nil, nil, nil, id)
}
