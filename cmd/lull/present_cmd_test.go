package main

import (
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

// TestPresentCommand: `lull present on|off` against the running Lull,
// and `lull status` saying it.
func TestPresentCommand(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	startInstance(t, dir)
	r := runLull(t, dir, "", "present", "on")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "Presenting — only urgent, VIP and repeats get through") {
		t.Fatalf("present on: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = runLull(t, dir, "", "status")
	if !strings.Contains(r.stdout, "Presenting:") || !strings.Contains(r.stdout, "lull present off ends it") {
		t.Fatalf("status while presenting:\n%s", r.stdout)
	}
	checkWords(t, r.stdout)
	r = runLull(t, dir, "", "present", "off")
	if r.code != exitOK || strings.Contains(r.stdout, "Presenting") {
		t.Fatalf("present off: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
}
