package service

import (
	"fmt"

	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/human"
	"github.com/lullapp/lull/notify"
)

// cueEnd tells the user, when the EndCue setting asks for it, that a focus
// session ran to its planned end, and suggests the break BreakAfter names:
// one OS notification per session, from the service, so it comes whether
// or not a window is open. Sessions stopped by hand (open-ended ones too)
// end without a cue: the user knows.
func (s *Service) cueEnd(st focus.State) {
	if st.Focusing || st.Outcome != focus.Completed || st.PlannedEnd.IsZero() || st.SessionID == "" || s.opts.Sender == nil {
		return
	}
	set := s.Settings()
	if !set.EndCue {
		return
	}
	s.cueMu.Lock()
	done := st.SessionID == s.cued
	s.cued = st.SessionID
	s.cueMu.Unlock()
	if done {
		return
	}
	if err := s.opts.Sender.Send(EndCueMessage(st, set)); err != nil {
		s.opts.Logf("end-of-session notification: %v", err)
	}
}

// EndCueMessage is the end-of-session notification: "Focus session done" /
// "50 min of focus. Take a 5 min break before the next thing."
func EndCueMessage(st focus.State, set Settings) notify.Message {
	body := human.Duration(st.PlannedEnd.Sub(st.Start)) + " of focus."
	if mins := int(set.BreakAfter.Minutes()); mins >= 1 {
		body += fmt.Sprintf(" Take a %s break before the next thing.", human.Duration(set.BreakAfter))
	}
	return notify.Message{Title: "Focus session done", Body: body}
}
