package service

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/hook"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/notify"
)

// hookState is the service's side of the hooks: the runner, and which
// focus session hooks were told started (so each start and end is told
// once, whatever the focus engine publishes in between: an extension, a
// state read again).
type hookState struct {
	runner *hook.Runner

	mu      sync.Mutex
	focusID string // the session focus.started was fired for, "" when none
	// meeting is the meeting meeting.started was fired for (its start is
	// when Lull saw it begin), zero when none.
	meeting hook.Meeting
}

// startHooks opens the hooks and starts their workers.
func (s *Service) startHooks() error {
	secrets := s.opts.Secrets
	if secrets == nil {
		secrets = calendar.Keyring{}
	}
	st, err := hook.OpenStore(s.DB, secrets)
	if err != nil {
		return err
	}
	s.hooks.runner, err = hook.NewRunner(hook.Options{Store: st, Clock: s.Clock, Logf: s.opts.Logf, Version: s.opts.Version})
	return err
}

// fireHook hands event with its data (one of hook's data types) to the
// hooks on it, at once and without waiting for any: it is safe to call
// from any goroutine, with any lock held. This is the one place the
// service fires hooks from; meeting.started and meeting.ended are fired
// through it by the meeting states (hook.MeetingStarted, hook.Meeting).
func (s *Service) fireHook(event string, data any) {
	if s.hooks.runner != nil {
		s.hooks.runner.Fire(event, data)
	}
}

// wantsHook reports whether a hook runs on event, so the data of an event
// no hook wants is never gathered.
func (s *Service) wantsHook(event string) bool {
	return s.hooks.runner != nil && s.hooks.runner.Wants(event)
}

// closeHooks stops the hooks (bounded by hook.CloseTimeout).
func (s *Service) closeHooks() {
	if s.hooks.runner != nil {
		s.hooks.runner.Close()
	}
}

// focusHook fires focus.started and focus.ended from the focus engine's
// states: a start once per session, an end once per started session
// (a session replaced by another, say a block taking over a manual
// session, ends before the next starts).
func (s *Service) focusHook(st focus.State) {
	s.hooks.mu.Lock()
	defer s.hooks.mu.Unlock()
	if s.hooks.focusID != "" && (!st.Focusing || st.SessionID != s.hooks.focusID) {
		if s.wantsHook(hook.FocusEnded) {
			s.fireHook(hook.FocusEnded, s.focusEnd(s.hooks.focusID, st))
		}
		s.hooks.focusID = ""
	}
	if st.Focusing && st.SessionID != s.hooks.focusID {
		s.hooks.focusID = st.SessionID
		if s.wantsHook(hook.FocusStarted) {
			f := hook.FocusStart{SessionID: st.SessionID, Kind: st.Kind.String(), Start: st.Start, PlannedEnd: st.PlannedEnd}
			if !st.PlannedEnd.IsZero() {
				f.PlannedMinutes = hook.Minutes(st.PlannedEnd.Sub(st.Start))
			}
			s.fireHook(hook.FocusStarted, f)
		}
	}
}

// focusEnd is focus.ended's data for session id, from the focus log (its
// interruptions and real end); st stands in when the log cannot say.
func (s *Service) focusEnd(id string, st focus.State) hook.FocusEnd {
	sess, err := s.Log.Get(id)
	if err != nil {
		end := s.Clock.Now()
		return hook.FocusEnd{SessionID: id, Kind: st.Kind.String(), Start: st.Start, End: end,
			Minutes: hook.Minutes(end.Sub(st.Start)), Outcome: st.Outcome.String()}
	}
	end := sess.End
	if end.IsZero() {
		end = s.Clock.Now()
	}
	return hook.FocusEnd{SessionID: id, Kind: sess.Kind.String(), Start: sess.Start, End: end,
		Minutes: hook.Minutes(end.Sub(sess.Start)), Interruptions: len(sess.Interruptions), Outcome: sess.Outcome.String()}
}

// digestHook fires digest.delivered: the counts per source the digest
// notification shows, and the items for hooks with titles.
func (s *Service) digestHook(d notify.Digest) {
	if !s.wantsHook(hook.DigestDelivered) {
		return
	}
	out := hook.Digest{DigestID: d.ID, Reason: string(d.Reason), Total: d.Total(), Sources: []hook.SourceCount{}}
	for _, sc := range d.Sources() {
		out.Sources = append(out.Sources, hook.SourceCount{Source: sc.Source, Count: sc.Count})
	}
	for _, g := range d.Groups() {
		for _, it := range g.Items {
			out.Items = append(out.Items, hook.DigestItem{Source: it.Source, Title: it.Title, Count: it.Count})
		}
	}
	s.fireHook(hook.DigestDelivered, out)
}

