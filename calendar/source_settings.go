package calendar

import (
	"encoding/json"

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
