package notify

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestRules(t *testing.T) {
	rules := Rules{VIP: []string{"Boss", "pager"}, Keywords: []string{"PROD DOWN", "outage"}}
	type step struct {
		after    time.Duration // since the previous step
		n        Notification
		focusing bool
		want     Action
		reason   string // substring of the reason
	}
	tests := []struct {
		name  string
		rules Rules
		steps []step
	}{
		{"api normal is held all day", rules, []step{
			{0, apiN("ci", "build ok"), false, ActionHold, "batched"},
			{0, apiN("mail", "hello"), true, ActionHold, "batched"},
		}},
		{"desktop passes outside focus, held during focus", rules, []step{
			{0, deskN("chat", "hi", UrgencyNormal, 0), false, ActionPass, "not focusing"},
			{0, deskN("mail", "hi", UrgencyNormal, 0), true, ActionHold, "during focus"},
		}},
		{"desktop batched all day by setting", Rules{BatchDesktopAllDay: true}, []step{
			{0, deskN("chat", "hi", UrgencyNormal, 0), false, ActionHold, "all day"},
		}},
		{"critical urgency breaks through", rules, []step{
			{0, deskN("chat", "hi", UrgencyCritical, 0), true, ActionBreakthrough, "urgent"},
		}},
		{"priority urgent breaks through", rules, []step{
			{0, Notification{Source: "ci", Title: "x", Priority: PriorityUrgent, Origin: OriginAPI}, true, ActionBreakthrough, "urgent"},
			{0, Notification{Source: "ci2", Title: "x", Priority: PriorityHigh, Origin: OriginAPI}, true, ActionHold, "batched"},
		}},
		{"VIP source and app, case-insensitive", rules, []step{
			{0, apiN("BOSS", "lunch?"), true, ActionBreakthrough, "VIP: Boss"},
			{0, deskN("Pager", "x", UrgencyNormal, 0), true, ActionBreakthrough, "VIP: pager"},
		}},
		{"keyword in title or body, case-insensitive", rules, []step{
			{0, apiN("ci", "Prod Down in eu-1"), true, ActionBreakthrough, "keyword 'PROD DOWN'"},
			{0, Notification{Source: "mail", Title: "fyi", Body: "the OUTAGE is over", Origin: OriginAPI}, true, ActionBreakthrough, "keyword 'outage'"},
			{0, apiN("chat", "production is fine"), true, ActionHold, "batched"},
		}},
		{"repeat escalation: third from one sender within 15 min", rules, []step{
			{0, deskN("Slack", "Alice", UrgencyNormal, 0), true, ActionHold, "during focus"},
			{5 * time.Minute, deskN("Slack", "Alice", UrgencyNormal, 0), true, ActionHold, "during focus"},
			{9 * time.Minute, deskN("Slack", "alice ", UrgencyNormal, 0), true, ActionBreakthrough, "3rd message from alice in Slack within 15 min"},
			{30 * time.Second, deskN("Slack", "Alice", UrgencyNormal, 0), true, ActionBreakthrough, "4th message from Alice in Slack within 15 min"},
		}},
		{"five different senders in one app are all held", rules, []step{
			{0, deskN("Slack", "Alice", UrgencyNormal, 0), true, ActionHold, "during focus"},
			{time.Minute, deskN("Slack", "Bob", UrgencyNormal, 0), true, ActionHold, "during focus"},
			{time.Minute, deskN("Slack", "Dana", UrgencyNormal, 0), true, ActionHold, "during focus"},
			{time.Minute, deskN("Slack", "Erin", UrgencyNormal, 0), true, ActionHold, "during focus"},
			{time.Minute, deskN("Slack", "Frank", UrgencyNormal, 0), true, ActionHold, "during focus"},
		}},
		{"a CI job posting different results is held", rules, []step{
			{0, apiN("ci", "Nightly failed"), true, ActionHold, "batched"},
			{time.Minute, apiN("ci", "Deploy done"), true, ActionHold, "batched"},
			{time.Minute, apiN("ci", "Lint passed"), true, ActionHold, "batched"},
			{time.Minute, apiN("ci", "Nightly failed"), true, ActionHold, "batched"},
			{time.Minute, apiN("CI", "nightly failed"), true, ActionBreakthrough, `3rd "nightly failed" from CI within 15 min`},
		}},
		{"desktop Mail and API mail do not share a counter", rules, []step{
			{0, deskN("Mail", "Invoice", UrgencyNormal, 0), true, ActionHold, "during focus"},
			{time.Minute, apiN("mail", "Invoice"), true, ActionHold, "batched"},
			{time.Minute, deskN("Mail", "Invoice", UrgencyNormal, 0), true, ActionHold, "during focus"},
			{time.Minute, apiN("mail", "Invoice"), true, ActionHold, "batched"},
			{time.Minute, deskN("Mail", "Invoice", UrgencyNormal, 0), true, ActionBreakthrough, "3rd message from Invoice in Mail"},
		}},
		{"a held source breaks through only for a VIP", Rules{VIP: []string{"Alice"}, Keywords: []string{"outage"}, Hold: []string{"slack"}}, []step{
			{0, deskN("Slack", "Bob", UrgencyNormal, 0), true, ActionHold, "during focus"},
			{time.Minute, deskN("Slack", "Bob", UrgencyNormal, 0), true, ActionHold, "during focus"},
			{time.Minute, deskN("Slack", "Bob", UrgencyNormal, 0), true, ActionHold, "3rd message from Bob in Slack within 15 min, but Slack is held except VIPs"},
			{0, deskN("Slack", "outage", UrgencyCritical, 0), true, ActionHold, "urgent, but Slack is held except VIPs"},
			{0, deskN("Slack", "Alice", UrgencyNormal, 0), true, ActionBreakthrough, "VIP: Alice"},
			{0, deskN("Mail", "outage", UrgencyNormal, 0), true, ActionBreakthrough, "keyword 'outage'"},
		}},
		{"a VIP sender inside an app breaks through", Rules{VIP: []string{"Alice"}}, []step{
			{0, deskN("Slack", "Bob", UrgencyNormal, 0), true, ActionHold, "during focus"},
			{0, deskN("Slack", "alice", UrgencyNormal, 0), true, ActionBreakthrough, "VIP: Alice"},
		}},
		{"no repeat escalation when spread over more than 15 min", rules, []step{
			{0, apiN("ci", "a"), true, ActionHold, ""},
			{10 * time.Minute, apiN("ci", "a"), true, ActionHold, ""},
			{5 * time.Minute, apiN("ci", "a"), true, ActionHold, ""}, // the first is exactly 15 min old: out
			{time.Minute, apiN("other", "a"), true, ActionHold, ""},
		}},
		{"the rate limit is per source, whoever the sender", rules, []step{
			{0, deskN("Slack", "Alice", UrgencyCritical, 0), true, ActionBreakthrough, "urgent"},
			{0, deskN("Slack", "Bob", UrgencyCritical, 0), true, ActionBreakthrough, "urgent"},
			{0, deskN("Slack", "Dana", UrgencyCritical, 0), true, ActionBreakthrough, "urgent"},
			{0, deskN("Slack", "Erin", UrgencyCritical, 0), true, ActionHold, "urgent, but Slack already broke through 3 times within 1 h (rate limit): held"},
			{0, apiN("slack", "Erin"), true, ActionHold, "batched"},
		}},
		{"rate limit: at most 3 breakthroughs per source per hour", rules, []step{
			{0, Notification{Source: "ci", Title: "1", Priority: PriorityUrgent, Origin: OriginAPI}, true, ActionBreakthrough, ""},
			{20 * time.Minute, Notification{Source: "ci", Title: "2", Priority: PriorityUrgent, Origin: OriginAPI}, true, ActionBreakthrough, ""},
			{20 * time.Minute, Notification{Source: "ci", Title: "3", Priority: PriorityUrgent, Origin: OriginAPI}, true, ActionBreakthrough, ""},
			{10 * time.Minute, Notification{Source: "ci", Title: "4", Priority: PriorityUrgent, Origin: OriginAPI}, true, ActionHold, "rate limit"},
			{0, Notification{Source: "mail", Title: "5", Priority: PriorityUrgent, Origin: OriginAPI}, true, ActionBreakthrough, ""},
			// An hour after the first, one slot is free again.
			{10*time.Minute + time.Second, Notification{Source: "ci", Title: "6", Priority: PriorityUrgent, Origin: OriginAPI}, true, ActionBreakthrough, ""},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := NewEngine(tc.rules)
			now := mon
			for i, s := range tc.steps {
				now = now.Add(s.after)
				got := e.Decide(s.n, now, s.focusing)
				if got.Action != s.want || !strings.Contains(got.Reason, s.reason) {
					t.Errorf("step %d (%s %q): got %s %q, want %s containing %q", i, s.n.Source, s.n.Title, got.Action, got.Reason, s.want, s.reason)
				}
			}
		})
	}
}

// TestRulesForgetIdleSources: one-off sources do not accumulate forever.
func TestRulesForgetIdleSources(t *testing.T) {
	e := NewEngine(Rules{})
	now := mon
	for i := range sweepEvery - 1 {
		e.Decide(apiN(fmt.Sprintf("s%d", i), "x"), now, false)
	}
	if got := e.Sources(); got != sweepEvery-1 {
		t.Fatalf("remembers %d sources, want %d", got, sweepEvery-1)
	}
	now = now.Add(2 * time.Hour)
	e.Decide(apiN("late", "x"), now, false) // triggers the sweep
	if got := e.Sources(); got != 1 {
		t.Fatalf("after the windows passed remembers %d sources, want 1", got)
	}
}
