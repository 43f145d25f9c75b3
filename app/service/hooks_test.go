package service

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lullapp/lull/calendar"
	"github.com/lullapp/lull/hook"
	"github.com/lullapp/lull/internal/api"
	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/notify"
)

// recordingHook writes a program that appends each event's JSON (one line)
// to the file named by its first argument.
func recordingHook(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "record.sh")
	if err := os.WriteFile(p, []byte("#!/bin/sh\ncat >> \"$1\"\necho >> \"$1\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// events reads the payloads a recording hook wrote to path, waiting until
// there are n.
func events(t *testing.T, path string, n int) []hook.Payload {
	t.Helper()
	var out []hook.Payload
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		raw, _ := os.ReadFile(path)
		out = nil
		for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
			if line == "" {
				continue
			}
			var p hook.Payload
			if err := json.Unmarshal([]byte(line), &p); err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			out = append(out, p)
		}
		if len(out) >= n || time.Now().After(deadline) {
			break
		}
	}
	if len(out) != n {
		t.Fatalf("%s: %d events, want %d", path, len(out), n)
	}
	return out
}

// dataOf decodes a payload's data into T.
func dataOf[T any](t *testing.T, p hook.Payload) T {
	t.Helper()
	raw, _ := json.Marshal(p.Data)
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestHooksFireWhereThingsHappen: a day on the fake clock fires each event
// once, where it happens: plan accepted and skipped, focus started by the
// block (once, however often the state is published), a breakthrough
// during it, focus ended with its interruption, the digest at its end with
// counts per source. Titles reach only the hook that asked for them.
func TestHooksFireWhereThingsHappen(t *testing.T) {
	clk := clock.NewFake(monday)
	svc, _ := startService(t, clk, false)
	ics, _ := filepath.Abs("testdata/week.ics")
	if _, err := svc.AddSource(context.Background(), AddSource{Kind: calendar.SourceFile, Path: ics, Name: "Work"}); err != nil {
		t.Fatal(err)
	}
	prog, dir := recordingHook(t), t.TempDir()
	file := func(name string) string { return filepath.Join(dir, name) }
	for _, h := range []api.AddHook{
		{Event: hook.PlanChanged, Exec: prog, Args: []string{file("plan")}},
		{Event: hook.FocusStarted, Exec: prog, Args: []string{file("started")}},
		{Event: hook.FocusEnded, Exec: prog, Args: []string{file("ended")}},
		{Event: hook.Breakthrough, Exec: prog, Args: []string{file("breakthrough")}},
		{Event: hook.Breakthrough, Exec: prog, Args: []string{file("breakthrough-titles")}, Titles: true},
		{Event: hook.DigestDelivered, Exec: prog, Args: []string{file("digest")}},
	} {
		if _, err := svc.AddHook(h); err != nil {
			t.Fatal(err)
		}
	}
	_, plan, err := svc.SyncNow(context.Background())
	if err != nil || len(plan.Blocks) < 2 {
		t.Fatalf("plan %+v %v", plan, err)
	}
	first, second := plan.Blocks[0], plan.Blocks[1]
	if _, err := svc.Accept(context.Background(), first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Skip(context.Background(), second.ID); err != nil {
		t.Fatal(err)
	}
	clk.Set(first.Start.Add(time.Second))
	if _, err := svc.Focus.Extend(10 * time.Minute); err != nil {
		t.Fatal(err)
	}
	_, err = svc.Submitter().Submit(context.Background(), []notify.Notification{
		{Source: "ci", Title: "Build failed", Origin: notify.OriginAPI},
		{Source: "mail", Title: "Lunch?", Origin: notify.OriginAPI},
		{Source: "pager", Title: "Prod down", Priority: notify.PriorityUrgent, Origin: notify.OriginAPI},
	})
	if err != nil {
		t.Fatal(err)
	}
	clk.Set(first.End.Add(11 * time.Minute))

	ps := events(t, file("plan"), 2)
	if p := dataOf[hook.Plan](t, ps[0]); len(p.Accepted) != 1 || p.Accepted[0].ID != first.ID || len(p.Skipped) != 0 {
		t.Errorf("accept: %+v", p)
	}
	if p := dataOf[hook.Plan](t, ps[1]); len(p.Skipped) != 1 || p.Skipped[0].ID != second.ID || len(p.Accepted) != 0 {
		t.Errorf("skip: %+v", p)
	}
	started := dataOf[hook.FocusStart](t, events(t, file("started"), 1)[0])
	if started.Kind != "scheduled" || started.PlannedMinutes != hook.Minutes(first.End.Sub(first.Start)) {
		t.Errorf("focus.started %+v", started)
	}
	ended := dataOf[hook.FocusEnd](t, events(t, file("ended"), 1)[0])
	if ended.SessionID != started.SessionID || ended.Interruptions != 1 || ended.Minutes < 60 {
		t.Errorf("focus.ended %+v (started %+v)", ended, started)
	}
	bt := events(t, file("breakthrough"), 1)[0]
	if b := dataOf[hook.BreakthroughInfo](t, bt); b.Source != "pager" || b.Rule != "urgent" || !b.Focusing || b.Title != "" {
		t.Errorf("breakthrough %+v", b)
	}
	if b := dataOf[hook.BreakthroughInfo](t, events(t, file("breakthrough-titles"), 1)[0]); b.Title != "Prod down" {
		t.Errorf("breakthrough with titles %+v", b)
	}
	dg := events(t, file("digest"), 1)[0]
	if d := dataOf[hook.Digest](t, dg); d.Total != 2 || len(d.Sources) != 2 || d.Items != nil {
		t.Errorf("digest %+v", d)
	}
	for _, f := range []string{"digest", "breakthrough", "ended", "started", "plan"} {
		raw, _ := os.ReadFile(file(f))
		for _, title := range []string{"Build failed", "Lunch?", "Prod down"} {
			if strings.Contains(string(raw), title) {
				t.Errorf("%s hook without titles got %q", f, title)
			}
		}
	}
}

// TestHookRoutes: the hooks' endpoints through the typed client: add a
// program and a webhook, list them (a webhook by scheme and host only),
// test one, remove one; bad requests are ErrBadHook, unknown IDs
// ErrNoSuchHook, as the error table says.
func TestHookRoutes(t *testing.T) {
	svc, _ := startService(t, clock.NewFake(monday), true)
	cl := apiClient(t, svc)
	ctx := t.Context()
	out := filepath.Join(t.TempDir(), "out")
	ex, err := cl.AddHook(ctx, api.AddHook{Event: hook.FocusStarted, Exec: recordingHook(t), Args: []string{out}})
	if err != nil || ex.Kind != hook.KindExec || ex.ID == "" {
		t.Fatalf("add exec: %+v %v", ex, err)
	}
	const secret = "https://hooks.example.com/services/T0/SECRETPATH?token=SECRETTOKEN"
	wh, err := cl.AddHook(ctx, api.AddHook{Event: hook.DigestDelivered, Webhook: secret})
	if err != nil || wh.Target != "https://hooks.example.com" {
		t.Fatalf("add webhook: %+v %v", wh, err)
	}
	list, err := cl.Hooks(ctx)
	if err != nil || len(list.Hooks) != 2 || len(list.Events) != len(hook.Events()) {
		t.Fatalf("list: %+v %v", list, err)
	}
	raw, _ := json.Marshal(list)
	if strings.Contains(string(raw), "SECRET") {
		t.Errorf("the list holds the webhook's address: %s", raw)
	}
	res, err := cl.TestHook(ctx, ex.ID)
	if err != nil || !res.OK || !res.Test {
		t.Fatalf("test: %+v %v", res, err)
	}
	if p := events(t, out, 1)[0]; !p.Test || p.Event != hook.FocusStarted {
		t.Errorf("test payload %+v", p)
	}
	if list, _ = cl.Hooks(ctx); list.Hooks[0].Last == nil || !list.Hooks[0].Last.Test {
		t.Errorf("the test is not the last result: %+v", list.Hooks[0])
	}
	if rm, err := cl.RemoveHook(ctx, wh.ID); err != nil || rm.ID != wh.ID {
		t.Fatalf("remove: %+v %v", rm, err)
	}
	for name, tc := range map[string]struct {
		call func() error
		want error
		code string
	}{
		"unknown event": {func() error {
			_, err := cl.AddHook(ctx, api.AddHook{Event: "focus.begun", Exec: "/bin/true"})
			return err
		}, hook.ErrBadHook, "invalid_hook"},
		"relative": {func() error {
			_, err := cl.AddHook(ctx, api.AddHook{Event: hook.FocusStarted, Exec: "true"})
			return err
		}, hook.ErrBadHook, "invalid_hook"},
		"plain http": {func() error {
			_, err := cl.AddHook(ctx, api.AddHook{Event: hook.FocusStarted, Webhook: "http://example.com/x"})
			return err
		}, hook.ErrBadHook, "invalid_hook"},
		"both": {func() error {
			_, err := cl.AddHook(ctx, api.AddHook{Event: hook.FocusStarted, Exec: "/bin/true", Webhook: secret})
			return err
		}, hook.ErrBadHook, "invalid_hook"},
		"neither":      {func() error { _, err := cl.AddHook(ctx, api.AddHook{Event: hook.FocusStarted}); return err }, hook.ErrBadHook, "invalid_hook"},
		"remove gone":  {func() error { _, err := cl.RemoveHook(ctx, wh.ID); return err }, hook.ErrNoSuchHook, "no_such_hook"},
		"test unknown": {func() error { _, err := cl.TestHook(ctx, "hk-nope"); return err }, hook.ErrNoSuchHook, "no_such_hook"},
	} {
		err := tc.call()
		var ae *api.Error
		if !errors.Is(err, tc.want) || !errors.As(err, &ae) || ae.Code != tc.code || api.ExitCode(err) != api.ExitUsage {
			t.Errorf("%s: %v (%+v), want %v", name, err, ae, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%s: the error quotes the address: %v", name, err)
		}
	}
}

// TestMeetingHooks: meeting.started and meeting.ended fire once per quiet
// stretch (back-to-back Standup and Design are one, 09:00-10:00): the start
// with the planned end, the end with the real length; the title only for
// the hook that asked for titles. Without the wiring in quietChanged no
// meeting event reaches a hook.
func TestMeetingHooks(t *testing.T) {
	svc, _, clk := quietService(t, nil)
	prog, dir := recordingHook(t), t.TempDir()
	file := func(name string) string { return filepath.Join(dir, name) }
	for _, h := range []api.AddHook{
		{Event: hook.MeetingStarted, Exec: prog, Args: []string{file("started")}},
		{Event: hook.MeetingEnded, Exec: prog, Args: []string{file("ended")}},
		{Event: hook.MeetingStarted, Exec: prog, Args: []string{file("started-titles")}, Titles: true},
	} {
		if _, err := svc.AddHook(h); err != nil {
			t.Fatal(err)
		}
	}
	clk.Set(at("09:00"))
	waitQuiet(t, svc, "09:00", func(q QuietState) bool { return q.Meeting })
	clk.Set(at("09:30"))
	waitQuiet(t, svc, "09:30", func(q QuietState) bool { return q.MeetingTitle == "Design" })
	clk.Set(at("10:00"))
	waitQuiet(t, svc, "10:00", func(q QuietState) bool { return !q.Meeting })

	started := dataOf[hook.Meeting](t, events(t, file("started"), 1)[0])
	if !started.Start.Equal(at("09:00")) || !started.End.Equal(at("10:00")) || started.Minutes != 60 || started.Title != "" {
		t.Errorf("meeting.started %+v, want 09:00-10:00, 60 min, no title", started)
	}
	if m := dataOf[hook.Meeting](t, events(t, file("started-titles"), 1)[0]); m.Title != "Standup" {
		t.Errorf("meeting.started with titles %+v, want Standup", m)
	}
	ended := dataOf[hook.Meeting](t, events(t, file("ended"), 1)[0])
	if !ended.Start.Equal(at("09:00")) || !ended.End.Equal(at("10:00")) || ended.Minutes != 60 || ended.Title != "" {
		t.Errorf("meeting.ended %+v, want 09:00-10:00, 60 min, no title", ended)
	}
}
