package notify

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lullapp/lull/internal/human"
)

// TestShortSessionRollsItsItemsOver: a focus end delivers a digest only
// after a session of at least MinDigestSession; a shorter one leaves its
// items for the next digest, unless a scheduled digest fell due during it.
func TestShortSessionRollsItsItemsOver(t *testing.T) {
	for _, tc := range []struct {
		name    string
		lasted  time.Duration
		pending bool // a scheduled digest fell due during the session
		want    []DigestReason
	}{
		{"a 14-minute session delivers nothing", MinDigestSession - time.Minute, false, nil},
		{"a 15-minute session delivers", MinDigestSession, false, []DigestReason{DigestFocusEnd}},
		{"a 90-minute session delivers", 90 * time.Minute, false, []DigestReason{DigestFocusEnd}},
		{"a short session still hands over the digest it postponed", 5 * time.Minute, true, []DigestReason{DigestScheduled}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Date(2026, 11, 23, 8, 55, 0, 0, time.UTC)
			if !tc.pending {
				start = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
			}
			r := newRig(t, start, Config{}, false)
			if err := r.svc.Start(t.Context()); err != nil {
				t.Fatal(err)
			}
			r.focus.set(true, start.Add(tc.lasted))
			r.svc.FocusStarted()
			r.submit(t, apiN("ci", "Nightly failed"))
			r.clk.Advance(tc.lasted) // passes 09:00 in the pending cases
			if r.svc.Pending() != tc.pending {
				t.Fatalf("pending = %v, want %v", r.svc.Pending(), tc.pending)
			}
			r.focus.set(false, time.Time{})
			r.svc.FocusEnded(tc.lasted)
			ds, err := r.svc.ListDigests(start.Add(-time.Hour), start.Add(24*time.Hour), 0)
			if err != nil {
				t.Fatal(err)
			}
			var got []DigestReason
			for _, d := range ds {
				got = append(got, d.Reason)
			}
			if len(got) != len(tc.want) || len(got) == 1 && got[0] != tc.want[0] {
				t.Fatalf("digests %v, want %v", got, tc.want)
			}
			if held, _ := r.svc.Held(); (len(held) == 1) != (tc.want == nil) {
				t.Fatalf("held after the session: %d items", len(held))
			}
		})
	}
}

