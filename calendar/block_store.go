package calendar

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/lullapp/lull/internal/store"
	bolt "go.etcd.io/bbolt"
)

// Bucket layout of the block store:
//
//	blocks            ID → Block as JSON (the record)
//	blocks_by_time    store.TimeKey(start, 0) + ID → empty (the index)
//	block_tombstones  ID → Tombstone as JSON
//
// Records are keyed by ID because every user action (accept, skip, move,
// delete) names a block by ID and a move changes the start; the time index
// makes "blocks in this range" one cursor scan. Both change in one
// transaction.
var (
	blocksBucket     = []byte("blocks")
	blockIndexBucket = []byte("blocks_by_time")
	tombstoneBucket  = []byte("block_tombstones")
)

// maxBlockLen bounds a stored block's length, so a range scan that starts
// this much before the range finds every block overlapping it.
const maxBlockLen = 24 * time.Hour

// BlockStore keeps Lull's focus blocks and the tombstones of deleted ones
// in the shared bbolt file. Dry runs simply call Plan and skip the store.
type BlockStore struct {
	db *store.DB
}

// NewBlockStore creates the store's buckets when missing.
func NewBlockStore(db *store.DB) (*BlockStore, error) {
	err := db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{blocksBucket, blockIndexBucket, tombstoneBucket} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("block store: create buckets: %w", err)
	}
	return &BlockStore{db: db}, nil
}

func indexKey(b Block) []byte {
	return append(store.TimeKey(b.Start, 0), b.ID...)
}

func checkBlock(b Block) error {
	switch {
	case b.ID == "":
		return fmt.Errorf("%w: empty ID", ErrBadBlock)
	case !b.End.After(b.Start):
		return fmt.Errorf("%w %s: end %s is not after start %s", ErrBadBlock, b.ID, b.End.Format(time.RFC3339), b.Start.Format(time.RFC3339))
	case b.Duration() > maxBlockLen:
		return fmt.Errorf("%w %s: longer than 24 h", ErrBadBlock, b.ID)
	case b.State != StateProposed && b.State != StateAccepted && b.State != StateSkipped:
		return fmt.Errorf("%w %s: unknown state %q", ErrBadBlock, b.ID, b.State)
	}
	return nil
}

func getBlock(tx *bolt.Tx, id string) (Block, error) {
	raw := tx.Bucket(blocksBucket).Get([]byte(id))
	if raw == nil {
		return Block{}, fmt.Errorf("block %s: %w", id, ErrNoSuchBlock)
	}
	var b Block
	if err := json.Unmarshal(raw, &b); err != nil {
		return Block{}, fmt.Errorf("block %s: decode: %w", id, err)
	}
	return b, nil
}

func putBlock(tx *bolt.Tx, b Block) error {
	if err := checkBlock(b); err != nil {
		return err
	}
	if old, err := getBlock(tx, b.ID); err == nil {
		if err := tx.Bucket(blockIndexBucket).Delete(indexKey(old)); err != nil {
			return err
		}
	}
	raw, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("block %s: encode: %w", b.ID, err)
	}
	if err := tx.Bucket(blocksBucket).Put([]byte(b.ID), raw); err != nil {
		return fmt.Errorf("block %s: %w", b.ID, err)
	}
	return tx.Bucket(blockIndexBucket).Put(indexKey(b), nil)
}

func deleteBlock(tx *bolt.Tx, id string) (Block, error) {
	b, err := getBlock(tx, id)
	if err != nil {
		return Block{}, err
	}
	if err := tx.Bucket(blockIndexBucket).Delete(indexKey(b)); err != nil {
		return Block{}, err
	}
	return b, tx.Bucket(blocksBucket).Delete([]byte(id))
}

// Save inserts or replaces blocks by ID, all in one transaction.
func (s *BlockStore) Save(blocks ...Block) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		for _, b := range blocks {
			if err := putBlock(tx, b); err != nil {
				return fmt.Errorf("save focus blocks: %w", err)
			}
		}
		return nil
	})
}

