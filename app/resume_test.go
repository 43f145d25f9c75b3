package app

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// TestResumeStoppedBlock: stopping an accepted block early offers "Resume
// block — N min left" on Today, which resumes the block until its end,
// and so does the command line (`lull focus resume`), which the window
// follows.
func TestResumeStoppedBlock(t *testing.T) {
	h := newHarness(t)
	h.sync()
	if _, err := h.svc.AcceptAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.wait()
	b, ok := h.svc.NextBlock()
	if !ok {
		t.Fatal("no accepted block")
	}
	h.advance(b.Start.Sub(h.clk.Now()) + time.Second) // the block starts focus
	if !h.svc.Focus.State().Focusing {
		t.Fatal("the block did not start focus")
	}
	today := h.ui.today
	if today.resumeRow.Visible() {
		t.Fatal("resume offered while the block runs")
	}
	for _, via := range []string{"Today", "command line"} {
		test.Tap(today.toggle) // stop the block early
		h.wait()
		h.advance(10 * time.Minute)
		want := resumeLabel(b.End.Sub(h.clk.Now()))
		if !today.resumeRow.Visible() || today.resume.Text != want {
			t.Fatalf("Today after stopping: resume shown %v %q, want %q", today.resumeRow.Visible(), today.resume.Text, want)
		}
		if via == "Today" {
			test.Tap(today.resume)
		} else if _, err := h.cl.ResumeFocus(t.Context()); err != nil {
			t.Fatal(err)
		}
		h.wait()
		st := h.svc.Focus.State()
		if !st.Focusing || st.BlockID != b.ID || !st.PlannedEnd.Equal(b.End) {
			t.Fatalf("resumed from %s: %+v, want block %s until %v", via, st, b.ID, b.End)
		}
		if today.resumeRow.Visible() {
			t.Fatalf("resume still offered after resuming from %s", via)
		}
	}
}

func TestResumeLabel(t *testing.T) {
	for left, want := range map[time.Duration]string{
		40 * time.Minute:               "Resume block — 40 min left",
		39*time.Minute + time.Second:   "Resume block — 40 min left",
		90 * time.Minute:               "Resume block — 1 h 30 min left",
		2 * time.Hour:                  "Resume block — 2 h left",
		time.Minute + time.Millisecond: "Resume block — 2 min left",
	} {
		if got := resumeLabel(left); got != want {
			t.Errorf("resumeLabel(%v) = %q, want %q", left, got, want)
		}
	}
}
