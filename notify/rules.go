package notify

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/lullapp/lull/internal/human"
)

// Rules are the user's breakthrough settings (PRODUCT.md "Breakthrough
// rules"). The zero value is completed with the defaults by Rules.withDefaults.
type Rules struct {
	// VIP lists apps, sources or senders (case-insensitive) that always
	// break through.
	VIP []string
	// Keywords break through when found (case-insensitive) in title or body.
	Keywords []string
	// RepeatCount notifications from one sender within RepeatWindow break
	// through (default 3 in 15 minutes). A sender is a person or thread, not
	// an app: see SenderKey.
	RepeatCount  int
	RepeatWindow time.Duration
	// RateLimit is the most breakthroughs per source per RateWindow (default
	// 3 per hour); the rest are held.
	RateLimit  int
	RateWindow time.Duration
	// BatchDesktopAllDay holds captured desktop notifications all day, not
	// only during focus.
	BatchDesktopAllDay bool
	// Hold lists apps or sources (case-insensitive, matched like VIP
	// against the source and the desktop app) that never break through
	// unless a VIP entry matches: urgency, keywords and repeat escalation
	// are ignored for them ("hold Slack except VIPs", a coach suggestion).
	Hold []string
}

func (r Rules) withDefaults() Rules {
	if r.RepeatCount == 0 {
		r.RepeatCount = 3
	}
	if r.RepeatWindow == 0 {
		r.RepeatWindow = 15 * time.Minute
	}
	if r.RateLimit == 0 {
		r.RateLimit = 3
	}
	if r.RateWindow == 0 {
		r.RateWindow = time.Hour
	}
	kw := make([]string, 0, len(r.Keywords))
	for _, k := range r.Keywords {
		if k = strings.TrimSpace(k); k != "" {
			kw = append(kw, k)
		}
	}
	r.Keywords = kw
	return r
}

// Engine applies Rules to a stream of notifications. It remembers recent
// arrivals per sender (repeat escalation) and breakthroughs per source (rate
// limit), in memory: after a restart both windows start empty.
type Engine struct {
	mu      sync.Mutex
	rules   Rules
	arrived map[string][]time.Time // by SenderKey
	broke   map[string][]time.Time // by sourceKey
	calls   int                    // decisions since the last sweep of idle keys
}

// sweepEvery is how many decisions pass between sweeps that forget senders
// with nothing left in either window, so many one-off senders cost no memory.
const sweepEvery = 1024

// maxRepeatTracked bounds the arrivals remembered per sender, so a flood
// costs constant memory; the reason then counts up to this ("50th message").
const maxRepeatTracked = 50

// NewEngine returns an Engine for r (zero fields take the defaults).
func NewEngine(r Rules) *Engine {
	return &Engine{rules: r.withDefaults(), arrived: map[string][]time.Time{}, broke: map[string][]time.Time{}}
}

// SetRules replaces the rules from the next decision on (the user saved new
// settings); what the windows remember is kept.
func (e *Engine) SetRules(r Rules) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.rules = r.withDefaults()
}

// Rules returns the rules in force, defaults filled in.
func (e *Engine) Rules() Rules {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.rules
}

// originClass separates desktop apps from what is sent to Lull (API and
// command line), so desktop "Mail" and API source "mail" never share a
// counter.
func originClass(o Origin) string {
	if o == OriginDesktop {
		return "desktop"
	}
	return "lull"
}

// SenderKey names the person or thread n comes from, for repeat escalation:
// the desktop app plus its summary line (chat and mail apps put the sender's
// name or the subject there), or the API/CLI source plus the title;
// case-insensitive, and never shared between desktop and API.
func SenderKey(n Notification) string {
	return originClass(n.Origin) + "\x00" + strings.ToLower(n.sourceName()) + "\x00" + strings.ToLower(strings.TrimSpace(n.Title))
}

// sourceKey names the app or source, for the rate limit.
func sourceKey(n Notification) string {
	return originClass(n.Origin) + "\x00" + strings.ToLower(n.sourceName())
}

// sourceName is the app's name for a desktop notification, else the source.
func (n Notification) sourceName() string {
	if n.Origin == OriginDesktop && strings.TrimSpace(n.App) != "" {
		return strings.TrimSpace(n.App)
	}
	return n.Source
}

// Mode is what holds notifications when one arrives: focus, a meeting
// running (a busy calendar event), presenting (a fullscreen window or the
// user said so). Any of them holds desktop notifications; while presenting,
// keyword rules do not break through (a keyword is a guess about a
// message's importance, and a popup on a shared screen is shown to the
// whole room), while urgent notifications, VIPs and repeats still do.
type Mode struct {
	Focusing, Meeting, Presenting bool
}

// Holding reports whether desktop notifications are held in m.
func (m Mode) Holding() bool { return m.Focusing || m.Meeting || m.Presenting }

// heldReason says why a desktop notification is held in m, in words.
func (m Mode) heldReason() string {
	switch {
	case m.Focusing:
		return "held during focus"
	case m.Presenting:
		return "held while presenting"
	}
	return "held during a meeting"
}

// Decide returns the decision for n arriving at now, focusing or not, and
// records it in the engine's windows.
func (e *Engine) Decide(n Notification, now time.Time, focusing bool) Decision {
	return e.DecideIn(n, now, Mode{Focusing: focusing})
}

