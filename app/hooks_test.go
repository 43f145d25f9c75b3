package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

// TestSettingsHooks: Settings → Hooks adds a program hook and a webhook
// from the form (the address typed into a hidden field, shown afterwards
// by scheme and host only), lists each with its last result in words,
// tests one with its button and removes one.
func TestSettingsHooks(t *testing.T) {
	tab, _, h := showSettings(t, openLull(t, berlin(t, 2026, 11, 18, 15, 0)))
	s := tab.hooks
	if len(s.rows) != 0 || !strings.Contains(hookRowTexts(s), "No hooks yet") {
		t.Fatalf("rows at start: %q", hookRowTexts(s))
	}
	prog := filepath.Join(t.TempDir(), "hook.sh")
	os.WriteFile(prog, []byte("#!/bin/sh\ncat > /dev/null\n"), 0o755)

	// A program.
	s.event.SetSelected("focus.ended")
	test.Type(s.program, prog)
	test.Type(s.args, "--flag value")
	test.Tap(s.add)
	h.wait()
	if len(s.rows) != 1 || !strings.Contains(s.status.Text, "Added: on focus.ended, "+prog+" --flag value") {
		t.Fatalf("after adding a program: %q, rows %q", s.status.Text, hookRowTexts(s))
	}

	// A webhook: the field hides what is typed, and the list shows its
	// host only.
	if !s.webhook.Password {
		t.Error("the webhook field shows the address")
	}
	s.kind.SetSelected(hookKindWebhook)
	if !s.program.Disabled() || s.webhook.Disabled() {
		t.Error("the webhook kind leaves the program fields on")
	}
	test.Type(s.webhook, "https://hooks.example.com/services/SECRETPATH")
	test.Tap(s.add)
	h.wait()
	if len(s.rows) != 2 || s.webhook.Text != "" {
		t.Fatalf("after adding a webhook: %q, rows %q, field %q", s.status.Text, hookRowTexts(s), s.webhook.Text)
	}
	if txt := hookRowTexts(s) + s.status.Text; strings.Contains(txt, "SECRETPATH") || !strings.Contains(txt, "webhook https://hooks.example.com") {
		t.Errorf("the webhook as listed: %q", txt)
	}

	// A refused one says why, in words.
	s.kind.SetSelected(hookKindWebhook)
	test.Type(s.webhook, "http://example.com/x")
	test.Tap(s.add)
	h.wait()
	if !strings.Contains(s.status.Text, "Not added: ") || !strings.Contains(s.status.Text, "plain http:// goes only to this computer") {
		t.Errorf("refused webhook: %q", s.status.Text)
	}

	// Test the program: its last result is in its row, in words.
	var progID string
	for id, row := range s.rows {
		if strings.Contains(row.Text, prog) {
			progID = id
		}
	}
	if !strings.Contains(s.rows[progID].Text, "Last: not run yet") {
		t.Errorf("before the test: %q", s.rows[progID].Text)
	}
	test.Tap(s.testButtons[progID])
	h.wait()
	if !strings.Contains(s.status.Text, "Test: ran ") || !strings.Contains(s.rows[progID].Text, "Last: ran ") || !strings.Contains(s.rows[progID].Text, "(a test)") {
		t.Errorf("after the test: %q / %q", s.status.Text, s.rows[progID].Text)
	}

	// Remove it.
	test.Tap(s.removeButtons[progID])
	h.wait()
	if len(s.rows) != 1 || s.rows[progID] != nil {
		t.Errorf("after remove: %q", hookRowTexts(s))
	}
}

func hookRowTexts(s *hooksSection) string {
	var b strings.Builder
	for _, o := range s.list.Objects {
		b.WriteString(strings.Join(texts(o), " "))
	}
	return b.String()
}
