package lull

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestMetadataIsTheRootFile(t *testing.T) {
	onDisk, err := os.ReadFile("FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(onDisk, fyneAppTOML) {
		t.Fatal("embedded FyneApp.toml differs from the file at the module root")
	}
	m, err := ReadMetadata()
	if err != nil {
		t.Fatal(err)
	}
	if m.Details.Name != "Lull" || m.Details.ID != "io.github.lullapp.lull" || m.Details.Version == "" {
		t.Fatalf("metadata = %+v", m.Details)
	}
	if _, err := os.Stat(filepath.FromSlash(m.Details.Icon)); err != nil {
		t.Fatalf("icon named in FyneApp.toml: %v", err)
	}
	if Version() != m.Details.Version {
		t.Fatalf("Version() = %q, want %q", Version(), m.Details.Version)
	}
}

// TestPackagingReadsTheSameFile checks that cmd/lull/FyneApp.toml, which
// `fyne package -src cmd/lull` and `go run` from cmd/lull read, is a link
// to the root file and not a second copy that could drift.
func TestPackagingReadsTheSameFile(t *testing.T) {
	link := filepath.Join("cmd", "lull", "FyneApp.toml")
	target, err := os.Readlink(link)
	if err != nil {
		t.Fatalf("%s must be a symlink to the root FyneApp.toml: %v", link, err)
	}
	if target != "../../FyneApp.toml" {
		t.Fatalf("%s points to %q", link, target)
	}
	got, err := os.ReadFile(link)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, fyneAppTOML) {
		t.Fatal("cmd/lull/FyneApp.toml does not read as the root file")
	}
}

func TestParseMetadataErrors(t *testing.T) {
	for name, in := range map[string]string{
		"bad toml":   "[Details\nName=",
		"no name":    "[Details]\nID=\"a.b\"\nVersion=\"1\"",
		"no id":      "[Details]\nName=\"L\"\nVersion=\"1\"",
		"no version": "[Details]\nName=\"L\"\nID=\"a.b\"",
	} {
		if _, err := ParseMetadata([]byte(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
