package service

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/lullapp/lull/internal/settings"
	"github.com/lullapp/lull/internal/store"
)

var (
	settingsBucket = []byte("settings")
	settingsKey    = []byte("app")
)

// Settings are the user's settings (internal/settings): the type the local
// API carries, with its rules and schema.
type Settings = settings.Settings

// MaxBreak is the longest break the end-of-session cue suggests
// (settings.MaxBreak).
const MaxBreak = settings.MaxBreak

// DefaultSettings are PRODUCT.md's defaults.
func DefaultSettings() Settings { return settings.Default() }

// ErrBadSettings wraps every settings validation error
// (settings.ErrBadSettings).
var ErrBadSettings = settings.ErrBadSettings

// LoadSettings reads the stored settings, or the defaults when none are
// stored yet.
func LoadSettings(db *store.DB) (Settings, error) {
	s := DefaultSettings()
	err := db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(settingsBucket)
		if b == nil {
			return nil
		}
		v := b.Get(settingsKey)
		if v == nil {
			return nil
		}
		return json.Unmarshal(v, &s)
	})
	if err != nil {
		return Settings{}, fmt.Errorf("settings in %s: %w", db.Path(), err)
	}
	return s, nil
}

// SaveSettings validates and stores s.
func SaveSettings(db *store.DB, s Settings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	v, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	return db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(settingsBucket)
		if err != nil {
			return err
		}
		return b.Put(settingsKey, v)
	})
}
