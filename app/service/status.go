package service

import (
	"os"

	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/notify"
)

// Status is the state GET /v1/status answers (api.Status).
type Status = api.Status

// Status reports the running instance's state.
func (s *Service) Status() Status {
	now := s.Clock.Now()
	st := s.Focus.State()
	out := Status{
		Running: true, Version: s.opts.Version, PID: os.Getpid(), DataDir: s.Dir,
		Focusing: st.Focusing, Focus: st, StatusLine: s.Quiet().StatusLine(st.Focusing, focus.StatusLine(st, now), now),
		Quiet:      s.Quiet(),
		NextDigest: s.Notify.NextDigest(now), TokenStore: string(s.tokenStore), Problems: s.problemLines(),
		TrayAvailable: s.TrayAvailable(),
	}
	if held, err := s.Notify.Held(); err == nil {
		out.Held = heldCount(held)
	}
	if b, ok := s.NextBlock(); ok {
		out.NextBlock = &b
	}
	if b, ok := s.Focus.Resumable(); ok {
		out.Resumable = &b
	}
	s.addWeek(&out)
	return out
}

// heldCount counts held notifications as the digest will: identical
// repeats collapsed into one item count each time they came.
func heldCount(items []notify.Item) int {
	n := 0
	for _, it := range items {
		n += max(it.Count, 1)
	}
	return n
}

// OfflineStatus reports from the stored data when no instance runs.
func (d *Data) OfflineStatus(version string) Status {
	out := Status{Version: version, DataDir: d.Dir, StatusLine: "Lull is not running", Problems: d.problemLines()}
	if b, ok := d.NextBlock(); ok {
		out.NextBlock = &b
	}
	if held, err := d.Queue.Held(); err == nil {
		out.Held = heldCount(held)
	}
	d.addWeek(&out)
	return out
}

func (d *Data) addWeek(out *Status) {
	cfg := d.FocusConfig()
	out.WeeklyGoal = cfg.WeeklyGoal
	if r, err := d.Report(cfg.WeekOf(d.Clock.Now())); err == nil {
		out.WeekFocus = r.Focus
	}
}