// DecideIn is Decide in mode m (focus, a meeting, presenting).
func (e *Engine) DecideIn(n Notification, now time.Time, m Mode) Decision {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.calls++; e.calls >= sweepEvery {
		e.calls = 0
		e.sweep(now)
	}
	key := SenderKey(n)
	keep := max(e.rules.RepeatCount, maxRepeatTracked) - 1
	arrived := append(prune(e.arrived[key], now, e.rules.RepeatWindow, keep), now)
	e.arrived[key] = arrived

	reason := e.breakthroughReason(n, len(arrived), !m.Presenting)
	if reason != "" && !strings.HasPrefix(reason, vipPrefix) && e.held(n) {
		return Decision{ActionHold, fmt.Sprintf("%s, but %s is held except VIPs", reason, n.sourceName())}
	}
	if reason == "" && m.Presenting {
		if kw := e.breakthroughReason(n, 0, true); kw != "" {
			return Decision{ActionHold, kw + ", but keywords do not break through while presenting: held"}
		}
	}
	if reason != "" {
		src := sourceKey(n)
		broke := prune(e.broke[src], now, e.rules.RateWindow, e.rules.RateLimit)
		if len(broke) >= e.rules.RateLimit {
			e.broke[src] = broke
			return Decision{ActionHold, fmt.Sprintf("%s, but %s already broke through %s within %s (rate limit): held",
				reason, n.sourceName(), human.Times(len(broke)), human.Duration(e.rules.RateWindow))}
		}
		e.broke[src] = append(broke, now)
		return Decision{ActionBreakthrough, reason}
	}
	switch {
	case n.Origin != OriginDesktop:
		return Decision{ActionHold, "sent to Lull: batched for the digest"}
	case m.Holding():
		return Decision{ActionHold, m.heldReason()}
	case e.rules.BatchDesktopAllDay:
		return Decision{ActionHold, "desktop notifications are batched all day"}
	}
	return Decision{ActionPass, "not focusing: left to the desktop"}
}

// sweep forgets keys whose windows are empty at now.
func (e *Engine) sweep(now time.Time) {
	for k, ts := range e.arrived {
		if len(prune(ts, now, e.rules.RepeatWindow, len(ts))) == 0 {
			delete(e.arrived, k)
		}
	}
	for k, ts := range e.broke {
		if len(prune(ts, now, e.rules.RateWindow, len(ts))) == 0 {
			delete(e.broke, k)
		}
	}
}

// Sources returns how many senders the engine currently remembers.
func (e *Engine) Sources() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.arrived)
}

// vipPrefix starts the reason of a VIP breakthrough, the one rule a held
// source still obeys.
const vipPrefix = "VIP: "

// held reports whether n's source or app is on the Hold list.
func (e *Engine) held(n Notification) bool {
	for _, h := range e.rules.Hold {
		h = strings.TrimSpace(h)
		if h != "" && (strings.EqualFold(h, n.Source) || (n.App != "" && strings.EqualFold(h, n.App))) {
			return true
		}
	}
	return false
}

// breakthroughReason names the first matching breakthrough rule in words a
// person reads in the popup, the Digest tab and the report ("urgent", "VIP:
// pager", "keyword 'outage'", "3rd message from Alice in Slack within
// 15 min"), or "".
// Keyword rules are skipped unless keywords is set.
func (e *Engine) breakthroughReason(n Notification, recent int, keywords bool) string {
	switch {
	case n.Origin == OriginDesktop && n.Urgency >= UrgencyCritical:
		return "urgent"
	case n.Priority == PriorityUrgent:
		return "urgent"
	}
	for _, v := range e.rules.VIP {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if strings.EqualFold(v, n.Source) || (n.App != "" && strings.EqualFold(v, n.App)) ||
			(n.Origin == OriginDesktop && strings.EqualFold(v, strings.TrimSpace(n.Title))) {
			return vipPrefix + v
		}
	}
	if keywords && len(e.rules.Keywords) > 0 {
		text := strings.ToLower(n.Title + "\n" + n.Body)
		for _, k := range e.rules.Keywords {
			if strings.Contains(text, strings.ToLower(k)) {
				return "keyword '" + k + "'"
			}
		}
	}
	if recent >= e.rules.RepeatCount {
		window := human.Duration(e.rules.RepeatWindow)
		if n.Origin == OriginDesktop {
			return fmt.Sprintf("%s message from %s in %s within %s", ordinal(recent), strings.TrimSpace(n.Title), n.sourceName(), window)
		}
		return fmt.Sprintf("%s %q from %s within %s", ordinal(recent), strings.TrimSpace(n.Title), n.Source, window)
	}
	return ""
}

// ordinal writes 1st, 2nd, 3rd, 4th, 11th, 21st…
func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

// prune drops times older than window before now (times at exactly
// now-window are dropped: "within 15 minutes" is strict) and keeps at most
// the newest keep, so a flood from one source costs constant memory.
func prune(ts []time.Time, now time.Time, window time.Duration, keep int) []time.Time {
	cut := max(len(ts)-keep, 0)
	for cut < len(ts) && !ts[cut].After(now.Add(-window)) {
		cut++
	}
	return append(ts[:0:0], ts[cut:]...)
}
