// Package coach turns a week of Lull's records — the interruption ledger,
// the digests and what was in them, the focus log and the calendar — into
// a few suggestions, each explained with its numbers and, for rules and
// settings, applicable in one step: hold a source that keeps breaking
// through except for VIPs, batch a noisy source nobody reads to one daily
// digest, plan focus away from the hour that interrupts most; and a meeting
// audit (meeting load, recurring meetings that cost focus, candidates for
// async, with what the planner would gain without them) the user can only
// dismiss: Lull sends nothing to anyone.
//
// Analyze is a pure function of its Input: the same week gives the same
// suggestions in the same order. Every threshold is a named constant with
// its reason. The package knows nothing of the window or the local API.
package coach

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/focus"
	"github.com/lullapp/lull/internal/human"
	"github.com/lullapp/lull/internal/settings"
	"github.com/lullapp/lull/notify"
)

// Kind is the type of a suggestion.
type Kind string

// The kinds of suggestions, in the order Analyze lists them.
const (
	// KindHold: a source broke through often during focus, mostly by
	// repeat escalation: hold it except for VIPs.
	KindHold Kind = "hold"
	// KindBatch: a noisy source whose digests are rarely opened: deliver it
	// only in the last digest of the day.
	KindBatch Kind = "batch"
	// KindPlanTime: interruptions cluster in one hour: plan focus in the
	// other half of the day.
	KindPlanTime Kind = "plan-time"
	// KindMeetingLoad: a large share of the working week was in meetings.
	KindMeetingLoad Kind = "meeting-load"
	// KindMeetingCost: a recurring meeting leaves gaps too short for a
	// focus block.
	KindMeetingCost Kind = "meeting-cost"
	// KindMeetingAsync: a recurring meeting that could be async (several
	// attendees, organized by someone else, no agenda).
	KindMeetingAsync Kind = "meeting-async"
)

// Thresholds. Each is a named constant with its reason, so a suggestion is
// never a matter of taste buried in code.
const (
	// HoldMinBreakthroughs: a source must break through during focus at
	// least this often in a week (about once a working day) before holding
	// it is worth suggesting; fewer is noise, not a pattern.
	HoldMinBreakthroughs = 5
	// HoldMinRepeatPercent: more than this share of those breakthroughs
	// must come from repeat escalation ("mostly by repeat"): a source that
	// breaks through for urgency or keywords is doing what the user asked.
	HoldMinRepeatPercent = 50

	// BatchMinNotifications: a source must put at least this many
	// notifications into the week's digests (ten a working day) to be
	// called noisy.
	BatchMinNotifications = 50
	// BatchMaxOpenedPercent: at most this share of the digests carrying the
	// source were opened (one of the three default digests a day): the user
	// does not read it when it comes, so one delivery a day is enough.
	BatchMaxOpenedPercent = 34
	// BatchMinDigestTimes: batching to one digest only changes anything when
	// there are at least two scheduled digests a day.
	BatchMinDigestTimes = 2

	// PlanMinInterruptions: the week's focus sessions must have been
	// interrupted at least this often before their timing says anything.
	PlanMinInterruptions = 6
	// PlanMinHourPercent: at least this share of the interruptions must fall
	// in one hour of the day ("most interruptions come 14:00–15:00").
	PlanMinHourPercent = 50

	// MeetingLoadPercent: meetings taking at least this share of the
	// working hours are worth a look (a third of the week leaves too little
	// for the default 10 h goal in a 40 h week once gaps are counted).
	MeetingLoadPercent = 30
	// MeetingCostMin: a recurring meeting is called costly when the gaps
	// it leaves too short for a minimum block add up to at least this
	// much in the week (half the default minimum block).
	MeetingCostMin = 30 * time.Minute
	// MaxMeetingCost is how many costly meetings are listed: the worst few
	// are what a person acts on.
	MaxMeetingCost = 3
	// AsyncMinAttendees: "several attendees": a meeting of two is a
	// conversation, not a status round.
	AsyncMinAttendees = 3
	// AgendaMinWords: a description with fewer words than this, once links
	// and dial-in boilerplate are removed, has no agenda.
	AgendaMinWords = 5
	// MaxAsync is how many async candidates are listed.
	MaxAsync = 3
	// WhatIfGoal is the weekly goal the what-if plans with: the planner
	// stops at the user's goal, so to see what a meeting costs it plans the
	// most focus the user's other rules (working hours, daily cap, blocks,
	// buffers, lunch) allow.
	WhatIfGoal = 7 * 24 * time.Hour
)

