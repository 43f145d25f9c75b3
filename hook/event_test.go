package hook

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var updatePayloads = flag.Bool("update-payloads", false, "rewrite testdata/payloads golden files")

// berlin is a fixed zone, so the golden files do not depend on the
// machine's.
var berlin = time.FixedZone("CET", 3600)

var at = time.Date(2026, 11, 30, 14, 5, 0, 0, berlin)

// samplePayloads are one realistic payload per event.
func samplePayloads() []Payload {
	start := at.Add(-50 * time.Minute)
	data := map[string]any{
		FocusStarted: FocusStart{SessionID: "188c2e4f1a2b0000", Kind: "scheduled", Start: at, PlannedEnd: at.Add(90 * time.Minute), PlannedMinutes: 90},
		FocusEnded:   FocusEnd{SessionID: "188c2e4f1a2b0000", Kind: "manual", Start: start, End: at, Minutes: 50, Interruptions: 2, Outcome: "stopped early"},
		DigestDelivered: Digest{DigestID: "d-188c", Reason: "focus-end", Total: 14,
			Sources: []SourceCount{{"Mail", 9}, {"CI", 3}, {"Chat", 2}},
			Items:   []DigestItem{{"Mail", "Quarterly numbers", 9}, {"CI", "Build failed on main", 3}, {"Chat", "Ana: lunch?", 2}}},
		Breakthrough: BreakthroughInfo{Source: "Chat", Rule: "repeat", Focusing: true, Title: "Ana", Reason: "3rd message from Ana in Chat within 15 min"},
		PlanChanged: Plan{Accepted: []Block{{ID: "b-1", Start: at.Add(24 * time.Hour), End: at.Add(26 * time.Hour)}},
			Skipped: []Block{{ID: "b-2", Start: at.Add(48 * time.Hour), End: at.Add(49 * time.Hour)}}},
		MeetingStarted: Meeting{Start: at, End: at.Add(30 * time.Minute), Minutes: 30, Title: "Weekly sync with the board"},
		MeetingEnded:   Meeting{Start: start, End: at, Minutes: 50, Title: "Weekly sync with the board"},
	}
	var out []Payload
	for _, e := range Events() {
		out = append(out, Payload{Version: PayloadVersion, Event: e, ID: "0123456789abcdef", At: at, Data: data[e]})
	}
	return out
}

// TestPayloadGolden: every event's payload, with and without titles, is a
// golden file (go test ./hook -run PayloadGolden -update-payloads rewrites
// them), the one documentation of the layout that cannot drift; without
// titles no payload holds a title, or a reason that may quote one.
func TestPayloadGolden(t *testing.T) {
	titles := []string{"Quarterly numbers", "Build failed", "Ana", "Weekly sync"}
	for _, p := range samplePayloads() {
		for _, withTitles := range []bool{false, true} {
			name := p.Event
			if withTitles {
				name += ".titles"
			}
			got, err := json.MarshalIndent(p.forHook(withTitles), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "payloads", name+".json")
			if *updatePayloads {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test ./hook -run PayloadGolden -update-payloads writes it)", err)
			}
			if string(got) != string(want) {
				t.Errorf("%s payload changed:\n%s\nwant:\n%s", name, got, want)
			}
			if !strings.Contains(string(got), `"version": 1`) {
				t.Errorf("%s: no version field", name)
			}
			if !withTitles {
				for _, title := range titles {
					if strings.Contains(string(got), title) {
						t.Errorf("%s without titles holds %q:\n%s", name, title, got)
					}
				}
				for _, v := range p.forHook(false).Env() {
					for _, title := range titles {
						if strings.Contains(v, title) {
							t.Errorf("%s without titles: env %s holds %q", name, v, title)
						}
					}
				}
			}
		}
	}
}

// TestEnv: the main fields of each event are LULL_* variables.
func TestEnv(t *testing.T) {
	want := map[string][]string{
		FocusStarted:    {"LULL_EVENT=focus.started", "LULL_EVENT_VERSION=1", "LULL_EVENT_ID=0123456789abcdef", "LULL_AT=2026-11-30T14:05:00+01:00", "LULL_MINUTES=90", "LULL_PLANNED_END=2026-11-30T15:35:00+01:00", "LULL_FOCUS_KIND=scheduled"},
		FocusEnded:      {"LULL_EVENT=focus.ended", "LULL_MINUTES=50", "LULL_INTERRUPTIONS=2", "LULL_OUTCOME=stopped early"},
		DigestDelivered: {"LULL_EVENT=digest.delivered", "LULL_TOTAL=14", "LULL_SOURCES=Mail 9, CI 3, Chat 2", "LULL_REASON=focus-end"},
		Breakthrough:    {"LULL_EVENT=breakthrough", "LULL_SOURCE=Chat", "LULL_RULE=repeat", "LULL_FOCUSING=1"},
		PlanChanged:     {"LULL_EVENT=plan.changed", "LULL_ACCEPTED=1", "LULL_SKIPPED=1"},
		MeetingStarted:  {"LULL_EVENT=meeting.started", "LULL_MINUTES=30", "LULL_END=2026-11-30T14:35:00+01:00"},
		MeetingEnded:    {"LULL_EVENT=meeting.ended", "LULL_MINUTES=50"},
	}
	for _, p := range samplePayloads() {
		env := p.forHook(false).Env()
		for _, w := range want[p.Event] {
			if !slices.Contains(env, w) {
				t.Errorf("%s: env lacks %s: %v", p.Event, w, env)
			}
		}
		if slices.Contains(env, "LULL_TEST=1") {
			t.Errorf("%s: a real event is marked as a test", p.Event)
		}
		p.Test = true
		if !slices.Contains(p.Env(), "LULL_TEST=1") {
			t.Errorf("%s: a test event is not marked", p.Event)
		}
	}
}

// TestSampleEveryEvent: `lull hooks test` has a sample for every event.
func TestSampleEveryEvent(t *testing.T) {
	for _, e := range Events() {
		if Sample(e, at) == nil {
			t.Errorf("no sample for %s", e)
		}
	}
}

func TestBreakthroughRule(t *testing.T) {
	for reason, want := range map[string]string{
		"urgent":       "urgent",
		"VIP: Ana":     "vip",
		"keyword 'db'": "keyword",
		"3rd message from Ana in Chat within 15 min": "repeat",
	} {
		if got := BreakthroughRule(reason); got != want {
			t.Errorf("BreakthroughRule(%q) = %q, want %q", reason, got, want)
		}
	}
}

func TestWords(t *testing.T) {
	r := Result{Event: FocusStarted, At: at, OK: true, Reason: "done", Took: 300 * time.Millisecond, Tries: 1}
	if got, want := r.Words(berlin), "ran Mon 30 Nov 14:05, took under a second: done"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	r = Result{At: at, Test: true, Reason: "the receiver failed (bad gateway); gave up after 4 tries", Took: 7200 * time.Millisecond}
	if got, want := r.Words(berlin), "failed Mon 30 Nov 14:05 (a test), took 7 s: the receiver failed (bad gateway); gave up after 4 tries"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	h := Hook{Dropped: 3}
	if got, want := h.LastWords(berlin), "not run yet; 3 events dropped (it was too slow to keep up)"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
}
