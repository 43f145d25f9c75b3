package service

import (
	"fmt"
	"net/http"
	"time"

	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/focus/coach"
	"github.com/lullapp/lull/internal/api"
)

// coachInput gathers week's records for the coach ("" is this week, else
// an ISO week such as "2026-W49"): the focus sessions with their
// interruptions, the digests with what they carried and whether they were
// opened, and every calendar's last good data read over the week and the
// next (for the planner's what-if). A calendar that cannot be read is left
// out; the sync reports it.
func (d *Data) coachInput(week string) (coach.Input, error) {
	cfg := d.FocusConfig()
	wk, err := cfg.ParseWeek(week, d.Clock.Now())
	if err != nil {
		return coach.Input{}, err
	}
	next := cfg.WeekOf(wk.End)
	st := d.Settings()
	in := coach.Input{Week: wk, Next: next, Settings: st}
	if in.Sessions, err = d.Log.Sessions(wk.Start, wk.End); err != nil {
		return in, err
	}
	ds, err := d.Queue.ListDigests(wk.Start, wk.End, 0)
	if err != nil {
		return in, err
	}
	for _, dg := range ds {
		seen := coach.DigestSeen{At: dg.At, Opened: !dg.Opened.IsZero(), Sources: map[string]int{}}
		for _, sc := range dg.Sources() {
			seen.Sources[sc.Source] = sc.Count
		}
		in.Digests = append(in.Digests, seen)
	}
	sources, err := d.Sources.ListSources()
	if err != nil {
		return in, err
	}
	var this, after coach.Busy
	for _, src := range sources {
		data, err := d.Sources.Data(src.Config.ID)
		if err != nil || data == nil {
			continue
		}
		opt := st.BusyOptions()
		opt.AllDayFree = src.Config.AllDayFree
		if b, err := coach.ReadCalendar(src.Config.ID, data, wk.Start, wk.End, opt); err == nil {
			this.Add(b)
		}
		if b, err := coach.ReadCalendar(src.Config.ID, data, next.Start, next.End, opt); err == nil {
			after.Add(b)
		}
	}
	in.Meetings, in.NextMeetings, in.NextBusy, in.NextOutOfOffice = this.Meetings, after.Meetings, after.Other, after.OutOfOffice
	return in, nil
}

// Coach returns week's suggestions as the user sees them (GET /v1/coach,
// `lull coach`, the Report tab).
func (d *Data) Coach(week string) (api.Coach, error) {
	in, err := d.coachInput(week)
	if err != nil {
		return api.Coach{}, err
	}
	s, err := coach.OpenStore(d.DB)
	if err != nil {
		return api.Coach{}, err
	}
	recs, err := s.Records()
	if err != nil {
		return api.Coach{}, err
	}
	items := coach.Review(in, recs)
	if items == nil {
		items = []coach.Item{}
	}
	return api.Coach{Week: in.Week.String(), Suggestions: items}, nil
}

// find returns suggestion id of week's analysis, the week, and the store.
func (d *Data) coachFind(id, week string) (coach.Suggestion, focus.Week, *coach.Store, map[string]coach.Record, error) {
	in, err := d.coachInput(week)
	if err != nil {
		return coach.Suggestion{}, focus.Week{}, nil, nil, err
	}
	s, err := coach.OpenStore(d.DB)
	if err != nil {
		return coach.Suggestion{}, in.Week, nil, nil, err
	}
	recs, err := s.Records()
	if err != nil {
		return coach.Suggestion{}, in.Week, nil, nil, err
	}
	for _, sg := range coach.Analyze(in) {
		if sg.ID == id {
			return sg, in.Week, s, recs, nil
		}
	}
	return coach.Suggestion{}, in.Week, nil, nil, fmt.Errorf("suggestion %q for %s (see lull coach for this week's, e.g. --week %s): %w",
		id, in.Week, in.Week, coach.ErrNotFound)
}

// CoachApply applies suggestion id of week: it changes the settings as
// the suggestion says, stores them through save (the running service
// follows at once), and records the suggestion as applied with what
// changed. Meeting-audit suggestions have nothing to apply.
func (d *Data) CoachApply(id, week string, save func(Settings) error) (api.CoachApplied, error) {
	sg, wk, s, recs, err := d.coachFind(id, week)
	if err != nil {
		return api.CoachApplied{}, err
	}
	if sg.Action == nil {
		return api.CoachApplied{}, fmt.Errorf("%q is part of the meeting audit: Lull changes nothing for it; dismiss it with lull coach dismiss %s: %w",
			sg.Title, id, coach.ErrNothingToApply)
	}
	if r := recs[id]; r.State == coach.StateApplied {
		return api.CoachApplied{}, fmt.Errorf("%q was applied already (%s): %w", sg.Title, r.Changed, coach.ErrNothingToApply)
	}
	st := d.Settings()
	changed := sg.Action.Apply(&st)
	if err := save(st); err != nil {
		return api.CoachApplied{}, err
	}
	r := coach.Record{State: coach.StateApplied, At: d.Clock.Now(), Changed: changed, Week: wk.String(), Title: sg.Title}
	if err := s.Put(id, r); err != nil {
		return api.CoachApplied{}, err
	}
	return api.CoachApplied{Suggestion: coach.Item{Suggestion: sg, State: coach.StateApplied, Changed: changed}, Changed: changed}, nil
}

// CoachDismiss dismisses suggestion id of week for good: it is not shown
// again, this week or later.
func (d *Data) CoachDismiss(id, week string) error {
	sg, wk, s, _, err := d.coachFind(id, week)
	if err != nil {
		return err
	}
	return s.Put(id, coach.Record{State: coach.StateDismissed, At: d.Clock.Now(), Week: wk.String(), Title: sg.Title})
}

// coachHandlers are the coach's routes and the digest-opened route
// (api.coachRoutes).
func (s *Service) coachHandlers() map[string]http.Handler {
	return map[string]http.Handler{
		api.RouteCoach: answer(func(r *http.Request) (any, error) { return s.Coach(r.URL.Query().Get("week")) }),
		api.RouteCoachApply: answer(func(r *http.Request) (any, error) {
			var req api.CoachRequest
			if err := decode(r, &req); err != nil {
				return nil, err
			}
			// Saving the settings tells every window (SettingsChanged).
			return s.CoachApply(r.PathValue("id"), req.Week, s.SaveSettings)
		}),
		api.RouteCoachDismiss: answer(func(r *http.Request) (any, error) {
			var req api.CoachRequest
			if err := decode(r, &req); err != nil {
				return nil, err
			}
			return struct{}{}, s.CoachDismiss(r.PathValue("id"), req.Week)
		}),
		api.RouteDigestOpened: answer(func(r *http.Request) (any, error) {
			return struct{}{}, s.Notify.MarkOpened(r.PathValue("id"))
		}),
	}
}

// latestDigest is the ID of the newest digest ("" when none).
func (s *Service) latestDigest() string {
	ds, err := s.Notify.ListDigests(time.Unix(0, 0), s.Clock.Now().Add(time.Second), 1)
	if err != nil || len(ds) == 0 {
		return ""
	}
	return ds[0].ID
}

// digestOpened records that the user opened digest id (clicked its
// notification); the coach counts opened digests.
func (s *Service) digestOpened(id string) {
	if id == "" {
		return
	}
	if err := s.Notify.MarkOpened(id); err != nil {
		s.problem(fmt.Errorf("record digest opened: %w", err))
	}
}
