package calendar

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emersion/go-webdav/caldav"
)

// CalDAVSource is a calendar on a CalDAV server (URL + user, password in the
// keyring under the source's ID). Fetch runs a time-range calendar-query
// over the planning window and returns the matching objects merged into one
// VCALENDAR, byte for byte as the server stored them.
type CalDAVSource struct {
	cfg SourceConfig
	st  *SourceStore
}

// CalDAVCalendar is a calendar collection found by discovery.
type CalDAVCalendar struct {
	// Path is the collection's path on the server ("/alice/work/").
	Path string
	// Name is its display name (may be empty).
	Name string
	// Components lists the component types it accepts (VEVENT, VTODO, …);
	// empty when the server does not say.
	Components []string
}

// davHTTP is the HTTP client of every CalDAV request: basic auth, a time
// limit per request, a size cap on every answer, and (when strict) any
// error status turned into the source sentinels, so go-webdav's discovery
// errors read as "wrong password" or "no calendar at this address" rather
// than raw XML.
type davHTTP struct {
	hc       *http.Client
	user     string
	password string
	timeout  time.Duration
	// maxBytes caps each answer's body: reading past it fails with
	// ErrSourceTooLarge, whoever reads (go-webdav's decoder or Lull).
	maxBytes int64
	strict   bool
	// exceeded records that an answer hit maxBytes, so the error go-webdav
	// makes of the failed read can be told as "too large".
	exceeded atomic.Bool
	// lastStatus is the HTTP status of the latest answer when it was an
	// error (0 after a success), so the error go-webdav makes of it ("500
	// Internal Server Error") can be told in words by statusErr.
	lastStatus atomic.Int32
}

// Do implements webdav.HTTPClient.
func (d *davHTTP) Do(req *http.Request) (*http.Response, error) {
	if d.user != "" || d.password != "" {
		req.SetBasicAuth(d.user, d.password)
	}
	ctx, cancel := context.WithTimeout(req.Context(), d.timeout)
	resp, err := d.hc.Do(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, classifyNetErr(err)
	}
	resp.Body = &davBody{ReadCloser: resp.Body, cancel: cancel, left: d.maxBytes, max: d.maxBytes, exceeded: &d.exceeded}
	if resp.StatusCode >= 400 {
		d.lastStatus.Store(int32(resp.StatusCode))
	} else {
		d.lastStatus.Store(0)
	}
	if d.strict && resp.StatusCode >= 300 {
		resp.Body.Close()
		return nil, statusErr(resp.StatusCode)
	}
	return resp, nil
}

// davBody is a CalDAV answer's body: it ends with ErrSourceTooLarge after
// max bytes, so no decoder reads an endless answer into memory, and it
// releases the request's timeout context when closed.
type davBody struct {
	io.ReadCloser
	cancel   context.CancelFunc
	left     int64
	max      int64
	exceeded *atomic.Bool
}

