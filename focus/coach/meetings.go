package coach

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/internal/human"
)

// series gathers one recurring meeting's occurrences in the week.
type series struct {
	key     string
	summary string
	first   Meeting
	count   int
	lost    time.Duration // gaps left too short for a minimum block
	gaps    int
}

func meetingAudit(in Input) []Suggestion {
	st := in.Settings
	var out []Suggestion
	meetings := make([]Meeting, 0, len(in.Meetings))
	for _, m := range in.Meetings {
		if m.End.After(in.Week.Start) && m.Start.Before(in.Week.End) && m.End.After(m.Start) {
			meetings = append(meetings, m)
		}
	}
	sort.SliceStable(meetings, func(i, j int) bool {
		if !meetings[i].Start.Equal(meetings[j].Start) {
			return meetings[i].Start.Before(meetings[j].Start)
		}
		return meetings[i].Series < meetings[j].Series
	})
	if len(meetings) == 0 {
		return nil
	}
	var work []calendar.Interval
	for _, day := range in.Week.Days() {
		work = append(work, st.WorkingHours(day.Start)...)
	}
	busy := make([]calendar.Interval, len(meetings))
	for i, m := range meetings {
		busy[i] = calendar.Interval{Start: m.Start, End: m.End}
	}
	busy = calendar.Merge(busy)
	var workTotal, inMeetings time.Duration
	for _, w := range work {
		workTotal += w.Duration()
		inMeetings += overlap(w, busy)
	}
	if workTotal > 0 && inMeetings*100 >= workTotal*MeetingLoadPercent {
		out = append(out, Suggestion{
			ID: ID(KindMeetingLoad, in.Week.String()), Kind: KindMeetingLoad,
			Title: fmt.Sprintf("Meetings took %s of your working hours this week", dur(inMeetings)),
			Why: fmt.Sprintf("That is %d %% of your %s of working hours, in %d meetings. The recurring ones below are where to start.",
				int(inMeetings*100/workTotal), dur(workTotal), len(meetings)),
		})
	}

	bySeries := map[string]*series{}
	var order []*series
	for _, m := range meetings {
		if !m.Recurring {
			continue
		}
		s := bySeries[m.Series]
		if s == nil {
			s = &series{key: m.Series, summary: strings.TrimSpace(m.Summary), first: m}
			if s.summary == "" {
				s.summary = "(no title)"
			}
			bySeries[m.Series] = s
			order = append(order, s)
		}
		s.count++
	}
	for _, s := range order {
		s.lost, s.gaps = shortGaps(in, s.key, meetings, busy)
	}

	var costly []*series
	for _, s := range order {
		if s.lost >= MeetingCostMin {
			costly = append(costly, s)
		}
	}
	sort.SliceStable(costly, func(i, j int) bool {
		if costly[i].lost != costly[j].lost {
			return costly[i].lost > costly[j].lost
		}
		return costly[i].summary < costly[j].summary
	})
	if len(costly) > MaxMeetingCost {
		costly = costly[:MaxMeetingCost]
	}
	w := newWhatIf(in)
	for _, s := range costly {
		gain, meets := w.without(s.key)
		out = append(out, Suggestion{
			ID: ID(KindMeetingCost, s.key), Kind: KindMeetingCost,
			Title: fmt.Sprintf("'%s' costs you focus", s.summary),
			Why: fmt.Sprintf("This week it met %s and left %d %s shorter than your %s minimum block, %s in all. %s",
				human.Times(s.count), s.gaps, plural(s.gaps, "gap", "gaps"), dur(st.Plan.MinBlock), dur(s.lost), whatIfText(gain, meets)),
			WhatIf: gain,
		})
	}

	if len(st.UserAddresses) == 0 {
		return out // without your addresses Lull cannot tell whose meeting it is
	}
	n := 0
	for _, s := range order {
		m := s.first
		if n == MaxAsync || m.Attendees < AsyncMinAttendees || m.Organizer == "" || isMine(st.UserAddresses, m.Organizer) || hasAgenda(m.Description) {
			continue
		}
		n++
		gain, meets := w.without(s.key)
		out = append(out, Suggestion{
			ID: ID(KindMeetingAsync, s.key), Kind: KindMeetingAsync,
			Title: fmt.Sprintf("Could '%s' be async?", s.summary),
			Why: fmt.Sprintf("It recurs, has %d attendees, %s organizes it and its description has no agenda. %s Lull sends nothing to anyone: you decide.",
				m.Attendees, m.Organizer, whatIfText(gain, meets)),
			WhatIf: gain,
		})
	}
	return out
}

