package calendar

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// SetAllDayFree changes source id's "all-day events are free" setting and
// returns its settings. It takes effect at the next sync.
func (s *SourceStore) SetAllDayFree(id string, free bool) (SourceConfig, error) {
	var cfg SourceConfig
	err := s.updateSource(id, func(b *bolt.Bucket) error {
		if err := json.Unmarshal(b.Get(srcKeyConfig), &cfg); err != nil {
			return err
		}
		cfg.AllDayFree = free
		raw, err := json.Marshal(cfg)
		if err != nil {
			return err
		}
		return b.Put(srcKeyConfig, raw)
	})
	return cfg, err
}

// SetSync switches source id's sharing with the user's other devices on or
// off (SourceConfig.Sync) and returns its settings. Only a CalDAV calendar
// can carry it: the other devices reach the same server. It takes effect
// at the next sync.
func (s *SourceStore) SetSync(id string, on bool) (SourceConfig, error) {
	var cfg SourceConfig
	err := s.updateSource(id, func(b *bolt.Bucket) error {
		if err := json.Unmarshal(b.Get(srcKeyConfig), &cfg); err != nil {
			return err
		}
		if on && cfg.Kind != SourceCalDAV {
			return fmt.Errorf("calendar %q is a %s calendar: %w: sync needs a CalDAV calendar", cfg.Name, cfg.Kind, ErrBadSource)
		}
		cfg.Sync = on
		raw, err := json.Marshal(cfg)
		if err != nil {
			return err
		}
		return b.Put(srcKeyConfig, raw)
	})
	return cfg, err
}