// Read implements io.Reader.
func (b *davBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells an answer of exactly max bytes from a longer
		// one.
		var one [1]byte
		if n, err := b.ReadCloser.Read(one[:]); n == 0 {
			return 0, err
		}
		b.exceeded.Store(true)
		return 0, fmt.Errorf("%w (limit %s)", ErrSourceTooLarge, sizeLimit(b.max))
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

// Close implements io.Closer.
func (b *davBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// davErr turns what a CalDAV exchange failed with into the source
// sentinels: an answer over the cap is ErrSourceTooLarge; a network or
// time-limit failure is classified by classifyNetErr; anything else
// go-webdav could not make sense of (broken XML, missing elements) is
// ErrSourceHTTP, the server's fault — so the local API answers 502 (bad
// gateway), not 500.
func davErr(hc *davHTTP, err error) error {
	var netErr net.Error
	switch {
	case err == nil:
		return nil
	case hc.exceeded.Load():
		return fmt.Errorf("%w (limit %s)", ErrSourceTooLarge, sizeLimit(hc.maxBytes))
	case isSourceErr(err):
		return err
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled), errors.As(err, &netErr):
		return classifyNetErr(err)
	case hc.lastStatus.Load() != 0:
		// go-webdav's error for a failed status ("500 Internal Server
		// Error"): say it in words.
		return statusErr(int(hc.lastStatus.Load()))
	}
	return fmt.Errorf("%w: its answer could not be read (%v)", ErrSourceHTTP, err)
}

// isSourceErr reports whether err already is one of the sentinels a
// source's failure is told with.
func isSourceErr(err error) bool {
	for _, e := range []error{ErrSourceAuth, ErrSourceNotFound, ErrSourceTLS, ErrSourceUnreachable,
		ErrSourceTimeout, ErrSourceTooLarge, ErrSourceHTTP, ErrSourceNotCalendar, ErrBadSource, ErrNoCalendar} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// splitServerURL validates a CalDAV address and moves any user info out of
// it: the returned URL never holds credentials.
func splitServerURL(raw, user, password string) (u *url.URL, usr, pw string, err error) {
	u, err = url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, "", "", fmt.Errorf("%w: %s: a CalDAV address must be an http or https URL", ErrBadSource, RedactURL(raw))
	}
	if u.User != nil {
		if user == "" {
			user = u.User.Username()
		}
		if p, ok := u.User.Password(); ok && password == "" {
			password = p
		}
		u.User = nil
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u, user, password, nil
}

// DiscoverCalDAV connects to the server at rawURL as user and lists its
// calendars: current-user-principal → calendar-home-set → calendars. When
// the server does not support the principal lookup at that address, the
// address itself is tried as the calendar home. Errors say whether the
// password was wrong, the address unknown, the certificate untrusted or the
// server down.
func (s *SourceStore) DiscoverCalDAV(ctx context.Context, rawURL, user, password string) ([]CalDAVCalendar, error) {
	u, user, password, err := splitServerURL(rawURL, user, password)
	if err != nil {
		return nil, err
	}
	ctx, done := s.operation(ctx)
	cals, err := s.discover(ctx, u, user, password)
	if err = done(err); err != nil {
		return nil, redactErr(fmt.Errorf("CalDAV %s: %w", u.Scheme+"://"+u.Host, err), password)
	}
	return cals, nil
}

// discover is DiscoverCalDAV on a checked address; its errors are source
// sentinels (davErr).
func (s *SourceStore) discover(ctx context.Context, u *url.URL, user, password string) ([]CalDAVCalendar, error) {
	hc := &davHTTP{hc: s.opts.HTTPClient, user: user, password: password, timeout: s.opts.Timeout,
		maxBytes: MaxDAVDiscoveryBytes, strict: true}
	cals, err := s.discoverWith(ctx, hc, u)
	return cals, davErr(hc, err)
}

func (s *SourceStore) discoverWith(ctx context.Context, hc *davHTTP, u *url.URL) ([]CalDAVCalendar, error) {
	client, err := caldav.NewClient(hc, u.String())
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSource, err)
	}
	home := u.Path
	if principal, perr := client.FindCurrentUserPrincipal(ctx); perr == nil && principal != "" {
		if h, herr := client.FindCalendarHomeSet(ctx, principal); herr == nil && h != "" {
			home = h
		} else if herr != nil && isFatalDAV(hc, herr) {
			return nil, herr
		}
	} else if perr != nil && isFatalDAV(hc, perr) {
		return nil, perr
	}
	found, err := client.FindCalendars(ctx, home)
	if err != nil {
		// The address may be a calendar itself: list its parent.
		parent := path.Dir(strings.TrimSuffix(u.Path, "/")) + "/"
		if parent == u.Path || isFatalDAV(hc, err) {
			return nil, err
		}
		var perr error
		if found, perr = client.FindCalendars(ctx, parent); perr != nil {
			return nil, err
		}
	}
	out := make([]CalDAVCalendar, 0, len(found))
	for _, c := range found {
		out = append(out, CalDAVCalendar{Path: c.Path, Name: c.Name, Components: c.SupportedComponentSet})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// isFatalDAV reports whether a discovery error ends discovery (wrong
// password, TLS, network, the time or size limit) rather than meaning "try
// another way".
func isFatalDAV(hc *davHTTP, err error) bool {
	if hc.exceeded.Load() {
		return true
	}
	for _, e := range []error{ErrSourceAuth, ErrSourceTLS, ErrSourceUnreachable, ErrSourceTimeout, ErrSourceTooLarge,
		context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// chooseCalendar picks the calendar to read: the one whose path the address
// names, else the one named want (path or display name, any case), else the
// only one that takes events.
func chooseCalendar(cals []CalDAVCalendar, addrPath, want string) (CalDAVCalendar, error) {
	norm := func(p string) string { return strings.TrimSuffix(p, "/") + "/" }
	if want != "" {
		for _, c := range cals {
			if norm(c.Path) == norm(want) || strings.EqualFold(c.Name, want) || strings.EqualFold(path.Base(c.Path), want) {
				return c, nil
			}
		}
		return CalDAVCalendar{}, fmt.Errorf("%w: none is called %q (found: %s)", ErrNoCalendar, want, calendarNames(cals))
	}
	for _, c := range cals {
		if norm(c.Path) == norm(addrPath) {
			return c, nil
		}
	}
	var events []CalDAVCalendar
	for _, c := range cals {
		if len(c.Components) == 0 || containsFold(c.Components, "VEVENT") {
			events = append(events, c)
		}
	}
	switch len(events) {
	case 0:
		return CalDAVCalendar{}, fmt.Errorf("%w: the account has no event calendar", ErrNoCalendar)
	case 1:
		return events[0], nil
	}
	return CalDAVCalendar{}, fmt.Errorf("%w: the account has several calendars (%s); choose one", ErrNoCalendar, calendarNames(events))
}

func calendarNames(cals []CalDAVCalendar) string {
	var names []string
	for _, c := range cals {
		if c.Name != "" {
			names = append(names, fmt.Sprintf("%q %s", c.Name, c.Path))
		} else {
			names = append(names, c.Path)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// AddCalDAVSource connects to the CalDAV server at rawURL as user, finds
// its calendars and adds the chosen one as a source: the calendar the URL
// names, else the one called calendar (path or display name), else the only
// event calendar. It fetches the planning window once to verify access,
// then stores the password in the keyring (never in bbolt) and the config.
func (s *SourceStore) AddCalDAVSource(ctx context.Context, rawURL, user, password, calendar string) (SourceConfig, error) {
	u, user, password, err := splitServerURL(rawURL, user, password)
	if err != nil {
		return SourceConfig{}, err
	}
	ctx, done := s.operation(ctx)
	cfg, data, err := s.findCalDAV(ctx, u, user, password, calendar)
	if err = done(err); err != nil {
		return SourceConfig{}, redactErr(err, password)
	}
	return s.create(cfg, data, fetchState{}, &newSecret{key: secretPasswordKey, value: password})
}

// findCalDAV is AddCalDAVSource's network part: discovery, the choice of
// calendar and a first query, under one operation deadline.
func (s *SourceStore) findCalDAV(ctx context.Context, u *url.URL, user, password, calendar string) (SourceConfig, []byte, error) {
	server := u.Scheme + "://" + u.Host
	cals, err := s.discover(ctx, u, user, password)
	if err != nil {
		return SourceConfig{}, nil, fmt.Errorf("CalDAV %s: %w", server, err)
	}
	cal, err := chooseCalendar(cals, u.Path, calendar)
	if err != nil {
		return SourceConfig{}, nil, fmt.Errorf("CalDAV %s: %w", server, err)
	}
	name := cal.Name
	if name == "" {
		name = path.Base(strings.TrimSuffix(cal.Path, "/"))
	}
	cfg := SourceConfig{Kind: SourceCalDAV, Name: name, ServerURL: u.String(), User: user, CalendarPath: cal.Path}
	data, err := s.calendarQuery(ctx, cfg, password)
	if err != nil {
		return SourceConfig{}, nil, fmt.Errorf("CalDAV calendar %q: %w", name, err)
	}
	return cfg, data, nil
}

// ID implements Source.
func (c *CalDAVSource) ID() string { return c.cfg.ID }

// Name implements Source.
func (c *CalDAVSource) Name() string { return c.cfg.Name }

// Config returns the source's settings.
func (c *CalDAVSource) Config() SourceConfig { return c.cfg }

// Status implements Source.
func (c *CalDAVSource) Status() (SourceStatus, error) { return c.st.status(c.cfg.ID) }

// Fetch implements Source. It queries the window given by
// SourceOptions.Window around the clock's now.
func (c *CalDAVSource) Fetch(ctx context.Context) ([]byte, error) {
	password, err := c.st.secrets.Get(secretPasswordKey(c.cfg.ID))
	if err != nil {
		return c.st.finish(c.cfg, nil, fetchState{}, fmt.Errorf("read its password from the keyring: %w", err))
	}
	ctx, done := c.st.operation(ctx)
	data, err := c.st.calendarQuery(ctx, c.cfg, password)
	return c.st.finish(c.cfg, data, fetchState{}, redactErr(done(err), password))
}

// calendarQuery runs a CalDAV calendar-query REPORT for VEVENTs overlapping
// the window and returns the objects merged into one VCALENDAR. It parses
// the multistatus itself rather than through go-webdav, which decodes every
// object with go-ical and fails the whole query on one object it cannot
// read; here the raw text reaches Parse, which reports bad events one by one.
func (s *SourceStore) calendarQuery(ctx context.Context, cfg SourceConfig, password string) ([]byte, error) {
	win := s.opts.Window(s.clk.Now())
	hc := &davHTTP{hc: s.opts.HTTPClient, user: cfg.User, password: password, timeout: s.opts.Timeout, maxBytes: s.opts.MaxBytes}
	items, err := rangeQuery(ctx, hc, cfg.ServerURL, cfg.CalendarPath, win.Start, win.End)
	if err != nil {
		return nil, err
	}
	objects := make([][]byte, 0, len(items))
	for _, it := range items {
		if strings.TrimSpace(it.data) == "" {
			continue
		}
		// One object that is not iCalendar fails the whole fetch: dropping
		// it would drop its meeting from busy time while the source looked
		// fine. The last good copy stays in use and the status says why.
		if err := checkICalendar([]byte(it.data), "", fromServer); err != nil {
			return nil, fmt.Errorf("event %s: %w", it.href, err)
		}
		objects = append(objects, []byte(it.data))
	}
	return mergeCalendarObjects(objects), nil
}

// queryRange runs a CalDAV calendar-query REPORT for VEVENTs overlapping
// win on cfg's calendar and returns the objects' hrefs, ETags and data as
// the server sent them.
func (s *SourceStore) queryRange(ctx context.Context, cfg SourceConfig, password string, win Interval) ([]davItem, error) {
	hc := &davHTTP{hc: s.opts.HTTPClient, user: cfg.User, password: password, timeout: s.opts.Timeout, maxBytes: s.opts.MaxBytes}
	return rangeQuery(ctx, hc, cfg.ServerURL, cfg.CalendarPath, win.Start, win.End)
}

// rangeQuery runs a calendar-query REPORT on collection for the VEVENTs
// overlapping [start, end) and returns each object's href, ETag and data,
// the answer capped at hc.maxBytes.
func rangeQuery(ctx context.Context, hc *davHTTP, server, collection string, start, end time.Time) ([]davItem, error) {
	const utc = "20060102T150405Z"
	body := `<?xml version="1.0" encoding="utf-8"?>` +
		`<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">` +
		`<D:prop><D:getetag/><C:calendar-data/></D:prop>` +
		`<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">` +
		`<C:time-range start="` + start.UTC().Format(utc) + `" end="` + end.UTC().Format(utc) + `"/>` +
		`</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`
	target, err := resolveDAV(server, collection)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, "REPORT", target, strings.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSource, err)
	}
	req.Header.Set("Content-Type", `application/xml; charset="utf-8"`)
	req.Header.Set("Depth", "1")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusMultiStatus {
		return nil, statusErr(resp.StatusCode)
	}
	raw, err := readCapped(resp.Body, hc.maxBytes)
	if err != nil {
		return nil, davErr(hc, err)
	}
	return parseMultistatus(raw)
}

// resolveDAV joins a server URL and an absolute or relative path.
func resolveDAV(server, p string) (string, error) {
	base, err := url.Parse(server)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadSource, err)
	}
	ref, err := url.Parse(p)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadSource, err)
	}
	return base.ResolveReference(ref).String(), nil
}

// davItem is one response of a multistatus.
type davItem struct {
	href   string
	etag   string
	data   string
	status int
}

// parseMultistatus reads a DAV multistatus body, keeping for each response
// its href, etag and calendar-data from the 200 propstat.
func parseMultistatus(raw []byte) ([]davItem, error) {
	var ms struct {
		Responses []struct {
			Href     string `xml:"DAV: href"`
			Status   string `xml:"DAV: status"`
			Propstat []struct {
				Status string `xml:"DAV: status"`
				Prop   struct {
					ETag string `xml:"DAV: getetag"`
					Data string `xml:"urn:ietf:params:xml:ns:caldav calendar-data"`
				} `xml:"DAV: prop"`
			} `xml:"DAV: propstat"`
		} `xml:"DAV: response"`
	}
	if err := xml.NewDecoder(bytes.NewReader(raw)).Decode(&ms); err != nil {
		return nil, fmt.Errorf("%w: unreadable multistatus: %v", ErrSourceHTTP, err)
	}
	var out []davItem
	for _, r := range ms.Responses {
		it := davItem{href: strings.TrimSpace(r.Href), status: parseDAVStatus(r.Status)}
		for _, ps := range r.Propstat {
			if code := parseDAVStatus(ps.Status); code != 0 && code != http.StatusOK {
				continue
			}
			if ps.Prop.ETag != "" {
				it.etag = ps.Prop.ETag
			}
			if ps.Prop.Data != "" {
				it.data = ps.Prop.Data
			}
		}
		out = append(out, it)
	}
	return out, nil
}

// parseDAVStatus reads the code of "HTTP/1.1 200 OK"; 0 when absent.
func parseDAVStatus(s string) int {
	f := strings.Fields(s)
	if len(f) < 2 {
		return 0
	}
	var code int
	fmt.Sscanf(f[1], "%d", &code)
	return code
}
