package app

import (
	"testing"
	"time"

	"github.com/lullapp/lull/focus"
)

// The window's clock and time words (moved here from the window's tray,
// which the resident process owns now: app/tray).

func TestWhenLabelUsesTheUsersZone(t *testing.T) {
	loc := time.FixedZone("UTC+10", 10*3600)
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) // 22:00 Monday there
	// 15:00 UTC is 01:00 Tuesday in UTC+10: tomorrow there, today in UTC.
	at := time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)
	if got := whenLabel(at, now, loc); got != "Tue 01:00" {
		t.Errorf("whenLabel in UTC+10 = %q, want Tue 01:00", got)
	}
	if got := whenLabel(at, now, time.UTC); got != "15:00" {
		t.Errorf("whenLabel in UTC = %q, want 15:00", got)
	}
}

func TestNextTick(t *testing.T) {
	now := uiT0
	for _, tc := range []struct {
		name string
		st   focus.State
		want time.Duration
	}{
		{"idle: no timer", focus.State{}, 0},
		{"whole minutes left", focus.State{Focusing: true, Start: now, PlannedEnd: now.Add(50 * time.Minute)}, time.Minute},
		{"34m20s left changes in 20 s", focus.State{Focusing: true, Start: now, PlannedEnd: now.Add(34*time.Minute + 20*time.Second)}, 20 * time.Second},
		{"overdue: check again in a minute", focus.State{Focusing: true, Start: now.Add(-time.Hour), PlannedEnd: now.Add(-time.Second)}, time.Minute},
		{"open-ended at 10 s rounds up at 30 s", focus.State{Focusing: true, Start: now.Add(-10 * time.Second)}, 20 * time.Second},
		{"open-ended at 45 s next changes at 1m30s", focus.State{Focusing: true, Start: now.Add(-45 * time.Second)}, 45 * time.Second},
		{"open-ended exactly on :30", focus.State{Focusing: true, Start: now.Add(-90 * time.Second)}, time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := nextTick(tc.st, now)
			if got != tc.want {
				t.Fatalf("nextTick = %v, want %v", got, tc.want)
			}
			// The label really changes at the tick and not just before it.
			if got > 0 && tc.st.Focusing && tc.name != "overdue: check again in a minute" {
				before := focus.StatusLine(tc.st, now.Add(got-time.Millisecond))
				at := focus.StatusLine(tc.st, now.Add(got))
				if before != focus.StatusLine(tc.st, now) || at == before {
					t.Errorf("status %q just before the tick, %q at it (now %q)", before, at, focus.StatusLine(tc.st, now))
				}
			}
		})
	}
}
