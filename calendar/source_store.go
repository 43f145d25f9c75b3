package calendar

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	bolt "go.etcd.io/bbolt"

	"github.com/lullapp/lull/calendar/ics"
	"github.com/lullapp/lull/internal/clock"
	"github.com/lullapp/lull/internal/store"
)

// sourcesBucket holds one sub-bucket per source ID, with the keys below.
var (
	sourcesBucket = []byte("sources")
	srcKeyConfig  = []byte("config") // SourceConfig JSON
	srcKeyStatus  = []byte("status") // SourceStatus JSON
	srcKeyData    = []byte("data")   // last good raw calendar data
	srcKeyFetch   = []byte("fetch")  // fetchState JSON (validators)
)

// Default limits of sources.
const (
	// DefaultFetchTimeout bounds one HTTP request to a URL or CalDAV
	// source: a server that answers slower than this is as good as down.
	DefaultFetchTimeout = 20 * time.Second
	// DefaultOperationTimeout bounds one whole operation on one source:
	// adding it (CalDAV discovery takes several requests), one fetch during
	// a sync, one publish of the focus blocks. A server that drips an
	// endless answer, or answers each request just in time, never holds an
	// add, a sync or the command that waits for it longer than this.
	DefaultOperationTimeout = 30 * time.Second
	// DefaultMaxSourceBytes is the largest calendar a source may return:
	// the one input-size limit of every calendar reader (see
	// ics.MaxInputBytes for the reason).
	DefaultMaxSourceBytes = ics.MaxInputBytes
	// MaxDAVDiscoveryBytes caps every CalDAV discovery answer (principal,
	// calendar home, calendar list). Real answers are a few kilobytes even
	// for accounts with hundreds of calendars; the cap keeps a broken or
	// hostile server's endless answer from filling memory while it is
	// decoded.
	MaxDAVDiscoveryBytes = 4 << 20
	// MaxDAVObjectBytes caps one calendar object the publisher reads back
	// (one focus block is under a kilobyte) and what it reads of the
	// answer to a PUT or DELETE.
	MaxDAVObjectBytes = 1 << 20
	// DefaultCalDAVWindow is how far ahead a CalDAV source queries events:
	// the 14-day planning horizon plus a margin.
	DefaultCalDAVWindow = 15 * 24 * time.Hour
)

// SourceOptions tune a SourceStore; the zero value gives the defaults.
type SourceOptions struct {
	// Timeout bounds each HTTP request (default DefaultFetchTimeout).
	Timeout time.Duration
	// OperationTimeout bounds one add, fetch or publish of a source as a
	// whole (default DefaultOperationTimeout).
	OperationTimeout time.Duration
	// MaxBytes caps a calendar's size (default DefaultMaxSourceBytes).
	MaxBytes int64
	// HTTPClient makes the requests (default: a client with its own
	// transport, so tests can inject TLS roots).
	HTTPClient *http.Client
	// Window returns the time range a CalDAV source queries; default from
	// one day before now to DefaultCalDAVWindow after.
	Window func(now time.Time) Interval
}

// SourceStore keeps the calendar sources' settings, their last good data and
// their status in bbolt (bucket "sources"), and their secrets in Secrets.
// It is safe for concurrent use (every change is one bbolt transaction).
type SourceStore struct {
	db      *store.DB
	secrets Secrets
	clk     clock.Clock
	opts    SourceOptions
}

// fetchState is what a source remembers between fetches to avoid
// re-downloading or re-reading unchanged data.
type fetchState struct {
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	FileModTime  time.Time `json:"file_mtime,omitzero"`
	FileSize     int64     `json:"file_size,omitempty"`
}

// NewSourceStore opens the sources bucket of db (creating it) and returns
// the store. secrets keeps URLs and passwords; clk stamps statuses.
func NewSourceStore(db *store.DB, secrets Secrets, clk clock.Clock, opts SourceOptions) (*SourceStore, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultFetchTimeout
	}
	if opts.OperationTimeout <= 0 {
		opts.OperationTimeout = DefaultOperationTimeout
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxSourceBytes
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	if opts.Window == nil {
		opts.Window = func(now time.Time) Interval {
			return Interval{Start: now.Add(-24 * time.Hour), End: now.Add(DefaultCalDAVWindow)}
		}
	}
	err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(sourcesBucket)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("calendar sources: create bucket: %w", err)
	}
	return &SourceStore{db: db, secrets: secrets, clk: clk, opts: opts}, nil
}

