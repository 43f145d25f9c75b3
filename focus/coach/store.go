package coach

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lullapp/lull/internal/store"
	bolt "go.etcd.io/bbolt"
)

// Sentinel errors of the coach.
var (
	// ErrNotFound: no suggestion with that ID for the week asked.
	ErrNotFound = errors.New("no such suggestion")
	// ErrNothingToApply: the suggestion is part of the meeting audit (or
	// already applied) and can only be dismissed.
	ErrNothingToApply = errors.New("nothing to apply")
)

// bucket holds one record per suggestion the user applied or dismissed,
// keyed by its ID.
var bucket = []byte("coach")

// State is what the user did with a suggestion.
type State string

// The states of a suggestion.
const (
	StateNew       State = ""
	StateApplied   State = "applied"
	StateDismissed State = "dismissed"
)

// Record is what the store keeps for a suggestion the user acted on.
type Record struct {
	State State     `json:"state"`
	At    time.Time `json:"at"`
	// Changed says, for an applied suggestion, what applying it changed.
	Changed string `json:"changed,omitempty"`
	// Week is the week the suggestion was made for (an applied one is
	// shown in that week).
	Week string `json:"week,omitempty"`
	// Title is the suggestion's title when it was acted on.
	Title string `json:"title,omitempty"`
}

// Store keeps the applied and dismissed suggestions in bbolt, so a
// dismissed suggestion stays dismissed and an applied one shows what it
// changed, across restarts and weeks.
type Store struct {
	db *store.DB
}

// OpenStore returns the store on db, creating its bucket when missing
// (a read-only db without the bucket reads as empty).
func OpenStore(db *store.DB) (*Store, error) {
	err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucket)
		return err
	})
	if err != nil && !errors.Is(err, bolt.ErrDatabaseReadOnly) {
		return nil, fmt.Errorf("coach: create bucket: %w", err)
	}
	return &Store{db: db}, nil
}

// Records returns every record, by suggestion ID.
func (s *Store) Records() (map[string]Record, error) {
	out := map[string]Record{}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var r Record
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("suggestion %s: %w", k, err)
			}
			out[string(k)] = r
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("coach: read: %w", err)
	}
	return out, nil
}

// Put stores the record of suggestion id.
func (s *Store) Put(id string, r Record) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucket)
		if err != nil {
			return err
		}
		return b.Put([]byte(id), raw)
	})
	if err != nil {
		return fmt.Errorf("coach: save suggestion %s: %w", id, err)
	}
	return nil
}
