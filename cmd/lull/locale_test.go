package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestMain(m *testing.M) {
	if os.Getenv("LULL_CLI_CHILD") == "1" {
		os.Exit(run([]string{"--version"}, env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}))
	}
	os.Exit(m.Run())
}

// TestNoLocaleNoiseUnderCUTF8: with LANG=C.UTF-8 (Debian's and most
// containers' default) no Fyne locale error reaches stderr.
func TestNoLocaleNoiseUnderCUTF8(t *testing.T) {
	cmd := exec.Command(os.Args[0])
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LANG") && !strings.HasPrefix(kv, "LC_") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "LULL_CLI_CHILD=1", "LANG=C.UTF-8")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("lull --version: %v\n%s", err, errOut.String())
	}
	if !strings.HasPrefix(out.String(), "lull ") || errOut.Len() != 0 {
		t.Fatalf("stdout %q, stderr %q; want the version and nothing on stderr", out.String(), errOut.String())
	}
}
