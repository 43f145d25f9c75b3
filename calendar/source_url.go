package calendar

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/lullapp/lull/calendar/ics"
)

// URLSource is an http(s) calendar subscription. Its URL is often a secret
// (whoever has it reads the calendar), so it lives only in the keyring under
// the source's ID; the config keeps just the scheme and host. Fetch uses a
// conditional GET (ETag / Last-Modified), a time limit and a size cap, and
// falls back to the last good copy in bbolt when the server fails.
type URLSource struct {
	cfg SourceConfig
	st  *SourceStore
}

// normalizeCalendarURL trims raw, turns webcal:// into https:// and accepts
// only http and https URLs with a host.
func normalizeCalendarURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not a URL", ErrBadSource, RedactURL(raw))
	}
	switch strings.ToLower(u.Scheme) {
	case "webcal", "webcals":
		u.Scheme = "https"
	case "http", "https":
		u.Scheme = strings.ToLower(u.Scheme)
	default:
		return nil, fmt.Errorf("%w: %s: only http, https and webcal URLs are supported", ErrBadSource, RedactURL(raw))
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%w: %s has no host", ErrBadSource, RedactURL(raw))
	}
	return u, nil
}

// AddURLSource adds the subscription at rawURL (http, https or webcal) as a
// source named name (default: the URL's host). It fetches the calendar once
// to verify it, stores the URL in the keyring and never in bbolt, and caches
// the data as the first good copy. Errors never contain the URL's path or
// query.
func (s *SourceStore) AddURLSource(ctx context.Context, rawURL, name string) (SourceConfig, error) {
	u, err := normalizeCalendarURL(rawURL)
	if err != nil {
		return SourceConfig{}, err
	}
	full := u.String()
	if name == "" {
		name = u.Hostname()
	}
	cfg := SourceConfig{Kind: SourceURL, Name: name, Host: u.Scheme + "://" + u.Host}
	opCtx, done := s.operation(ctx)
	data, fs, err := s.get(opCtx, full, fetchState{})
	if err = done(err); err != nil {
		return SourceConfig{}, fmt.Errorf("calendar %q: %w", name, err)
	}
	if data == nil {
		return SourceConfig{}, fmt.Errorf("calendar %q: %w: not modified without a copy", name, ErrSourceHTTP)
	}
	return s.create(cfg, data, fs, &newSecret{key: secretURLKey, value: full})
}

// ID implements Source.
func (u *URLSource) ID() string { return u.cfg.ID }

// Name implements Source.
func (u *URLSource) Name() string { return u.cfg.Name }

// Config returns the source's settings.
func (u *URLSource) Config() SourceConfig { return u.cfg }

// Status implements Source.
func (u *URLSource) Status() (SourceStatus, error) { return u.st.status(u.cfg.ID) }

// Fetch implements Source.
func (u *URLSource) Fetch(ctx context.Context) ([]byte, error) {
	cached, prev, _, err := u.st.cached(u.cfg.ID)
	if err != nil {
		return nil, err
	}
	full, err := u.st.secrets.Get(secretURLKey(u.cfg.ID))
	if err != nil {
		return u.st.finish(u.cfg, nil, prev, fmt.Errorf("read its URL from the keyring: %w", err))
	}
	if cached == nil {
		prev = fetchState{} // no copy to fall back on: ask for the full body
	}
	opCtx, done := u.st.operation(ctx)
	data, fs, err := u.st.get(opCtx, full, prev)
	return u.st.finish(u.cfg, data, fs, done(err))
}

// get fetches full with the validators in prev. It returns nil data for 304
// Not Modified. It is the secret source's fetch boundary: every error it
// returns went through redactErr, so it holds no URL's path or query —
// neither full's nor a redirect target's.
func (s *SourceStore) get(ctx context.Context, full string, prev fetchState) ([]byte, fetchState, error) {
	data, fs, err := s.fetchURL(ctx, full, prev)
	return data, fs, redactErr(err, full)
}

// fetchURL is get without the redaction.
func (s *SourceStore) fetchURL(ctx context.Context, full string, prev fetchState) ([]byte, fetchState, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, full, nil)
	if err != nil {
		return nil, prev, fmt.Errorf("%w: %v", ErrBadSource, err)
	}
	req.Header.Set("Accept", "text/calendar, */*;q=0.5")
	if prev.ETag != "" {
		req.Header.Set("If-None-Match", prev.ETag)
	}
	if prev.LastModified != "" {
		req.Header.Set("If-Modified-Since", prev.LastModified)
	}
	resp, err := s.opts.HTTPClient.Do(req)
	if err != nil {
		return nil, prev, classifyNetErr(err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified && (prev.ETag != "" || prev.LastModified != ""):
		return nil, prev, nil
	case resp.StatusCode != http.StatusOK:
		return nil, prev, statusErr(resp.StatusCode)
	}
	if resp.ContentLength > s.opts.MaxBytes {
		return nil, prev, fmt.Errorf("%w (%d bytes announced, limit %s)", ErrSourceTooLarge, resp.ContentLength, sizeLimit(s.opts.MaxBytes))
	}
	data, err := readCapped(resp.Body, s.opts.MaxBytes)
	if err != nil {
		if errors.Is(err, ErrSourceTooLarge) {
			return nil, prev, err
		}
		return nil, prev, classifyNetErr(err)
	}
	if err := checkICalendar(data, resp.Header.Get("Content-Type"), fromAddress); err != nil {
		return nil, prev, err
	}
	return data, fetchState{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}, nil
}

// readCapped reads r up to max bytes and fails with ErrSourceTooLarge when
// there is more.
func readCapped(r io.Reader, max int64) ([]byte, error) {
	return ics.ReadLimited(r, max)
}

// sizeLimit formats a byte limit for messages: "20 MB" or "1500 bytes".
func sizeLimit(n int64) string { return ics.SizeText(n) }