// Action is what applying a suggestion changes in the settings.
type Action struct {
	// Hold adds a source to the held sources (settings key "hold").
	Hold string `json:"hold,omitempty"`
	// BatchSource is batched to the daily digest at BatchAt ("digest-only").
	BatchSource string `json:"batch_source,omitempty"`
	BatchAt     string `json:"batch_at,omitempty"`
	// Prefer sets the preferred time of day ("prefer").
	Prefer calendar.TimeOfDay `json:"prefer,omitempty"`
}

// Apply changes st as the action says and returns what changed, in words.
func (a Action) Apply(st *settings.Settings) string {
	switch {
	case a.Hold != "":
		st.Hold = append(slices.Clone(st.Hold), a.Hold)
		return fmt.Sprintf("added %s to the held sources: it breaks through only for VIPs", a.Hold)
	case a.BatchSource != "":
		st.SourceDigest = append(slices.Clone(st.SourceDigest), settings.SourceDigestEntry(a.BatchSource, mustTime(a.BatchAt)))
		return fmt.Sprintf("%s now comes only in the %s digest", a.BatchSource, a.BatchAt)
	case a.Prefer != "":
		old := st.Plan.Prefer
		st.Plan.Prefer = a.Prefer
		return fmt.Sprintf("preferred time of day changed from %s to %s; the plan follows", old, a.Prefer)
	}
	return ""
}

// Satisfied reports whether st already does what the action would (then
// the suggestion is not shown).
func (a Action) Satisfied(st settings.Settings) bool {
	switch {
	case a.Hold != "":
		return containsFold(st.Hold, a.Hold)
	case a.BatchSource != "":
		for _, e := range st.SourceDigest {
			if src, _, err := settings.ParseSourceDigest(e); err == nil && strings.EqualFold(src, a.BatchSource) {
				return true
			}
		}
		return false
	case a.Prefer != "":
		return st.Plan.Prefer == a.Prefer
	}
	return false
}

func mustTime(s string) notify.TimeOfDay {
	t, _ := notify.ParseTimeOfDay(s)
	return t
}

// Suggestion is one thing the coach noticed.
type Suggestion struct {
	// ID is stable across weeks: derived from the kind and what it is
	// about (the source, the meeting series), never from the numbers, so
	// a dismissed suggestion stays dismissed. A meeting-load item is about
	// its week, so its ID includes the week.
	ID   string `json:"id"`
	Kind Kind   `json:"kind"`
	// Title is the suggestion in one line ("Hold Slack except VIPs?").
	Title string `json:"title"`
	// Why explains it with the week's numbers.
	Why string `json:"why"`
	// Action is what Apply changes; nil for the meeting audit, which the
	// user can only dismiss.
	Action *Action `json:"action,omitempty"`
	// WhatIf is the focus the planner finds next week without the meeting
	// (meeting-cost and meeting-async items).
	WhatIf time.Duration `json:"what_if,omitempty"`
}

// Meeting is one busy, timed calendar occurrence.
type Meeting struct {
	// Series names the event across occurrences: its calendar and UID.
	Series  string
	Summary string
	Start   time.Time
	End     time.Time
	// Recurring, Attendees, Organizer and Description are the event's
	// (ics.Occurrence).
	Recurring   bool
	Attendees   int
	Organizer   string
	Description string
}

// DigestSeen is one delivered digest: when, whether it was opened, and how
// many notifications of each source it carried.
type DigestSeen struct {
	At      time.Time
	Opened  bool
	Sources map[string]int
}

