package calendar

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

// MaxDAVQueryBytes caps one time-range answer read by a DAV client: the
// device sync reads the shared focus log in chunks of time (a few thousand
// small objects), never the whole calendar at once, so an answer past this
// is a server sending far more than asked.
const MaxDAVQueryBytes = 32 << 20

// DAV is a CalDAV client on one CalDAV source's account, for packages that
// keep their own objects on the user's server (calendar/devsync). It uses
// the same requests as the block publisher: reads with their ETags, writes
// only with a precondition (If-None-Match: * to create, If-Match: <etag> to
// replace), so a write never lands on an object that changed since it was
// read, and time-range queries instead of full listings.
type DAV struct {
	p        *CalDAVPublisher
	hc       *davHTTP
	password string
}

// DAVObject is one object a time-range query returned.
type DAVObject struct {
	// Href is its path on the server.
	Href string
	// ETag is its entity tag.
	ETag string
	// Data is its iCalendar text, as the server stored it.
	Data []byte
}

// DAV returns a client on CalDAV source sourceID's account (its password
// from the keyring).
func (s *SourceStore) DAV(sourceID string) (*DAV, error) {
	p, err := s.Publisher(sourceID)
	if err != nil {
		return nil, err
	}
	password, err := s.secrets.Get(secretPasswordKey(p.cfg.ID))
	if err != nil {
		return nil, fmt.Errorf("CalDAV calendar %q: read its password from the keyring: %w", p.cfg.Name, err)
	}
	hc := &davHTTP{hc: s.opts.HTTPClient, user: p.cfg.User, password: password, timeout: s.opts.Timeout, maxBytes: MaxDAVQueryBytes}
	return &DAV{p: p, hc: hc, password: password}, nil
}

// Config is the source's settings.
func (d *DAV) Config() SourceConfig { return d.p.cfg }

// Redact removes the password from err's text.
func (d *DAV) Redact(err error) error { return redactErr(err, d.password) }

// Get reads the object at href; a missing object is status 404, not an
// error.
func (d *DAV) Get(ctx context.Context, href string) (body []byte, etag string, status int, err error) {
	body, etag, status, err = d.p.get(ctx, d.hc, href)
	return body, etag, status, d.Redact(err)
}

// Put writes body at href with one precondition: condHeader
// "If-None-Match" with "*" (create only) or "If-Match" with an ETag
// (replace only that version). It returns the status (412 when the
// precondition failed) and the new ETag when the server sent one.
func (d *DAV) Put(ctx context.Context, href string, body []byte, condHeader, condValue string) (status int, etag string, err error) {
	status, etag, err = d.p.send(ctx, d.hc, http.MethodPut, href, body, condHeader, condValue)
	return status, etag, d.Redact(err)
}

// Query returns the VEVENT objects of collection overlapping [start, end):
// one calendar-query REPORT with a time range.
func (d *DAV) Query(ctx context.Context, collection string, start, end time.Time) ([]DAVObject, error) {
	items, err := rangeQuery(ctx, d.hc, d.p.cfg.ServerURL, collection, start, end)
	if err != nil {
		return nil, d.Redact(err)
	}
	out := make([]DAVObject, 0, len(items))
	for _, it := range items {
		if strings.TrimSpace(it.data) == "" {
			continue
		}
		out = append(out, DAVObject{Href: it.href, ETag: it.etag, Data: []byte(it.data)})
	}
	return out, nil
}

// MaxDAVTagBytes caps the answer to a collection-tag PROPFIND: one
// response with two short properties is well under a kilobyte, so more is
// a server sending far more than asked.
const MaxDAVTagBytes = 64 << 10

// CollectionTag returns a tag of collection's contents that changes
// whenever an object in it is added, changed or removed: its getctag
// (CalendarServer's, which nearly every server serves), else its
// sync-token (RFC 6578). Each is one Depth: 0 PROPFIND of a few hundred
// bytes, so a device can poll often and read the collection only when it
// changed. getctag is asked alone first: a server computes what is asked,
// and on Radicale a sync-token costs half as much again as the ctag
// (BENCHMARKS.md). "" (no error) when the server offers neither: the
// caller must then read every time.
func (d *DAV) CollectionTag(ctx context.Context, collection string) (string, error) {
	tag, err := d.propfindTag(ctx, collection, `<CS:getctag/>`)
	if tag != "" || err != nil {
		return tag, err
	}
	return d.propfindTag(ctx, collection, `<D:sync-token/>`)
}