// operation bounds one add, fetch or publish of a source by
// OperationTimeout. Call done with the operation's error: a timeout of the
// whole operation then says how long Lull waited.
func (s *SourceStore) operation(ctx context.Context) (opCtx context.Context, done func(error) error) {
	opCtx, cancel := context.WithTimeout(ctx, s.opts.OperationTimeout)
	return opCtx, func(err error) error {
		expired := errors.Is(opCtx.Err(), context.DeadlineExceeded) && ctx.Err() == nil
		cancel()
		if err != nil && expired {
			if !errors.Is(err, ErrSourceTimeout) {
				err = fmt.Errorf("%w: %w", ErrSourceTimeout, err)
			}
			return fmt.Errorf("%w (gave up after %s)", err, secondsText(s.opts.OperationTimeout))
		}
		return err
	}
}

// secondsText writes a time limit for people: "30 seconds", "2 minutes",
// "1.5 seconds".
func secondsText(d time.Duration) string {
	switch {
	case d >= time.Minute && d%time.Minute == 0:
		if d == time.Minute {
			return "1 minute"
		}
		return fmt.Sprintf("%d minutes", d/time.Minute)
	case d == time.Second:
		return "1 second"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " seconds"
}

// SourceInfo is one row of ListSources.
type SourceInfo struct {
	Config SourceConfig
	Status SourceStatus
	// Summary is Status in words (SourceStatus.Describe), filled in by
	// whoever shows the list to a person (the local API, the CLI).
	Summary string `json:"summary,omitempty"`
}

// ListSources returns every source's settings and status, sorted by ID.
func (s *SourceStore) ListSources() ([]SourceInfo, error) {
	var out []SourceInfo
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(sourcesBucket).ForEachBucket(func(k []byte) error {
			b := tx.Bucket(sourcesBucket).Bucket(k)
			var info SourceInfo
			if err := json.Unmarshal(b.Get(srcKeyConfig), &info.Config); err != nil {
				return fmt.Errorf("source %q: config: %w", k, err)
			}
			if raw := b.Get(srcKeyStatus); raw != nil {
				if err := json.Unmarshal(raw, &info.Status); err != nil {
					return fmt.Errorf("source %q: status: %w", k, err)
				}
			}
			out = append(out, info)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list calendar sources: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Config.ID < out[j].Config.ID })
	return out, nil
}

// Config returns the settings of source id.
func (s *SourceStore) Config(id string) (SourceConfig, error) {
	var cfg SourceConfig
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(sourcesBucket).Bucket([]byte(id))
		if b == nil {
			return fmt.Errorf("calendar source %q: %w", id, ErrNoSuchSource)
		}
		return json.Unmarshal(b.Get(srcKeyConfig), &cfg)
	})
	return cfg, err
}

// Source returns the source with the given ID, ready to fetch.
func (s *SourceStore) Source(id string) (Source, error) {
	cfg, err := s.Config(id)
	if err != nil {
		return nil, err
	}
	return s.open(cfg)
}

// Sources returns every configured source, sorted by ID.
func (s *SourceStore) Sources() ([]Source, error) {
	infos, err := s.ListSources()
	if err != nil {
		return nil, err
	}
	out := make([]Source, 0, len(infos))
	for _, info := range infos {
		src, err := s.open(info.Config)
		if err != nil {
			return nil, err
		}
		out = append(out, src)
	}
	return out, nil
}

func (s *SourceStore) open(cfg SourceConfig) (Source, error) {
	switch cfg.Kind {
	case SourceFile:
		return &FileSource{cfg: cfg, st: s}, nil
	case SourceURL:
		return &URLSource{cfg: cfg, st: s}, nil
	case SourceCalDAV:
		return &CalDAVSource{cfg: cfg, st: s}, nil
	}
	return nil, fmt.Errorf("calendar source %q: kind %q: %w", cfg.ID, cfg.Kind, ErrBadSource)
}

// RemoveSource deletes source id: its settings, cached data and status, and
// its secrets in the keyring.
func (s *SourceStore) RemoveSource(id string) error {
	if _, err := s.Config(id); err != nil {
		return err
	}
	for _, key := range []string{secretURLKey(id), secretPasswordKey(id)} {
		if err := s.secrets.Delete(key); err != nil && !errors.Is(err, ErrSecretNotFound) {
			return fmt.Errorf("remove calendar source %q: %w", id, err)
		}
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(sourcesBucket).DeleteBucket([]byte(id))
	})
	if err != nil {
		return fmt.Errorf("remove calendar source %q: %w", id, err)
	}
	return nil
}