// Input is one week of records and the settings in force.
type Input struct {
	// Week is the week analysed; Next is the week after (the what-if).
	Week, Next focus.Week
	// Settings are the user's settings (VIPs, held and batched sources,
	// digest times, planning rules, addresses).
	Settings settings.Settings
	// Sessions are the week's focus sessions with their interruptions.
	Sessions []focus.Session
	// Digests are the week's digests.
	Digests []DigestSeen
	// Meetings are this week's busy timed occurrences; NextMeetings next
	// week's. NextBusy is next week's other busy time (all-day events) and
	// NextOutOfOffice its days away, for the planner.
	Meetings        []Meeting
	NextMeetings    []Meeting
	NextBusy        []calendar.Interval
	NextOutOfOffice []time.Time
}

// Analyze returns everything the week suggests: rules first (hold, batch,
// plan time), then the meeting audit (load, costly meetings, async
// candidates), each group in a fixed order. Review decides what is shown.
func Analyze(in Input) []Suggestion {
	var out []Suggestion
	out = append(out, holdSuggestions(in)...)
	out = append(out, batchSuggestions(in)...)
	out = append(out, planTimeSuggestions(in)...)
	out = append(out, meetingAudit(in)...)
	return out
}

// Item is a suggestion as the user sees it, with what they did about it.
type Item struct {
	Suggestion
	// State is "" (new) or "applied"; dismissed suggestions are not listed.
	State State `json:"state,omitempty"`
	// Changed says what applying it changed.
	Changed string `json:"changed,omitempty"`
}

// Review returns the suggestions to show, in Analyze's order: dismissed
// ones are left out, applied ones are marked with what they changed, and
// new ones the settings already satisfy (the user did it by hand) are left
// out.
func Review(in Input, recs map[string]Record) []Item {
	var out []Item
	for _, s := range Analyze(in) {
		r := recs[s.ID]
		switch {
		case r.State == StateDismissed:
		case r.State == StateApplied:
			out = append(out, Item{Suggestion: s, State: StateApplied, Changed: r.Changed})
		case s.Action != nil && s.Action.Satisfied(in.Settings):
		default:
			out = append(out, Item{Suggestion: s})
		}
	}
	return out
}

// ID derives a suggestion's stable ID: the kind and a short hash of what it
// is about, lower-cased ("hold-3f2a9c1e").
func ID(kind Kind, about string) string {
	h := sha256.Sum256([]byte(string(kind) + "\x00" + strings.ToLower(strings.TrimSpace(about))))
	return string(kind) + "-" + hex.EncodeToString(h[:4])
}

// repeatReason matches notify's repeat-escalation reasons ("3rd message
// from Alice in Slack within 15 min", `4th "x" from ci within 15 min`).
var repeatReason = regexp.MustCompile(`^\d+(st|nd|rd|th) .* within `)

// sourceTally counts per source, keeping the first spelling seen.
type sourceTally struct {
	name  map[string]string
	count map[string]int
}

func newTally() *sourceTally { return &sourceTally{name: map[string]string{}, count: map[string]int{}} }

func (t *sourceTally) add(source string, n int) string {
	k := strings.ToLower(strings.TrimSpace(source))
	if _, ok := t.name[k]; !ok {
		t.name[k] = strings.TrimSpace(source)
	}
	t.count[k] += n
	return k
}

// keys returns the tallied sources, most counted first, then by name.
func (t *sourceTally) keys() []string {
	ks := make([]string, 0, len(t.count))
	for k := range t.count {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool {
		if t.count[ks[i]] != t.count[ks[j]] {
			return t.count[ks[i]] > t.count[ks[j]]
		}
		return ks[i] < ks[j]
	})
	return ks
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(strings.TrimSpace(v), strings.TrimSpace(s)) {
			return true
		}
	}
	return false
}

// inWeek reports whether t lies in w.
func inWeek(w focus.Week, t time.Time) bool { return !t.Before(w.Start) && t.Before(w.End) }

