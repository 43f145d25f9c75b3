package notify

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Rules are the user's breakthrough settings (PRODUCT.md "Breakthrough
// rules"). The zero value is completed with the defaults by Rules.withDefaults.
type Rules struct {
	// VIP lists apps or sources (case-insensitive) that always break through.
	VIP []string
	// Keywords break through when found (case-insensitive) in title or body.
	Keywords []string
	// RepeatCount notifications from one source within RepeatWindow break
	// through (default 3 in 15 minutes).
	RepeatCount  int
	RepeatWindow time.Duration
	// RateLimit is the most breakthroughs per source per RateWindow (default
	// 3 per hour); the rest are held.
	RateLimit  int
	RateWindow time.Duration
	// BatchDesktopAllDay holds captured desktop notifications all day, not
	// only during focus.
	BatchDesktopAllDay bool
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
	return r
}

// Engine applies Rules to a stream of notifications. It remembers recent
// arrivals (repeat escalation) and breakthroughs (rate limit) per source,
// in memory: after a restart both windows start empty.
type Engine struct {
	rules Rules

	mu      sync.Mutex
	arrived map[string][]time.Time
	broke   map[string][]time.Time
	calls   int // decisions since the last sweep of idle sources
}

// sweepEvery is how many decisions pass between sweeps that forget sources
// with nothing left in either window, so many one-off sources cost no memory.
const sweepEvery = 1024

// NewEngine returns an Engine for r (zero fields take the defaults).
func NewEngine(r Rules) *Engine {
	r = r.withDefaults()
	kw := make([]string, len(r.Keywords))
	for i, k := range r.Keywords {
		kw[i] = strings.ToLower(k)
	}
	r.Keywords = kw
	return &Engine{rules: r, arrived: map[string][]time.Time{}, broke: map[string][]time.Time{}}
}

// Decide returns the decision for n arriving at now, focusing or not, and
// records it in the engine's windows.
func (e *Engine) Decide(n Notification, now time.Time, focusing bool) Decision {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.calls++; e.calls >= sweepEvery {
		e.calls = 0
		e.sweep(now)
	}
	key := strings.ToLower(n.Source)
	arrived := append(prune(e.arrived[key], now, e.rules.RepeatWindow, e.rules.RepeatCount-1), now)
	e.arrived[key] = arrived

	reason := e.breakthroughReason(n, len(arrived))
	if reason != "" {
		broke := prune(e.broke[key], now, e.rules.RateWindow, e.rules.RateLimit)
		if len(broke) >= e.rules.RateLimit {
			e.broke[key] = broke
			return Decision{ActionHold, fmt.Sprintf("%s, but rate limit: %s already broke through %d times in the last %s",
				reason, n.Source, len(broke), e.rules.RateWindow)}
		}
		e.broke[key] = append(broke, now)
		return Decision{ActionBreakthrough, reason}
	}
	switch {
	case n.Origin != OriginDesktop:
		return Decision{ActionHold, "sent to Lull: batched for the digest"}
	case focusing:
		return Decision{ActionHold, "held during focus"}
	case e.rules.BatchDesktopAllDay:
		return Decision{ActionHold, "desktop notifications are batched all day"}
	}
	return Decision{ActionPass, "not focusing: left to the desktop"}
}

// sweep forgets sources whose windows are empty at now.
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

// Sources returns how many sources the engine currently remembers.
func (e *Engine) Sources() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.arrived)
}

// breakthroughReason names the first matching breakthrough rule, or "".
func (e *Engine) breakthroughReason(n Notification, recent int) string {
	switch {
	case n.Origin == OriginDesktop && n.Urgency >= UrgencyCritical:
		return "urgency critical"
	case n.Priority == PriorityUrgent:
		return "priority urgent"
	}
	for _, v := range e.rules.VIP {
		if strings.EqualFold(v, n.Source) || (n.App != "" && strings.EqualFold(v, n.App)) {
			return fmt.Sprintf("VIP %q", v)
		}
	}
	if len(e.rules.Keywords) > 0 {
		text := strings.ToLower(n.Title + "\n" + n.Body)
		for _, k := range e.rules.Keywords {
			if k != "" && strings.Contains(text, k) {
				return fmt.Sprintf("keyword %q", k)
			}
		}
	}
	if recent >= e.rules.RepeatCount {
		return fmt.Sprintf("repeat: %d from %s within %s", recent, n.Source, e.rules.RepeatWindow)
	}
	return ""
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