// newSecret is a secret to keep in the keyring under a new source's ID.
type newSecret struct {
	key   func(id string) string
	value string
}

// create stores a verified new source: in one transaction it picks a free
// ID from cfg.Name and saves the config; then it keeps the secret (if any)
// in the keyring under that ID and caches the first data. If the keyring
// refuses, the config is removed again, so a source never exists without
// its secret and two concurrent adds never share an ID or a secret.
func (s *SourceStore) create(cfg SourceConfig, data []byte, fs fetchState, secret *newSecret) (SourceConfig, error) {
	cfg.Added = s.clk.Now().UTC()
	err := s.db.Update(func(tx *bolt.Tx) error {
		root := tx.Bucket(sourcesBucket)
		base := slugID(cfg.Name)
		id := base
		for n := 2; root.Bucket([]byte(id)) != nil; n++ {
			id = base + "-" + strconv.Itoa(n)
		}
		cfg.ID = id
		b, err := root.CreateBucket([]byte(id))
		if err != nil {
			return err
		}
		raw, err := json.Marshal(cfg)
		if err != nil {
			return err
		}
		return b.Put(srcKeyConfig, raw)
	})
	if err != nil {
		return SourceConfig{}, fmt.Errorf("add calendar source %q: %w", cfg.Name, err)
	}
	if secret != nil {
		if err := s.secrets.Set(secret.key(cfg.ID), secret.value); err != nil {
			s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(sourcesBucket).DeleteBucket([]byte(cfg.ID)) })
			return SourceConfig{}, fmt.Errorf("add calendar source %q: keep its secret in the keyring: %w", cfg.Name, err)
		}
	}
	if err := s.saveSuccess(cfg.ID, data, fs); err != nil {
		return SourceConfig{}, err
	}
	return cfg, nil
}

// slugID turns a display name into a short, readable ID: lower-case
// letters, digits and dashes.
func slugID(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 32 {
			break
		}
	}
	id := strings.Trim(b.String(), "-")
	if id == "" {
		id = "calendar"
	}
	return id
}

// Data returns source id's last good data (nil when it never had any),
// with Lull's own blocks stripped as Fetch returns them: what the coach's
// meeting audit reads without fetching again.
func (s *SourceStore) Data(id string) ([]byte, error) {
	data, _, _, err := s.cached(id)
	if err != nil || data == nil {
		return nil, err
	}
	return StripLullBlocks(data), nil
}

// cached returns the last good data, the fetch state and the status of id.
func (s *SourceStore) cached(id string) (data []byte, fs fetchState, st SourceStatus, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(sourcesBucket).Bucket([]byte(id))
		if b == nil {
			return fmt.Errorf("calendar source %q: %w", id, ErrNoSuchSource)
		}
		if d := b.Get(srcKeyData); d != nil {
			data = append([]byte(nil), d...)
		}
		if raw := b.Get(srcKeyFetch); raw != nil {
			if err := json.Unmarshal(raw, &fs); err != nil {
				return err
			}
		}
		if raw := b.Get(srcKeyStatus); raw != nil {
			return json.Unmarshal(raw, &st)
		}
		return nil
	})
	return data, fs, st, err
}

// status returns source id's status.
func (s *SourceStore) status(id string) (SourceStatus, error) {
	_, _, st, err := s.cached(id)
	return st, err
}

// saveSuccess records a successful fetch: data (nil keeps the cached copy,
// for "not modified"), the validators and a fresh status, in one transaction.
func (s *SourceStore) saveSuccess(id string, data []byte, fs fetchState) error {
	now := s.clk.Now().UTC()
	return s.updateSource(id, func(b *bolt.Bucket) error {
		if data != nil {
			if err := b.Put(srcKeyData, data); err != nil {
				return err
			}
		}
		rawFS, err := json.Marshal(fs)
		if err != nil {
			return err
		}
		if err := b.Put(srcKeyFetch, rawFS); err != nil {
			return err
		}
		var st SourceStatus
		if raw := b.Get(srcKeyStatus); raw != nil {
			// Keep what the last reading counted until the new data is
			// read (RecordRead).
			if err := json.Unmarshal(raw, &st); err != nil {
				return err
			}
		}
		st.LastAttempt, st.LastSuccess, st.StaleSince, st.LastError = now, now, time.Time{}, ""
		st.HasData = b.Get(srcKeyData) != nil
		rawSt, err := json.Marshal(st)
		if err != nil {
			return err
		}
		return b.Put(srcKeyStatus, rawSt)
	})
}

