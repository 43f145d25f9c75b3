package service

import (
	"testing"
	"time"

	"github.com/lullapp/lull/notify"
)

// TestEndOfSessionCue: with the setting on, a session that runs to its
// planned end is told once, from the service (so with no window open), with
// the break to take; one stopped by hand is not, an open-ended one is not,
// and with the setting off nothing is.
func TestEndOfSessionCue(t *testing.T) {
	r := startLive(t)
	r.save(t, func(s *Settings) { s.EndCue, s.BreakAfter = true, 5*time.Minute })
	cues := func() []notify.Message {
		r.svc.Flush()
		var out []notify.Message
		for _, m := range r.sent.Sent() {
			if m.Title == "Focus session done" {
				out = append(out, m)
			}
		}
		return out
	}
	if _, err := r.svc.Focus.Start(25 * time.Minute); err != nil {
		t.Fatal(err)
	}
	r.clk.Advance(25 * time.Minute)
	r.clk.Advance(time.Hour)
	if got := cues(); len(got) != 1 || got[0].Body != "25 min of focus. Take a 5 min break before the next thing." {
		t.Fatalf("cues %+v, want one for the finished session", got)
	}
	if _, err := r.svc.Focus.Start(50 * time.Minute); err != nil {
		t.Fatal(err)
	}
	r.clk.Advance(10 * time.Minute)
	if _, err := r.svc.Focus.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.Focus.StartOpen(); err != nil {
		t.Fatal(err)
	}
	r.clk.Advance(40 * time.Minute)
	if _, err := r.svc.Focus.Stop(); err != nil {
		t.Fatal(err)
	}
	if got := cues(); len(got) != 1 {
		t.Errorf("a session stopped by hand was cued: %+v", got)
	}
	r.save(t, func(s *Settings) { s.EndCue = false })
	if _, err := r.svc.Focus.Start(25 * time.Minute); err != nil {
		t.Fatal(err)
	}
	r.clk.Advance(30 * time.Minute)
	if got := cues(); len(got) != 1 {
		t.Errorf("cued with the setting off: %+v", got)
	}
}
