package hook

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The events a hook can run on. Their payloads are documented in
// docs/hooks/README.md; each name here is also what LULL_EVENT holds.
const (
	// FocusStarted: a focus session began (by hand, from the tray or the
	// command line, or because an accepted block began). Data: FocusStart.
	FocusStarted = "focus.started"
	// FocusEnded: a focus session ended (stopped, ran out, or cut short).
	// Data: FocusEnd.
	FocusEnded = "focus.ended"
	// DigestDelivered: held notifications were handed over as a digest.
	// Data: Digest.
	DigestDelivered = "digest.delivered"
	// Breakthrough: a notification skipped the queue (urgent, VIP, keyword,
	// a repeated sender). Data: BreakthroughInfo.
	Breakthrough = "breakthrough"
	// PlanChanged: the user accepted or skipped focus blocks. Data: Plan.
	PlanChanged = "plan.changed"
	// MeetingStarted: a busy calendar event began (Lull holds
	// notifications through it). Data: Meeting.
	MeetingStarted = "meeting.started"
	// MeetingEnded: that meeting ended. Data: Meeting.
	MeetingEnded = "meeting.ended"
)

// Events lists every event a hook can be added for, in the order the
// documentation gives them.
func Events() []string {
	return []string{FocusStarted, FocusEnded, DigestDelivered, Breakthrough, PlanChanged, MeetingStarted, MeetingEnded}
}

// ValidEvent reports whether name is one of Events.
func ValidEvent(name string) bool { return slices.Contains(Events(), name) }

// PayloadVersion is the version of the payload layout (Payload.Version,
// LULL_EVENT_VERSION). Fields may be added without a change; it goes up
// when a field changes meaning or goes away, so a hook can refuse what it
// does not understand.
const PayloadVersion = 1

// Payload is what a hook receives: on stdin for a program, as the body of
// the POST for a webhook.
type Payload struct {
	// Version is PayloadVersion.
	Version int `json:"version"`
	// Event is the event's name (FocusStarted, ...).
	Event string `json:"event"`
	// ID names this firing of the event; a webhook tried again after a
	// failure sends the same ID, so a receiver can drop a repeat.
	ID string `json:"id"`
	// At is when it happened, in the user's time zone.
	At time.Time `json:"at"`
	// Test is set on the sample event of `lull hooks test`.
	Test bool `json:"test,omitempty"`
	// Data is the event's own fields (FocusStart, FocusEnd, Digest,
	// BreakthroughInfo, Plan or Meeting).
	Data any `json:"data"`
}

// FocusStart is the data of FocusStarted.
type FocusStart struct {
	// SessionID is the focus session's id (the same in its focus.ended).
	SessionID string `json:"session_id"`
	// Kind is "manual" or "scheduled" (an accepted block began).
	Kind  string    `json:"kind"`
	Start time.Time `json:"start"`
	// PlannedEnd is when it is due to end; absent for open-ended focus.
	PlannedEnd time.Time `json:"planned_end,omitzero"`
	// PlannedMinutes is the planned length (0 for open-ended focus).
	PlannedMinutes int `json:"planned_minutes"`
}

