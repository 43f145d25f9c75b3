// Package lull holds what belongs to the whole application rather than to a
// domain: the app metadata, read from the one FyneApp.toml at the module root
// so that `go run`, `fyne package` and the running binary agree.
package lull

import (
	_ "embed"
	"fmt"

	"github.com/BurntSushi/toml"
)

// fyneAppTOML is the repository's FyneApp.toml, embedded at build time.
// cmd/lull/FyneApp.toml is a symlink to it, which is what `fyne package
// -src cmd/lull` reads, so there is exactly one copy.
//
//go:embed FyneApp.toml
var fyneAppTOML []byte

// Metadata is the application metadata from FyneApp.toml.
type Metadata struct {
	Website string
	Details struct {
		Icon    string
		Name    string
		ID      string
		Version string
		Build   int
	}
	LinuxAndBSD struct {
		GenericName string
		Categories  []string
		Comment     string
		Keywords    []string
	}
}

// ReadMetadata parses the embedded FyneApp.toml.
func ReadMetadata() (Metadata, error) {
	return ParseMetadata(fyneAppTOML)
}

// ParseMetadata parses FyneApp.toml content and checks the fields Lull needs.
func ParseMetadata(data []byte) (Metadata, error) {
	var m Metadata
	if _, err := toml.Decode(string(data), &m); err != nil {
		return Metadata{}, fmt.Errorf("FyneApp.toml: %w", err)
	}
	switch {
	case m.Details.Name == "":
		return Metadata{}, fmt.Errorf("FyneApp.toml: Details.Name is empty")
	case m.Details.ID == "":
		return Metadata{}, fmt.Errorf("FyneApp.toml: Details.ID is empty")
	case m.Details.Version == "":
		return Metadata{}, fmt.Errorf("FyneApp.toml: Details.Version is empty")
	}
	return m, nil
}

// Version is the application version from FyneApp.toml ("dev" if the
// embedded file cannot be read, which a test rules out).
func Version() string {
	m, err := ReadMetadata()
	if err != nil {
		return "dev"
	}
	return m.Details.Version
}