// TestSetConfigAppliesAtOnce: digest times, zone and rules changed on a
// running service act on the next digest and the next notification, with
// no restart.
func TestSetConfigAppliesAtOnce(t *testing.T) {
	r := newRig(t, mon, Config{DigestTimes: []TimeOfDay{{18, 0}}}, false) // 08:00 UTC
	if err := r.svc.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	r.focus.set(true, time.Time{})
	if d := r.submit(t, deskN("Slack", "Alice", UrgencyNormal, 0)); d[0].Decision != ActionHold {
		t.Fatalf("before the VIP change: %+v", d[0])
	}
	cfg := r.svc.Config()
	cfg.DigestTimes = []TimeOfDay{{8, 30}}
	cfg.Rules.VIP = []string{"alice"}
	cfg.Rules.Keywords = []string{"outage"}
	r.svc.SetConfig(cfg)
	if d := r.submit(t, deskN("Slack", "Alice", UrgencyNormal, 0)); d[0].Decision != ActionBreakthrough || d[0].Reason != "VIP: alice" {
		t.Fatalf("VIP added while running: %+v", d[0])
	}
	if d := r.submit(t, apiN("ci", "Outage in eu-1")); d[0].Decision != ActionBreakthrough || d[0].Reason != "keyword 'outage'" {
		t.Fatalf("keyword added while running: %+v", d[0])
	}
	r.focus.set(false, time.Time{})
	r.clk.Set(time.Date(2026, 11, 23, 8, 30, 0, 0, time.UTC))
	if got := r.rec.Sent(); len(got) == 0 || got[len(got)-1].Title != "Lull — 1 held" {
		t.Fatalf("the new 08:30 digest time did not fire: %+v", got)
	}
	// The old 18:00 timer is gone: nothing more that day.
	r.submit(t, apiN("mail", "later"))
	n := len(r.rec.Sent())
	r.clk.Set(time.Date(2026, 11, 23, 23, 0, 0, 0, time.UTC))
	if got := r.rec.Sent(); len(got) != n {
		t.Fatalf("the replaced 18:00 digest time still fired: %+v", got[n:])
	}
	// A zone change moves the digest time: 08:30 in Berlin is 07:30 UTC.
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	cfg.Location = berlin
	r.svc.SetConfig(cfg)
	if next := r.svc.NextDigest(r.clk.Now()); !next.Equal(time.Date(2026, 11, 24, 7, 30, 0, 0, time.UTC)) {
		t.Fatalf("next digest after the zone change = %v", next)
	}
	r.clk.Set(time.Date(2026, 11, 24, 7, 30, 0, 0, time.UTC))
	if got := r.rec.Sent(); len(got) != n+1 {
		t.Fatalf("no digest at 08:30 Berlin: %+v", got)
	}
	// No digest times at all: only the ends of focus blocks deliver.
	cfg.DigestTimes = []TimeOfDay{}
	r.svc.SetConfig(cfg)
	if next := r.svc.NextDigest(r.clk.Now()); !next.IsZero() {
		t.Fatalf("next digest with no digest times = %v", next)
	}
	r.submit(t, apiN("mail", "x"))
	r.clk.Advance(72 * time.Hour)
	if got := r.rec.Sent(); len(got) != n+1 {
		t.Fatalf("a digest came with no digest times: %+v", got[n+1:])
	}
}

// TestSetDNDSwitchesDuringFocus: changing the do-not-disturb choice during
// focus leaves the old adapter and enters the new one.
func TestSetDNDSwitchesDuringFocus(t *testing.T) {
	r := newRig(t, mon, Config{}, false)
	r.focus.set(true, mon.Add(time.Hour))
	r.svc.FocusStarted()
	other := namedDND{recDND{r: r.rec}, "other"}
	r.svc.SetDND(other)
	r.svc.SetDND(nil)
	r.focus.set(false, time.Time{})
	r.svc.FocusEnded(time.Hour)
	want := []string{"dnd enter", "dnd leave", "dnd enter other", "dnd leave other"}
	if got := r.rec.log(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("events %q, want %q", got, want)
	}
}

type namedDND struct {
	recDND
	name string
}

func (d namedDND) Name() string { return d.name }
func (d namedDND) Enter() error { d.r.add("dnd enter " + d.name); return nil }
func (d namedDND) Leave() error { d.r.add("dnd leave " + d.name); return nil }

func TestParseTimeOfDay(t *testing.T) {
	for in, want := range map[string]TimeOfDay{"09:00": {9, 0}, "9:00": {9, 0}, " 16:30 ": {16, 30},
		"9am": {9, 0}, "4:30 pm": {16, 30}, "12pm": {12, 0}, "00:00": {0, 0}} {
		if got, err := ParseTimeOfDay(in); err != nil || got != want {
			t.Errorf("ParseTimeOfDay(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "25:00", "9", "noon", "09:60", "9.30"} {
		_, err := ParseTimeOfDay(in)
		var fe *human.FieldError
		if !errors.As(err, &fe) || !errors.Is(err, ErrBadTime) || fe.Key != "digest-times" {
			t.Errorf("ParseTimeOfDay(%q) = %v; want a field error", in, err)
			continue
		}
		if want := `digest time "` + strings.TrimSpace(in) + `": write a time of day as HH:MM, e.g. 09:00`; in != "" && err.Error() != want {
			t.Errorf("ParseTimeOfDay(%q) says %q, want %q", in, err, want)
		}
	}
}
