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
// can carry it (the other devices reach the same server), and only one at
// a time: switching it on while another calendar has it is refused
// (ErrSyncElsewhere) and changes nothing. It takes effect at the next
// sync.
func (s *SourceStore) SetSync(id string, on bool) (SourceConfig, error) {
	var cfg SourceConfig
	// refused is a refusal in the user's words, returned as it is (not as
	// a failure to save).
	var refused error
	err := s.updateSource(id, func(b *bolt.Bucket) error {
		if err := json.Unmarshal(b.Get(srcKeyConfig), &cfg); err != nil {
			return err
		}
		if on && cfg.Kind != SourceCalDAV {
			refused = fmt.Errorf("calendar %q is a %s calendar: %w: sync needs a CalDAV calendar", cfg.Name, cfg.Kind, ErrBadSource)
			return refused
		}
		if on {
			holder, ok, err := syncHolder(b.Tx(), id)
			if err != nil {
				return err
			}
			if ok {
				refused = fmt.Errorf("calendar %q: %w, %q: one calendar carries the sync with your other devices, so switch sync off for %q first",
					cfg.Name, ErrSyncElsewhere, holder.Name, holder.Name)
				return refused
			}
		}
		cfg.Sync = on
		raw, err := json.Marshal(cfg)
		if err != nil {
			return err
		}
		return b.Put(srcKeyConfig, raw)
	})
	if refused != nil {
		return cfg, refused
	}
	return cfg, err
}

// syncHolder is the calendar other than id that has sync on, if any.
func syncHolder(tx *bolt.Tx, id string) (SourceConfig, bool, error) {
	var holder SourceConfig
	found := false
	err := tx.Bucket(sourcesBucket).ForEachBucket(func(k []byte) error {
		if found || string(k) == id {
			return nil
		}
		var cfg SourceConfig
		if err := json.Unmarshal(tx.Bucket(sourcesBucket).Bucket(k).Get(srcKeyConfig), &cfg); err != nil {
			return fmt.Errorf("source %q: config: %w", k, err)
		}
		if cfg.Kind == SourceCalDAV && cfg.Sync {
			holder, found = cfg, true
		}
		return nil
	})
	return holder, found, err
}
