package hook

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lullapp/lull/internal/store"
)

// Errors of hooks, in the API's error table.
var (
	// ErrBadHook is a hook that cannot be added as asked: an unknown
	// event, a program that is not there or cannot run, a webhook address
	// against the rule (CheckURL).
	ErrBadHook = errors.New("invalid hook")
	// ErrNoSuchHook is a hook id that names no hook.
	ErrNoSuchHook = errors.New("no such hook")
)

// The kinds of hook.
const (
	// KindExec runs a local program.
	KindExec = "exec"
	// KindWebhook posts to a web address.
	KindWebhook = "webhook"
)

// MaxHooks caps how many hooks Lull keeps: each has a worker and a queue,
// and dozens already is more than a person manages by hand.
const MaxHooks = 64

// MaxArgs caps the fixed arguments of a program hook, and MaxArgBytes
// their total size: room for any sensible command line, none for a
// pasted file.
const (
	MaxArgs     = 32
	MaxArgBytes = 8 << 10
)

// Hook is one hook as stored: what runs on which event, and how it last
// went. The webhook's address is not here: it is in the keyring under the
// hook's ID.
type Hook struct {
	// ID names the hook ("hk-3f9a2c1b").
	ID string `json:"id"`
	// Event is the event it runs on (Events).
	Event string `json:"event"`
	// Kind is KindExec or KindWebhook.
	Kind string `json:"kind"`
	// Path is the program of an exec hook (absolute), and Args its fixed
	// arguments.
	Path string   `json:"path,omitempty"`
	Args []string `json:"args,omitempty"`
	// Target is a webhook's scheme and host ("https://hooks.example.com"),
	// what lists show of it.
	Target string `json:"target,omitempty"`
	// Titles lets the hook receive notification and meeting titles
	// (off by default: see the package doc).
	Titles bool `json:"titles,omitempty"`
	// Added is when the hook was added, and Seq numbers the hooks in the
	// order they were added (lists show them so).
	Added time.Time `json:"added"`
	Seq   uint64    `json:"seq"`
	// Last is how the last run went; nil before the first.
	Last *Result `json:"last,omitempty"`
	// Dropped counts the events this hook lost because its queue was full
	// (QueueSize), since it was added.
	Dropped int `json:"dropped,omitempty"`
}

// Result is how one delivery of an event to a hook went.
type Result struct {
	// Event is the event delivered; Test marks `lull hooks test`.
	Event string `json:"event"`
	Test  bool   `json:"test,omitempty"`
	// At is when the delivery began.
	At time.Time `json:"at"`
	// OK says it succeeded: the program exited 0, the webhook answered
	// with success.
	OK bool `json:"ok"`
	// Reason says in words how it went ("exited with status 3", "no
	// answer within 5 s; gave up after 4 tries"). It never holds a
	// webhook's address.
	Reason string `json:"reason"`
	// Took is how long it took, all tries together.
	Took time.Duration `json:"took_ns"`
	// Tries counts the attempts (webhooks try again).
	Tries int `json:"tries"`
}

// Secrets keeps webhook addresses out of the database: the OS keyring in
// production (calendar.Keyring has this method set), a map in tests.
type Secrets interface {
	// Get returns the secret stored under key.
	Get(key string) (string, error)
	// Set stores value under key.
	Set(key, value string) error
	// Delete removes key; a missing key is not an error.
	Delete(key string) error
}

// urlKey is the keyring key of a webhook's address.
func urlKey(id string) string { return "hook/" + id + "/url" }

// hooksBucket holds one JSON Hook per ID.
var hooksBucket = []byte("hooks")

// Store keeps the hooks in Lull's database and the webhook addresses in
// the keyring. It is safe for concurrent use.
type Store struct {
	db      *store.DB
	secrets Secrets
}

// OpenStore creates the hooks bucket in db when missing.
func OpenStore(db *store.DB, secrets Secrets) (*Store, error) {
	err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(hooksBucket)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("hooks: %w", err)
	}
	return &Store{db: db, secrets: secrets}, nil
}

// List returns every hook in the order they were added.
func (s *Store) List() ([]Hook, error) {
	var out []Hook
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(hooksBucket).ForEach(func(k, v []byte) error {
			var h Hook
			if err := json.Unmarshal(v, &h); err != nil {
				return fmt.Errorf("hook %q: %w", k, err)
			}
			out = append(out, h)
			return nil
		})
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out, err
}

// Get returns the hook id, or ErrNoSuchHook.
func (s *Store) Get(id string) (Hook, error) {
	var h Hook
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(hooksBucket).Get([]byte(id))
		if v == nil {
			return fmt.Errorf("hook %q: %w (see \"lull hooks list\")", id, ErrNoSuchHook)
		}
		return json.Unmarshal(v, &h)
	})
	return h, err
}