// saveFailure records a failed fetch (cause already redacted) and returns
// the new status.
func (s *SourceStore) saveFailure(id string, cause error) (SourceStatus, error) {
	now := s.clk.Now().UTC()
	var st SourceStatus
	err := s.updateSource(id, func(b *bolt.Bucket) error {
		if raw := b.Get(srcKeyStatus); raw != nil {
			if err := json.Unmarshal(raw, &st); err != nil {
				return err
			}
		}
		st.LastAttempt = now
		if st.StaleSince.IsZero() {
			st.StaleSince = now
		}
		// The cause was redacted by the source; redacting again here keeps
		// the promise for every kind: no URL's path or query is stored.
		st.LastError = redactErr(cause).Error()
		st.HasData = b.Get(srcKeyData) != nil
		raw, err := json.Marshal(st)
		if err != nil {
			return err
		}
		return b.Put(srcKeyStatus, raw)
	})
	return st, err
}

// RecordRead stores what reading source id's data (current or last good
// copy) gave: the number of events and the problems, the first
// MaxStoredProblems of them in words. Syncing calls it after parsing, so
// the status tells "12 events, 2 problems" and "no events read" apart from
// a plain "ok".
func (s *SourceStore) RecordRead(id string, events int, problems []error) error {
	now := s.clk.Now().UTC()
	return s.updateSource(id, func(b *bolt.Bucket) error {
		var st SourceStatus
		if raw := b.Get(srcKeyStatus); raw != nil {
			if err := json.Unmarshal(raw, &st); err != nil {
				return err
			}
		}
		st.Read, st.Events, st.ProblemCount, st.Problems = now, events, len(problems), nil
		for _, p := range problems[:min(len(problems), MaxStoredProblems)] {
			st.Problems = append(st.Problems, redactText(ProblemText(p)))
		}
		raw, err := json.Marshal(st)
		if err != nil {
			return err
		}
		return b.Put(srcKeyStatus, raw)
	})
}

func (s *SourceStore) updateSource(id string, f func(b *bolt.Bucket) error) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(sourcesBucket).Bucket([]byte(id))
		if b == nil {
			return fmt.Errorf("calendar source %q: %w", id, ErrNoSuchSource)
		}
		return f(b)
	})
	if errors.Is(err, ErrNoSuchSource) {
		return err // already names the source
	}
	if err != nil {
		return fmt.Errorf("calendar source %q: save: %w", id, err)
	}
	return nil
}

// finish is the common end of every Fetch: on success it stores the data
// and returns it; on failure it records the (redacted) error and returns the
// last good copy with a *StaleError, or the error alone when there is none.
// Lull's own published blocks are stripped from what is returned.
func (s *SourceStore) finish(cfg SourceConfig, data []byte, fs fetchState, fetchErr error) ([]byte, error) {
	if errors.Is(fetchErr, context.Canceled) {
		// The caller gave up (Lull is quitting): not the source's fault.
		return nil, fmt.Errorf("calendar %q: %w", cfg.Name, fetchErr)
	}
	if fetchErr == nil {
		if err := s.saveSuccess(cfg.ID, data, fs); err != nil {
			return nil, err
		}
		if data == nil { // not modified: serve the cache
			cachedData, _, _, err := s.cached(cfg.ID)
			if err != nil {
				return nil, err
			}
			data = cachedData
		}
		return StripLullBlocks(data), nil
	}
	cause := fmt.Errorf("calendar %q: %w", cfg.Name, fetchErr)
	st, err := s.saveFailure(cfg.ID, fetchErr)
	if err != nil {
		return nil, errors.Join(cause, err)
	}
	cachedData, _, _, err := s.cached(cfg.ID)
	if err != nil || cachedData == nil {
		return nil, cause
	}
	return StripLullBlocks(cachedData), &StaleError{Source: cfg.Name, Since: st.StaleSince, Err: fetchErr}
}