// propfindTag asks collection for one tag property (Depth: 0) and returns
// it as parseCollectionTag reads it.
func (d *DAV) propfindTag(ctx context.Context, collection, prop string) (string, error) {
	target, err := resolveDAV(d.p.cfg.ServerURL, collection)
	if err != nil {
		return "", err
	}
	body := `<?xml version="1.0" encoding="utf-8"?>` +
		`<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/">` +
		`<D:prop>` + prop + `</D:prop></D:propfind>`
	req, err := http.NewRequestWithContext(ctx, "PROPFIND", target, strings.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadSource, err)
	}
	req.Header.Set("Content-Type", `application/xml; charset="utf-8"`)
	req.Header.Set("Depth", "0")
	hc := &davHTTP{hc: d.hc.hc, user: d.hc.user, password: d.password, timeout: d.hc.timeout, maxBytes: MaxDAVTagBytes}
	resp, err := hc.Do(req)
	if err != nil {
		return "", d.Redact(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusMultiStatus {
		return "", statusErr(resp.StatusCode)
	}
	raw, err := readCapped(resp.Body, hc.maxBytes)
	if err != nil {
		return "", d.Redact(davErr(hc, err))
	}
	return parseCollectionTag(raw)
}

// parseCollectionTag reads the sync-token, else the getctag, of a
// Depth: 0 multistatus; "" when the server sent neither.
func parseCollectionTag(raw []byte) (string, error) {
	var ms struct {
		Responses []struct {
			Propstat []struct {
				Status string `xml:"DAV: status"`
				Prop   struct {
					SyncToken string `xml:"DAV: sync-token"`
					CTag      string `xml:"http://calendarserver.org/ns/ getctag"`
				} `xml:"DAV: prop"`
			} `xml:"DAV: propstat"`
		} `xml:"DAV: response"`
	}
	if err := xml.NewDecoder(bytes.NewReader(raw)).Decode(&ms); err != nil {
		return "", fmt.Errorf("%w: unreadable multistatus: %v", ErrSourceHTTP, err)
	}
	var token, ctag string
	for _, r := range ms.Responses {
		for _, ps := range r.Propstat {
			if code := parseDAVStatus(ps.Status); code != 0 && code != http.StatusOK {
				continue
			}
			if t := strings.TrimSpace(ps.Prop.SyncToken); t != "" {
				token = t
			}
			if t := strings.TrimSpace(ps.Prop.CTag); t != "" {
				ctag = t
			}
		}
	}
	if token != "" {
		return "sync-token " + token, nil
	}
	if ctag != "" {
		return "ctag " + ctag, nil
	}
	return "", nil
}

// Calendars lists the account's calendar collections (discovery).
func (d *DAV) Calendars(ctx context.Context) ([]CalDAVCalendar, error) {
	u, err := url.Parse(d.p.cfg.ServerURL)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSource, err)
	}
	hc := &davHTTP{hc: d.hc.hc, user: d.hc.user, password: d.password, timeout: d.hc.timeout,
		maxBytes: MaxDAVDiscoveryBytes, strict: true}
	cals, err := d.p.st.discoverWith(ctx, hc, u)
	return cals, d.Redact(davErr(hc, err))
}

// SiblingPath is the path of a new collection named slug beside the
// source's calendar (in the same calendar home).
func (d *DAV) SiblingPath(slug string) string {
	return path.Dir(strings.TrimSuffix(d.p.cfg.CalendarPath, "/")) + "/" + slug + "/"
}

// MkCalendar creates a calendar collection at collection named name (RFC
// 4791 MKCALENDAR) and returns the status: 201 when made; servers that do
// not allow it answer 403, 405 or 501.
func (d *DAV) MkCalendar(ctx context.Context, collection, name string) (int, error) {
	target, err := resolveDAV(d.p.cfg.ServerURL, collection)
	if err != nil {
		return 0, err
	}
	var esc strings.Builder
	if err := xml.EscapeText(&esc, []byte(name)); err != nil {
		return 0, err
	}
	body := `<?xml version="1.0" encoding="utf-8"?>` +
		`<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>` +
		`<D:displayname>` + esc.String() + `</D:displayname>` +
		`<C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>` +
		`</D:prop></D:set></C:mkcalendar>`
	req, err := http.NewRequestWithContext(ctx, "MKCALENDAR", target, strings.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrBadSource, err)
	}
	req.Header.Set("Content-Type", `application/xml; charset="utf-8"`)
	resp, err := d.hc.Do(req)
	if err != nil {
		return 0, d.Redact(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized {
		return resp.StatusCode, statusErr(resp.StatusCode)
	}
	return resp.StatusCode, nil
}

// StatusError says an HTTP status a CalDAV server answered in words, as a
// source sentinel (ErrSourceAuth, ErrSourceNotFound, ErrSourceHTTP).
func StatusError(code int) error { return statusErr(code) }
