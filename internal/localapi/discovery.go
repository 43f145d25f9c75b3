package localapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/lullapp/lull/internal/atomicfile"
)

// DiscoveryFile is the name, inside the data directory, of the file that
// tells other processes where the running instance listens.
const DiscoveryFile = "api.json"

// Discovery is what the running instance publishes about its API.
type Discovery struct {
	Port    int    `json:"port"`
	Token   string `json:"token"`
	PID     int    `json:"pid"`
	Version string `json:"version"`
}

// WriteDiscovery writes d atomically (temp file, fsync, rename) with mode
// 0600 into dir.
func WriteDiscovery(dir string, d Discovery) error {
	data, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, DiscoveryFile), data, 0o600)
}

// ReadDiscovery reads the discovery file in dir; os.ErrNotExist when no
// instance has published one.
func ReadDiscovery(dir string) (Discovery, error) {
	var d Discovery
	data, err := os.ReadFile(filepath.Join(dir, DiscoveryFile))
	if err != nil {
		return d, err
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return d, fmt.Errorf("%s: %w", filepath.Join(dir, DiscoveryFile), err)
	}
	if d.Port == 0 || d.Token == "" {
		return d, fmt.Errorf("%s: incomplete", filepath.Join(dir, DiscoveryFile))
	}
	return d, nil
}

// RemoveDiscovery deletes the discovery file if it still describes pid.
func RemoveDiscovery(dir string, pid int) error {
	d, err := ReadDiscovery(dir)
	if err != nil || d.PID != pid {
		return nil
	}
	err = os.Remove(filepath.Join(dir, DiscoveryFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}
