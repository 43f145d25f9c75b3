package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/lullapp/lull/internal/api"
)

// TestHooksCommands: add a program (by a relative path, made absolute;
// its arguments passed as they are, options too), add a webhook from
// stdin, list (in words and JSON, a webhook by scheme and host only),
// test, remove.
func TestHooksCommands(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	startInstance(t, dir)
	work := t.TempDir()
	out := filepath.Join(work, "out")
	prog := filepath.Join(work, "hook.sh")
	os.WriteFile(prog, []byte("#!/bin/sh\nprintf '%s|' \"$@\" > \""+out+"\"\n"), 0o755)
	t.Chdir(work)

	r := runLull(t, dir, "", "hooks", "add", "focus.started", "--exec", "./hook.sh", "--titles", "a b", "$HOME")
	if r.code != 0 || !regexp.MustCompile(`^Added hk-[0-9a-f]{8}: on focus.started, runs `+regexp.QuoteMeta(prog)+` --titles "a b" \$HOME\n$`).MatchString(r.stdout) {
		t.Fatalf("add exec: %d %q %q", r.code, r.stdout, r.stderr)
	}
	execID := strings.Fields(r.stdout)[1][:11]

	const secret = "https://hooks.example.com/services/T0/SECRETPATH?token=SECRETTOKEN"
	r = runLull(t, dir, secret+"\n", "hooks", "add", "digest.delivered", "--webhook")
	if r.code != 0 || !strings.HasSuffix(r.stdout, "on digest.delivered, posts to https://hooks.example.com\n") {
		t.Fatalf("add webhook: %d %q %q", r.code, r.stdout, r.stderr)
	}
	webID := strings.Fields(r.stdout)[1][:11]

	r = runLull(t, dir, "", "hooks", "test", execID)
	if r.code != 0 || !strings.Contains(r.stdout, "Hook "+execID+" ran ") || !strings.Contains(r.stdout, "(a test)") {
		t.Fatalf("test: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if got, _ := os.ReadFile(out); string(got) != "--titles|a b|$HOME|" {
		t.Errorf("the program's arguments arrived as %q", got)
	}
	r = runLull(t, dir, "", "hooks", "list")
	if r.code != 0 || !strings.Contains(r.stdout, execID) || !strings.Contains(r.stdout, "ran ") ||
		!strings.Contains(r.stdout, "posts to https://hooks.example.com") || !strings.Contains(r.stdout, "not run yet") {
		t.Fatalf("list: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	checkWords(t, r.stdout)
	r = runLull(t, dir, "", "hooks", "list", "--json")
	var list api.Hooks
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || len(list.Hooks) != 2 {
		t.Fatalf("list --json: %v\n%s", err, r.stdout)
	}
	for _, r := range []result{r, runLull(t, dir, "", "hooks", "list")} {
		if strings.Contains(r.stdout, "SECRET") {
			t.Errorf("the list shows the webhook's address:\n%s", r.stdout)
		}
	}
	r = runLull(t, dir, "", "hooks", "remove", webID)
	if r.code != 0 || !strings.Contains(r.stdout, "Removed "+webID+" (digest.delivered → webhook https://hooks.example.com)") {
		t.Fatalf("remove: %d %q %q", r.code, r.stdout, r.stderr)
	}

	failing := filepath.Join(work, "fail.sh")
	os.WriteFile(failing, []byte("#!/bin/sh\nexit 4\n"), 0o755)
	r = runLull(t, dir, "", "hooks", "add", "plan.changed", "--exec", failing)
	id := strings.Fields(r.stdout)[1][:11]
	r = runLull(t, dir, "", "hooks", "test", id)
	if r.code != exitFailure || !strings.Contains(r.stderr, "failed") || !strings.Contains(r.stderr, "exited with status 4") {
		t.Errorf("a failing test: %d %q %q", r.code, r.stdout, r.stderr)
	}
}

// TestHooksCommandErrors: what cannot be is refused with exit code 2 and
// words, and a webhook's address given as an argument is refused without
// being echoed.
func TestHooksCommandErrors(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	startInstance(t, dir)
	const secret = "https://hooks.example.com/services/SECRETPATH"
	for _, tc := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"", []string{"hooks"}, "hooks needs add, list, remove or test"},
		{"", []string{"hooks", "frob"}, `unknown hooks command "frob"`},
		{"", []string{"hooks", "add", "focus.begun", "--exec", "/bin/true"}, `no event "focus.begun": want one of focus.started, focus.ended`},
		{"", []string{"hooks", "add", "focus.started"}, "needs --exec PATH"},
		{"", []string{"hooks", "add", "focus.started", "--exec"}, "--exec needs the program's path"},
		{"", []string{"hooks", "add", "focus.started", "--exec", "/nonexistent/pause"}, "there is no program /nonexistent/pause"},
		{"", []string{"hooks", "add", "focus.started", "--exec", "no-such-program-lull"}, `no program "no-such-program-lull" on your PATH`},
		{"", []string{"hooks", "add", "focus.started", "--webhook", secret}, "give the address on stdin, not as an argument"},
		{"", []string{"hooks", "add", "focus.started", "--webhook"}, "no address on stdin"},
		{"http://hooks.example.com/x\n", []string{"hooks", "add", "focus.started", "--webhook"}, "plain http:// goes only to this computer"},
		{"", []string{"hooks", "add", "focus.started", "--webhook", "--exec", "/bin/true"}, "not both"},
		{"", []string{"hooks", "remove", "hk-nope"}, `hook "hk-nope": no such hook`},
		{"", []string{"hooks", "test", "hk-nope"}, `hook "hk-nope": no such hook`},
		{"", []string{"hooks", "test"}, "needs one ID"},
	} {
		r := runLull(t, dir, tc.stdin, tc.args...)
		name := strings.Join(tc.args, " ")
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("lull %s: exit %d %q, want 2 and %q", name, r.code, r.stderr, tc.want)
		}
		if strings.Contains(r.stderr, "SECRETPATH") {
			t.Errorf("lull %s echoes the address: %q", name, r.stderr)
		}
		checkWords(t, r.stderr)
	}
}