func holdSuggestions(in Input) []Suggestion {
	all, repeat := newTally(), newTally()
	for _, s := range in.Sessions {
		for _, i := range s.Interruptions {
			if !inWeek(in.Week, i.At) || strings.TrimSpace(i.Source) == "" {
				continue
			}
			all.add(i.Source, 1)
			if repeatReason.MatchString(i.Reason) {
				repeat.add(i.Source, 1)
			}
		}
	}
	var out []Suggestion
	for _, k := range all.keys() {
		n, r := all.count[k], repeat.count[k]
		name := all.name[k]
		if n < HoldMinBreakthroughs || r*100 <= n*HoldMinRepeatPercent || containsFold(in.Settings.VIP, name) {
			continue
		}
		out = append(out, Suggestion{
			ID: ID(KindHold, name), Kind: KindHold,
			Title: fmt.Sprintf("Hold %s except VIPs?", name),
			Why: fmt.Sprintf("%s broke through %s during focus this week, %d of them because the same sender wrote again and again. "+
				"Held, it waits for the digest; your VIPs still reach you.", name, human.Times(n), r),
			Action: &Action{Hold: name},
		})
	}
	return out
}

func batchSuggestions(in Input) []Suggestion {
	times := in.Settings.DigestTimes
	if times == nil {
		for _, t := range notify.DefaultDigestTimes {
			times = append(times, t.String())
		}
	}
	if len(times) < BatchMinDigestTimes {
		return nil
	}
	last := ""
	for _, t := range times {
		if tod, err := notify.ParseTimeOfDay(t); err == nil && tod.String() > last {
			last = tod.String()
		}
	}
	total, carried, opened := newTally(), newTally(), newTally()
	for _, d := range in.Digests {
		if !inWeek(in.Week, d.At) {
			continue
		}
		for src, n := range d.Sources {
			total.add(src, n)
			carried.add(src, 1)
			if d.Opened {
				opened.add(src, 1)
			}
		}
	}
	var out []Suggestion
	for _, k := range total.keys() {
		n, c, o := total.count[k], carried.count[k], opened.count[k]
		name := total.name[k]
		if n < BatchMinNotifications || o*100 > c*BatchMaxOpenedPercent {
			continue
		}
		out = append(out, Suggestion{
			ID: ID(KindBatch, name), Kind: KindBatch,
			Title: fmt.Sprintf("Batch %s to the %s digest only?", name, last),
			Why: fmt.Sprintf("%s sent %d notifications to your digests this week; you opened %d of the %d %s that carried them. "+
				"One delivery a day, at %s, would be enough.", name, n, o, c, plural(c, "digest", "digests"), last),
			Action: &Action{BatchSource: name, BatchAt: last},
		})
	}
	return out
}

func planTimeSuggestions(in Input) []Suggestion {
	loc := in.Week.Start.Location()
	var byHour [24]int
	total := 0
	for _, s := range in.Sessions {
		for _, i := range s.Interruptions {
			if inWeek(in.Week, i.At) {
				byHour[i.At.In(loc).Hour()]++
				total++
			}
		}
	}
	if total < PlanMinInterruptions {
		return nil
	}
	top := 0
	for h := range byHour {
		if byHour[h] > byHour[top] {
			top = h
		}
	}
	if byHour[top]*100 < total*PlanMinHourPercent {
		return nil
	}
	noon := 12 * 60
	if l := in.Settings.Plan.Lunch; !l.Empty() {
		noon = int(l.Start)
	}
	prefer, half := calendar.PreferAfternoon, "the morning"
	if (top+1)*60 > noon { // the hour ends after noon: an afternoon hour
		prefer, half = calendar.PreferMorning, "the afternoon"
	}
	return []Suggestion{{
		ID: ID(KindPlanTime, string(prefer)), Kind: KindPlanTime,
		Title: fmt.Sprintf("Plan focus in the %s?", prefer),
		Why: fmt.Sprintf("%d of this week's %d interruptions during focus came between %02d:00 and %02d:00, in %s. "+
			"Planning focus in the %s keeps it away from them.", byHour[top], total, top, (top+1)%24, half, prefer),
		Action: &Action{Prefer: prefer},
	}}
}

// dur writes a length for a person: "2 h 10 min".
func dur(d time.Duration) string { return human.Duration(d.Round(time.Minute)) }