// breakthroughHook fires breakthrough for a notification that skipped the
// queue.
func (s *Service) breakthroughHook(it notify.Item, focusing bool) {
	if !s.wantsHook(hook.Breakthrough) {
		return
	}
	src := it.Source
	if it.Origin == notify.OriginDesktop && it.App != "" {
		src = it.App
	}
	s.fireHook(hook.Breakthrough, hook.BreakthroughInfo{Source: src, Rule: hook.BreakthroughRule(it.Decision.Reason),
		Focusing: focusing, Title: it.Title, Reason: it.Decision.Reason})
}

// planHook fires plan.changed for blocks the user accepted or skipped.
func (s *Service) planHook(accepted, skipped []calendar.Block) {
	if len(accepted)+len(skipped) == 0 || !s.wantsHook(hook.PlanChanged) {
		return
	}
	blocks := func(bs []calendar.Block) []hook.Block {
		out := []hook.Block{}
		for _, b := range bs {
			out = append(out, hook.Block{ID: b.ID, Start: b.Start, End: b.End})
		}
		return out
	}
	s.fireHook(hook.PlanChanged, hook.Plan{Accepted: blocks(accepted), Skipped: blocks(skipped)})
}

// errHooksOff is the hooks asked for on a service started without them.
var errHooksOff = errors.New("hooks are not running")

// Hooks lists the hooks with their last results.
func (s *Service) Hooks() ([]hook.Hook, error) {
	if s.hooks.runner == nil {
		return nil, errHooksOff
	}
	return s.hooks.runner.List()
}

// AddHook adds a hook (api.AddHook says what each field takes).
func (s *Service) AddHook(req api.AddHook) (hook.Hook, error) {
	if s.hooks.runner == nil {
		return hook.Hook{}, errHooksOff
	}
	var h hook.Hook
	var err error
	switch {
	case req.Exec != "" && req.Webhook != "":
		return h, fmt.Errorf("%w: a hook runs a program or posts to a webhook, not both", hook.ErrBadHook)
	case req.Exec != "":
		h, err = hook.NewExec(req.Event, req.Exec, req.Args)
	case req.Webhook != "":
		h, err = hook.NewWebhook(req.Event, req.Webhook)
	default:
		return h, fmt.Errorf("%w: a hook needs a program to run or a webhook address", hook.ErrBadHook)
	}
	if err != nil {
		return h, err
	}
	h.Titles = req.Titles
	return s.hooks.runner.Add(h, req.Webhook)
}

// RemoveHook removes hook id (and its webhook address from the keyring).
func (s *Service) RemoveHook(id string) (hook.Hook, error) {
	if s.hooks.runner == nil {
		return hook.Hook{}, errHooksOff
	}
	return s.hooks.runner.Remove(id)
}

// TestHook runs hook id now with a sample of its event and returns how it
// went.
func (s *Service) TestHook(ctx context.Context, id string) (hook.Result, error) {
	if s.hooks.runner == nil {
		return hook.Result{}, errHooksOff
	}
	return s.hooks.runner.Test(ctx, id)
}

// hookHandlers are the handlers of api's hook routes (handlers adds them).
func (s *Service) hookHandlers() map[string]http.Handler {
	return map[string]http.Handler{
		api.RouteHooks: answer(func(r *http.Request) (any, error) {
			hs, err := s.Hooks()
			return api.Hooks{Hooks: nonNil(hs), Events: hook.Events()}, err
		}),
		api.RouteAddHook: answerStatus(http.StatusCreated, func(r *http.Request) (any, error) {
			var req api.AddHook
			if err := decode(r, &req); err != nil {
				return nil, err
			}
			return s.AddHook(req)
		}),
		api.RouteRemoveHook: answer(func(r *http.Request) (any, error) {
			h, err := s.RemoveHook(r.PathValue("id"))
			return api.HookRemoved{Removed: h}, err
		}),
		api.RouteTestHook: answer(func(r *http.Request) (any, error) {
			res, err := s.TestHook(r.Context(), r.PathValue("id"))
			return api.HookTested{Result: res}, err
		}),
	}
}

// meetingHook fires meeting.started and meeting.ended as the quiet state
// goes in and out of a meeting (back-to-back meetings are one stretch, as
// for the held notifications): the end says how long the stretch really
// was; the start says when it is planned to end.
func (s *Service) meetingHook(prev, now QuietState, at time.Time) {
	if prev.Meeting == now.Meeting {
		return
	}
	s.hooks.mu.Lock()
	defer s.hooks.mu.Unlock()
	if !now.Meeting {
		m := s.hooks.meeting
		s.hooks.meeting = hook.Meeting{}
		if m.Start.IsZero() {
			return
		}
		m.End = at
		m.Minutes = hook.Minutes(at.Sub(m.Start))
		if s.wantsHook(hook.MeetingEnded) {
			s.fireHook(hook.MeetingEnded, m)
		}
		return
	}
	m := hook.Meeting{Start: at, End: now.MeetingEnd, Title: now.MeetingTitle}
	if !m.End.IsZero() {
		m.Minutes = hook.Minutes(m.End.Sub(at))
	}
	s.hooks.meeting = m
	if s.wantsHook(hook.MeetingStarted) {
		s.fireHook(hook.MeetingStarted, m)
	}
}