// Get returns the block with the ID, or an error wrapping ErrNoSuchBlock.
func (s *BlockStore) Get(id string) (Block, error) {
	var b Block
	err := s.db.View(func(tx *bolt.Tx) (err error) {
		b, err = getBlock(tx, id)
		return err
	})
	return b, err
}

// List returns the blocks overlapping [from, to), sorted by start then ID.
func (s *BlockStore) List(from, to time.Time) ([]Block, error) {
	var out []Block
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(blockIndexBucket).Cursor()
		stop := store.TimeKey(to, 0)
		for k, _ := c.Seek(store.TimeKey(from.Add(-maxBlockLen), 0)); k != nil && bytes.Compare(k[:16], stop) < 0; k, _ = c.Next() {
			b, err := getBlock(tx, string(k[16:]))
			if err != nil {
				return fmt.Errorf("list focus blocks: %w", err)
			}
			if b.End.After(from) {
				out = append(out, b)
			}
		}
		return nil
	})
	sortBlocks(out)
	return out, err
}

// update changes one block in a transaction.
func (s *BlockStore) update(id string, f func(*Block) error) (Block, error) {
	var b Block
	err := s.db.Update(func(tx *bolt.Tx) (err error) {
		if b, err = getBlock(tx, id); err != nil {
			return err
		}
		if err := f(&b); err != nil {
			return err
		}
		return putBlock(tx, b)
	})
	return b, err
}

// Accept marks the block accepted: Lull will publish it and keep it.
func (s *BlockStore) Accept(id string) (Block, error) {
	return s.update(id, func(b *Block) error { b.State = StateAccepted; return nil })
}

// Skip marks the block skipped: it stays listed and Lull never plans over
// its slot again.
func (s *BlockStore) Skip(id string) (Block, error) {
	return s.update(id, func(b *Block) error { b.State = StateSkipped; return nil })
}

// Move puts the block at [start, end) as the user asked and marks it
// accepted (placing it is an answer). Its ID stays.
func (s *BlockStore) Move(id string, start, end time.Time) (Block, error) {
	return s.update(id, func(b *Block) error {
		b.Start, b.End, b.State = start, end, StateAccepted
		b.Reason = "moved by you"
		return checkBlock(*b)
	})
}

// Delete removes the block and records its tombstone (deleted at at), in
// one transaction, so the planner never re-creates it.
func (s *BlockStore) Delete(id string, at time.Time) (Tombstone, error) {
	var t Tombstone
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := deleteBlock(tx, id)
		if err != nil {
			return err
		}
		t = Tombstone{ID: b.ID, Start: b.Start, End: b.End, Deleted: at}
		raw, err := json.Marshal(t)
		if err != nil {
			return err
		}
		return tx.Bucket(tombstoneBucket).Put([]byte(id), raw)
	})
	if err != nil {
		return Tombstone{}, fmt.Errorf("delete focus block: %w", err)
	}
	return t, nil
}

// Tombstones returns every tombstone, sorted by start then ID.
func (s *BlockStore) Tombstones() ([]Tombstone, error) {
	var out []Tombstone
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(tombstoneBucket).ForEach(func(k, v []byte) error {
			var t Tombstone
			if err := json.Unmarshal(v, &t); err != nil {
				return fmt.Errorf("tombstone %s: decode: %w", k, err)
			}
			out = append(out, t)
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.Before(out[j].Start)
		}
		return out[i].ID < out[j].ID
	})
	return out, err
}

// Apply stores the result of Replan in one transaction: moved and added
// blocks are saved, removed ones deleted without a tombstone (Lull dropped
// its own proposal; the user did not delete anything).
func (s *BlockStore) Apply(c Changes) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		for _, m := range c.Move {
			if err := putBlock(tx, m.To); err != nil {
				return fmt.Errorf("apply plan: %w", err)
			}
		}
		for _, b := range c.Add {
			if err := putBlock(tx, b); err != nil {
				return fmt.Errorf("apply plan: %w", err)
			}
		}
		for _, b := range c.Remove {
			if _, err := deleteBlock(tx, b.ID); err != nil && !errors.Is(err, ErrNoSuchBlock) {
				return fmt.Errorf("apply plan: %w", err)
			}
		}
		return nil
	})
}