// FocusEnd is the data of FocusEnded.
type FocusEnd struct {
	SessionID string    `json:"session_id"`
	Kind      string    `json:"kind"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	// Minutes is how long the session lasted, rounded to whole minutes.
	Minutes int `json:"minutes"`
	// Interruptions counts the breakthroughs during the session.
	Interruptions int `json:"interruptions"`
	// Outcome says how it ended: "completed", "stopped early", ...
	Outcome string `json:"outcome"`
}

// SourceCount is how many notifications of a digest came from one source.
type SourceCount struct {
	Source string `json:"source"`
	Count  int    `json:"count"`
}

// DigestItem is one notification of a digest; only hooks added with
// titles on receive them.
type DigestItem struct {
	Source string `json:"source"`
	Title  string `json:"title"`
	Count  int    `json:"count"`
}

// Digest is the data of DigestDelivered: what the digest notification
// itself says (how many from which source).
type Digest struct {
	DigestID string `json:"digest_id"`
	// Reason is why it came: "scheduled", "focus-end", "manual", ...
	Reason string `json:"reason"`
	// Total counts every notification it stands for.
	Total int `json:"total"`
	// Sources are the counts per source, largest first.
	Sources []SourceCount `json:"sources"`
	// Items are the notifications, only with titles on.
	Items []DigestItem `json:"items,omitempty"`
}

// BreakthroughInfo is the data of the Breakthrough event.
type BreakthroughInfo struct {
	// Source is the app or source it came from.
	Source string `json:"source"`
	// Rule is the rule that let it through: "urgent", "vip", "keyword" or
	// "repeat".
	Rule string `json:"rule"`
	// Focusing says whether it interrupted focus.
	Focusing bool `json:"focusing"`
	// Title and Reason (the rule in words, which may quote the title) only
	// with titles on.
	Title  string `json:"title,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Block is a focus block in a Plan.
type Block struct {
	ID    string    `json:"id"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Plan is the data of PlanChanged: the blocks the user accepted and
// skipped in one action.
type Plan struct {
	Accepted []Block `json:"accepted"`
	Skipped  []Block `json:"skipped"`
}

// Meeting is the data of MeetingStarted and MeetingEnded.
type Meeting struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Minutes is the meeting's length.
	Minutes int `json:"minutes"`
	// Title only with titles on.
	Title string `json:"title,omitempty"`
}

// private is data holding words the user reads in notifications or the
// calendar (titles); withoutTitles is the copy a hook without titles on
// receives.
type private interface{ withoutTitles() any }

func (d Digest) withoutTitles() any { d.Items = nil; return d }

func (b BreakthroughInfo) withoutTitles() any { b.Title, b.Reason = "", ""; return b }

func (m Meeting) withoutTitles() any { m.Title = ""; return m }

// forHook is p as the hook receives it: without titles unless titles.
func (p Payload) forHook(titles bool) Payload {
	if pd, ok := p.Data.(private); ok && !titles {
		p.Data = pd.withoutTitles()
	}
	return p
}

// envData is data with environment variables of its own.
type envData interface{ env() []string }

// Env is the LULL_* environment of p, beside the inherited one:
// LULL_EVENT (the event's name), LULL_EVENT_VERSION, LULL_EVENT_ID,
// LULL_AT, LULL_TEST (1 for a test) and the event's main fields.
func (p Payload) Env() []string {
	out := []string{
		"LULL_EVENT=" + p.Event,
		"LULL_EVENT_VERSION=" + strconv.Itoa(p.Version),
		"LULL_EVENT_ID=" + p.ID,
		"LULL_AT=" + stamp(p.At),
	}
	if p.Test {
		out = append(out, "LULL_TEST=1")
	}
	if d, ok := p.Data.(envData); ok {
		out = append(out, d.env()...)
	}
	return out
}

// stamp is t as RFC 3339 in its own zone, "" for the zero time.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

func (f FocusStart) env() []string {
	return []string{"LULL_SESSION_ID=" + f.SessionID, "LULL_FOCUS_KIND=" + f.Kind, "LULL_START=" + stamp(f.Start),
		"LULL_PLANNED_END=" + stamp(f.PlannedEnd), "LULL_MINUTES=" + strconv.Itoa(f.PlannedMinutes)}
}

func (f FocusEnd) env() []string {
	return []string{"LULL_SESSION_ID=" + f.SessionID, "LULL_FOCUS_KIND=" + f.Kind, "LULL_START=" + stamp(f.Start),
		"LULL_END=" + stamp(f.End), "LULL_MINUTES=" + strconv.Itoa(f.Minutes),
		"LULL_INTERRUPTIONS=" + strconv.Itoa(f.Interruptions), "LULL_OUTCOME=" + f.Outcome}
}

func (d Digest) env() []string {
	parts := make([]string, len(d.Sources))
	for i, s := range d.Sources {
		parts[i] = fmt.Sprintf("%s %d", s.Source, s.Count)
	}
	return []string{"LULL_DIGEST_ID=" + d.DigestID, "LULL_REASON=" + d.Reason, "LULL_TOTAL=" + strconv.Itoa(d.Total),
		"LULL_SOURCES=" + strings.Join(parts, ", ")}
}

func (b BreakthroughInfo) env() []string {
	out := []string{"LULL_SOURCE=" + b.Source, "LULL_RULE=" + b.Rule, "LULL_FOCUSING=" + boolEnv(b.Focusing)}
	if b.Title != "" {
		out = append(out, "LULL_TITLE="+b.Title)
	}
	return out
}

func (p Plan) env() []string {
	return []string{"LULL_ACCEPTED=" + strconv.Itoa(len(p.Accepted)), "LULL_SKIPPED=" + strconv.Itoa(len(p.Skipped))}
}

func (m Meeting) env() []string {
	out := []string{"LULL_START=" + stamp(m.Start), "LULL_END=" + stamp(m.End), "LULL_MINUTES=" + strconv.Itoa(m.Minutes)}
	if m.Title != "" {
		out = append(out, "LULL_TITLE="+m.Title)
	}
	return out
}

func boolEnv(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// BreakthroughRule names the rule behind a breakthrough reason as notify
// words it ("urgent", "VIP: Ana", "keyword 'prod'", "3rd ... within 15
// min"): the name alone, which never quotes a notification.
func BreakthroughRule(reason string) string {
	switch {
	case strings.HasPrefix(reason, "urgent"):
		return "urgent"
	case strings.HasPrefix(reason, "VIP"):
		return "vip"
	case strings.HasPrefix(reason, "keyword"):
		return "keyword"
	}
	return "repeat"
}

// Minutes rounds d to whole minutes, as the payloads count.
func Minutes(d time.Duration) int { return int(d.Round(time.Minute) / time.Minute) }

// Sample is the sample data of event for `lull hooks test`: plausible
// values around now, marked as a test by the payload.
func Sample(event string, now time.Time) any {
	now = now.Truncate(time.Second)
	switch event {
	case FocusStarted:
		return FocusStart{SessionID: "test", Kind: "manual", Start: now, PlannedEnd: now.Add(50 * time.Minute), PlannedMinutes: 50}
	case FocusEnded:
		return FocusEnd{SessionID: "test", Kind: "manual", Start: now.Add(-50 * time.Minute), End: now, Minutes: 50, Interruptions: 1, Outcome: "completed"}
	case DigestDelivered:
		return Digest{DigestID: "test", Reason: "manual", Total: 3, Sources: []SourceCount{{"Mail", 2}, {"CI", 1}},
			Items: []DigestItem{{"Mail", "A test from Lull", 2}, {"CI", "A test from Lull", 1}}}
	case Breakthrough:
		return BreakthroughInfo{Source: "Lull", Rule: "urgent", Focusing: true, Title: "A test from Lull", Reason: "urgent"}
	case PlanChanged:
		return Plan{Accepted: []Block{{ID: "test", Start: now.Add(time.Hour), End: now.Add(3 * time.Hour)}}, Skipped: []Block{}}
	case MeetingStarted, MeetingEnded:
		return Meeting{Start: now, End: now.Add(30 * time.Minute), Minutes: 30, Title: "A test from Lull"}
	}
	return nil
}
