package api

import (
	"context"

	"github.com/lullapp/lull/hook"
)

// The names of the hooks' routes.
const (
	RouteHooks      = "hooks"
	RouteAddHook    = "hooks.add"
	RouteRemoveHook = "hooks.remove"
	RouteTestHook   = "hooks.test"
)

// hookRoutes are the hooks' endpoints (Routes lists them after the rest).
func hookRoutes() []Route {
	return []Route{
		{RouteHooks, "GET", "/v1/hooks", "the hooks with their last results"},
		{RouteAddHook, "POST", "/v1/hooks", "add a hook: a program or a webhook run on an event"},
		{RouteRemoveHook, "DELETE", "/v1/hooks/{id}", "remove a hook"},
		{RouteTestHook, "POST", "/v1/hooks/{id}/test", "run a hook now with a sample event and say how it went"},
	}
}

// AddHook is POST /v1/hooks's body: Event (hook.Events) and either Exec,
// the full path of a program, with its fixed Args, or Webhook, the
// address to post to (HTTPS, or http:// to this computer). The address
// is kept in the OS keyring and never answered back: the answer, a
// hook.Hook, shows only its scheme and host. Titles lets the hook
// receive notification and meeting titles. The answer is the hook added.
type AddHook struct {
	Event   string   `json:"event"`
	Exec    string   `json:"exec,omitempty"`
	Args    []string `json:"args,omitempty"`
	Webhook string   `json:"webhook,omitempty"`
	Titles  bool     `json:"titles,omitempty"`
}

// Hooks is GET /v1/hooks's answer: every hook, oldest first, and the
// events a hook can be added for.
type Hooks struct {
	Hooks  []hook.Hook `json:"hooks"`
	Events []string    `json:"events"`
}

// HookRemoved is DELETE /v1/hooks/{id}'s answer: the hook removed.
type HookRemoved struct {
	Removed hook.Hook `json:"removed"`
}

// HookTested is POST /v1/hooks/{id}/test's answer: how the sample event
// went (also stored as the hook's last result).
type HookTested struct {
	Result hook.Result `json:"result"`
}

// Hooks is GET /v1/hooks.
func (c *Client) Hooks(ctx context.Context) (Hooks, error) {
	return answer[Hooks](ctx, c, RouteHooks, nil, nil)
}

// AddHook is POST /v1/hooks.
func (c *Client) AddHook(ctx context.Context, req AddHook) (hook.Hook, error) {
	return answer[hook.Hook](ctx, c, RouteAddHook, nil, req)
}

// RemoveHook is DELETE /v1/hooks/{id}.
func (c *Client) RemoveHook(ctx context.Context, id string) (hook.Hook, error) {
	out, err := answer[HookRemoved](ctx, c, RouteRemoveHook, nil, nil, id)
	return out.Removed, err
}

// TestHook is POST /v1/hooks/{id}/test.
func (c *Client) TestHook(ctx context.Context, id string) (hook.Result, error) {
	out, err := answer[HookTested](ctx, c, RouteTestHook, nil, nil, id)
	return out.Result, err
}