// NewExec is a program hook for event: path must be absolute and name an
// executable file; args are passed as they are, never through a shell.
func NewExec(event, path string, args []string) (Hook, error) {
	if err := checkEvent(event); err != nil {
		return Hook{}, err
	}
	if err := CheckProgram(path); err != nil {
		return Hook{}, err
	}
	if len(args) > MaxArgs {
		return Hook{}, fmt.Errorf("%w: %d arguments, at most %d", ErrBadHook, len(args), MaxArgs)
	}
	size := 0
	for _, a := range args {
		size += len(a)
		if strings.ContainsRune(a, 0) {
			return Hook{}, fmt.Errorf("%w: an argument holds a NUL character", ErrBadHook)
		}
	}
	if size > MaxArgBytes {
		return Hook{}, fmt.Errorf("%w: the arguments are %d bytes, at most %d", ErrBadHook, size, MaxArgBytes)
	}
	return Hook{Event: event, Kind: KindExec, Path: filepath.Clean(path), Args: args}, nil
}

// CheckProgram says why path cannot be a hook's program: not absolute, not
// there, not a regular file, not executable.
func CheckProgram(path string) error {
	if !filepath.IsAbs(path) {
		return fmt.Errorf("%w: the program must be given by its full path, e.g. /usr/bin/playerctl (got %q)", ErrBadHook, path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%w: there is no program %s", ErrBadHook, path)
		}
		return fmt.Errorf("%w: %s cannot be read: %v", ErrBadHook, path, errors.Unwrap(err))
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%w: %s is not a program file", ErrBadHook, path)
	}
	if fi.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("%w: %s is not executable (chmod +x %s)", ErrBadHook, path, path)
	}
	return nil
}

// NewWebhook is a webhook hook for event, posting to raw (CheckURL).
func NewWebhook(event, raw string) (Hook, error) {
	if err := checkEvent(event); err != nil {
		return Hook{}, err
	}
	u, err := CheckURL(raw)
	if err != nil {
		return Hook{}, err
	}
	return Hook{Event: event, Kind: KindWebhook, Target: Target(u)}, nil
}

func checkEvent(event string) error {
	if !ValidEvent(event) {
		return fmt.Errorf("%w: no event %q: want one of %s", ErrBadHook, event, strings.Join(Events(), ", "))
	}
	return nil
}

// Add stores h under a new ID (and, for a webhook, rawURL in the keyring
// first: a hook whose address could not be kept is not stored). It returns
// the stored hook.
func (s *Store) Add(h Hook, rawURL string, now time.Time) (Hook, error) {
	id, err := newID()
	if err != nil {
		return Hook{}, err
	}
	h.ID, h.Added, h.Last, h.Dropped = id, now, nil, 0
	if h.Kind == KindWebhook {
		if err := s.secrets.Set(urlKey(id), strings.TrimSpace(rawURL)); err != nil {
			return Hook{}, fmt.Errorf("keep the webhook address in the keyring: %w", err)
		}
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(hooksBucket)
		if n := b.Stats().KeyN; n >= MaxHooks {
			return fmt.Errorf("%w: Lull keeps at most %d hooks; remove one first", ErrBadHook, MaxHooks)
		}
		var err error
		if h.Seq, err = b.NextSequence(); err != nil {
			return err
		}
		return put(b, h)
	})
	if err != nil && h.Kind == KindWebhook {
		_ = s.secrets.Delete(urlKey(id))
	}
	return h, err
}

// Remove deletes hook id and its keyring entry.
func (s *Store) Remove(id string) (Hook, error) {
	h, err := s.Get(id)
	if err != nil {
		return h, err
	}
	if h.Kind == KindWebhook {
		if err := s.secrets.Delete(urlKey(id)); err != nil {
			return h, fmt.Errorf("hook %s: remove its address from the keyring: %w", id, err)
		}
	}
	err = s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(hooksBucket).Delete([]byte(id)) })
	return h, err
}

// URL returns a webhook's address from the keyring.
func (s *Store) URL(id string) (string, error) { return s.secrets.Get(urlKey(id)) }

// Record stores r as hook id's last result and adds dropped to its count
// of dropped events. A hook removed meanwhile is left removed.
func (s *Store) Record(id string, r *Result, dropped int) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(hooksBucket)
		v := b.Get([]byte(id))
		if v == nil {
			return nil
		}
		var h Hook
		if err := json.Unmarshal(v, &h); err != nil {
			return fmt.Errorf("hook %q: %w", id, err)
		}
		if r != nil {
			h.Last = r
		}
		h.Dropped += dropped
		return put(b, h)
	})
}

func put(b *bolt.Bucket, h Hook) error {
	v, err := json.Marshal(h)
	if err != nil {
		return err
	}
	return b.Put([]byte(h.ID), v)
}

// newID is a random hook ID, "hk-" and 8 hex digits.
func newID() (string, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "hk-" + hex.EncodeToString(b[:]), nil
}
