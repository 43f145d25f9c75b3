package app

import (
	"fmt"

	"github.com/lullapp/lull/focus"
)

// cueEnd tells the user, when the setting asks for it, that a focus session
// ran to its planned end, and suggests the break the setting names: one
// notification per session. Sessions stopped by hand (open-ended ones too)
// end without a cue: the user knows.
func (u *UI) cueEnd(st focus.State) {
	if st.Focusing || st.Outcome != focus.Completed || st.PlannedEnd.IsZero() || st.SessionID == "" || st.SessionID == u.cued {
		return
	}
	u.cued = st.SessionID
	set := u.svc.Settings()
	if !set.EndCue || u.opts.Notify == nil {
		return
	}
	title, body := endCueText(st, set.BreakAfter.Minutes())
	u.opts.Notify(title, body)
}

// endCueText is the end-of-session notification: "Focus session done" /
// "50 min of focus. Take a 5 min break before the next thing."
func endCueText(st focus.State, breakMin float64) (string, string) {
	body := durText(st.PlannedEnd.Sub(st.Start)) + " of focus."
	if breakMin >= 1 {
		body += fmt.Sprintf(" Take a %d min break before the next thing.", int(breakMin))
	}
	return "Focus session done", body
}