// shortGaps adds up, over the week, the free gaps in working hours next to
// the series' occurrences that are too short for a minimum block once the
// buffers are kept: the focus the meeting costs beyond its own length.
func shortGaps(in Input, key string, meetings []Meeting, busy []calendar.Interval) (lost time.Duration, gaps int) {
	st := in.Settings.Plan
	seen := map[calendar.Interval]bool{}
	for _, m := range meetings {
		if m.Series != key {
			continue
		}
		var block calendar.Interval // the merged busy time m is part of
		for _, b := range busy {
			if !b.Start.After(m.Start) && !b.End.Before(m.End) {
				block = b
			}
		}
		for _, w := range in.Settings.WorkingHours(m.Start) {
			for _, g := range calendar.Subtract(w, busy) {
				if seen[g] || (!g.End.Equal(block.Start) && !g.Start.Equal(block.End)) {
					continue
				}
				usable := g.Duration()
				if g.Start.After(w.Start) {
					usable -= st.Buffer
				}
				if g.End.Before(w.End) {
					usable -= st.Buffer
				}
				if usable < st.MinBlock {
					seen[g] = true
					lost += g.Duration()
					gaps++
				}
			}
		}
	}
	return lost, gaps
}

func overlap(w calendar.Interval, busy []calendar.Interval) time.Duration {
	var d time.Duration
	for _, b := range busy {
		s, e := max(b.Start.UnixNano(), w.Start.UnixNano()), min(b.End.UnixNano(), w.End.UnixNano())
		if e > s {
			d += time.Duration(e - s)
		}
	}
	return d
}

func isMine(addrs []string, a string) bool {
	a = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(a)), "mailto:")
	for _, m := range addrs {
		if strings.TrimPrefix(strings.ToLower(strings.TrimSpace(m)), "mailto:") == a {
			return true
		}
	}
	return false
}

var (
	urlPattern = regexp.MustCompile(`(?i)(https?://|mailto:|tel:)\S+`)
	// boilerplate are words of the join and dial-in blocks video-meeting
	// tools write into descriptions: a line with one of them is no agenda.
	boilerplate = []string{"join", "meeting id", "passcode", "password", "dial", "zoom", "teams", "google meet", "meet.google",
		"webex", "phone", "pin:", "conference", "microsoft", "-::~", "invitation from google", "learn more", "options"}
)

// hasAgenda reports whether a meeting description says what the meeting is
// for: at least AgendaMinWords words once links and join boilerplate are
// removed.
func hasAgenda(desc string) bool {
	words := 0
	for _, line := range strings.Split(urlPattern.ReplaceAllString(desc, " "), "\n") {
		low := strings.ToLower(line)
		skip := false
		for _, b := range boilerplate {
			if strings.Contains(low, b) {
				skip = true
				break
			}
		}
		if skip {
			continue
		}
		for _, f := range strings.Fields(line) {
			if strings.IndexFunc(f, unicode.IsLetter) >= 0 {
				words++
			}
		}
	}
	return words >= AgendaMinWords
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// whatIfText says what the planner found next week without the meeting.
func whatIfText(gain time.Duration, meets bool) string {
	switch {
	case !meets:
		return "It does not meet next week."
	case gain <= 0:
		return "Without it next week's plan would have no more focus: your other rules (hours, daily cap) are the limit."
	}
	return fmt.Sprintf("Without it you would have %s more focus next week, by the planner under your rules.", dur(gain))
}

// whatIf plans next week with the real planner: the most focus the user's
// rules allow (goal WhatIfGoal), with every meeting and without one series.
type whatIf struct {
	in   Input
	base time.Duration
	err  bool
}

func newWhatIf(in Input) *whatIf {
	w := &whatIf{in: in}
	var err error
	w.base, err = w.capacity("")
	w.err = err != nil
	return w
}

// without returns how much more focus next week's plan has without series
// key, and whether the series meets next week at all.
func (w *whatIf) without(key string) (time.Duration, bool) {
	meets := false
	for _, m := range w.in.NextMeetings {
		if m.Series == key {
			meets = true
		}
	}
	if !meets || w.err {
		return 0, meets
	}
	c, err := w.capacity(key)
	if err != nil {
		return 0, meets
	}
	return c - w.base, meets
}

// capacity is the focus the planner places next week with every meeting
// but those of series skip ("" skips none).
func (w *whatIf) capacity(skip string) (time.Duration, error) {
	p := w.in.Settings.Plan
	p.WeeklyGoal = WhatIfGoal
	p.HorizonDays = int(w.in.Next.End.Sub(w.in.Next.Start).Round(24*time.Hour) / (24 * time.Hour))
	busy := append([]calendar.Interval(nil), w.in.NextBusy...)
	for _, m := range w.in.NextMeetings {
		if m.Series != skip {
			busy = append(busy, calendar.Interval{Start: m.Start, End: m.End})
		}
	}
	blocks, err := calendar.Plan(calendar.PlanInput{From: w.in.Next.Start, Settings: p, Location: w.in.Next.Start.Location(),
		Busy: busy, OutOfOffice: w.in.NextOutOfOffice})
	if err != nil {
		return 0, err
	}
	var total time.Duration
	for _, b := range blocks {
		if !b.Start.Before(w.in.Next.Start) && b.Start.Before(w.in.Next.End) {
			total += b.Duration()
		}
	}
	return total, nil
}
