package calendar

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
)

// fakeDAV is a small CalDAV server for tests: one user (alice/secret) with
// one calendar /alice/work/, objects kept in memory with ETags, preconditions
// enforced like a real server, and every request recorded.
type fakeDAV struct {
	mu       sync.Mutex
	objects  map[string]fakeObject // href → object
	etagSeq  int
	requests []fakeRequest
	// noETagOnPut makes PUT answer without an ETag header.
	noETagOnPut bool
	// editBeforeWrite lists hrefs whose object "another client" edits just
	// before a PUT or DELETE reaches it (a new ETag), to test preconditions.
	editBeforeWrite map[string]bool
	srv             *httptest.Server
}

type fakeObject struct {
	body string
	etag string
}

type fakeRequest struct {
	Method string
	Path   string
	Header http.Header
}

const fakeCalendar = "/alice/work/"

func newFakeDAV(t *testing.T) *fakeDAV {
	t.Helper()
	f := &fakeDAV{objects: map[string]fakeObject{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// put stores an object directly (as another client would).
func (f *fakeDAV) put(href, body string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.etagSeq++
	tag := fmt.Sprintf(`"e%d"`, f.etagSeq)
	f.objects[href] = fakeObject{body: body, etag: tag}
	return tag
}

func (f *fakeDAV) del(href string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.objects, href)
}

func (f *fakeDAV) get(href string) (fakeObject, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.objects[href]
	return o, ok
}

func (f *fakeDAV) hrefs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for h := range f.objects {
		out = append(out, h)
	}
	sort.Strings(out)
	return out
}

func (f *fakeDAV) recorded() []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeRequest(nil), f.requests...)
}

func (f *fakeDAV) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, fakeRequest{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone()})
	if u, p, ok := r.BasicAuth(); !ok || u != "alice" || p != "secret" {
		w.Header().Set("WWW-Authenticate", `Basic realm="fake"`)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	switch r.Method {
	case "PROPFIND":
		f.propfind(w, r)
	case "REPORT":
		if r.URL.Path != fakeCalendar {
			http.NotFound(w, r)
			return
		}
		if !strings.Contains(string(body), "calendar-query") {
			http.Error(w, "unsupported report", http.StatusBadRequest)
			return
		}
		var b strings.Builder
		b.WriteString(`<?xml version="1.0"?><D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">`)
		for _, h := range sortedKeys(f.objects) {
			o := f.objects[h]
			b.WriteString(`<D:response><D:href>` + h + `</D:href><D:propstat><D:prop><D:getetag>` + xmlEscape(o.etag) +
				`</D:getetag><C:calendar-data>` + xmlEscape(o.body) + `</C:calendar-data></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`)
		}
		b.WriteString(`</D:multistatus>`)
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusMultiStatus)
		io.WriteString(w, b.String())
	case http.MethodGet:
		o, ok := f.objects[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/calendar")
		w.Header().Set("ETag", o.etag)
		io.WriteString(w, o.body)
	case http.MethodPut, http.MethodDelete:
		if o, ok := f.objects[r.URL.Path]; ok && f.editBeforeWrite[r.URL.Path] {
			f.etagSeq++
			o.etag = fmt.Sprintf(`"e%d"`, f.etagSeq)
			o.body = strings.Replace(o.body, "SUMMARY:", "SUMMARY:edited ", 1)
			f.objects[r.URL.Path] = o
		}
		if r.Method == http.MethodDelete {
			f.delete(w, r)
			return
		}
		if !strings.HasPrefix(r.URL.Path, fakeCalendar) {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		o, exists := f.objects[r.URL.Path]
		if r.Header.Get("If-None-Match") == "*" && exists {
			w.WriteHeader(http.StatusPreconditionFailed)
			return
		}
		if m := r.Header.Get("If-Match"); m != "" && (!exists || m != o.etag) {
			w.WriteHeader(http.StatusPreconditionFailed)
			return
		}
		f.etagSeq++
		tag := fmt.Sprintf(`"e%d"`, f.etagSeq)
		f.objects[r.URL.Path] = fakeObject{body: string(body), etag: tag}
		if !f.noETagOnPut {
			w.Header().Set("ETag", tag)
		}
		if exists {
			w.WriteHeader(http.StatusNoContent)
		} else {
			w.WriteHeader(http.StatusCreated)
		}
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (f *fakeDAV) delete(w http.ResponseWriter, r *http.Request) {
	o, exists := f.objects[r.URL.Path]
	if !exists {
		http.NotFound(w, r)
		return
	}
	if m := r.Header.Get("If-Match"); m != "" && m != o.etag {
		w.WriteHeader(http.StatusPreconditionFailed)
		return
	}
	delete(f.objects, r.URL.Path)
	w.WriteHeader(http.StatusNoContent)
}

func (f *fakeDAV) propfind(w http.ResponseWriter, r *http.Request) {
	depth := r.Header.Get("Depth")
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">`)
	principalProps := `<D:current-user-principal><D:href>/alice/</D:href></D:current-user-principal>` +
		`<C:calendar-home-set><D:href>/alice/</D:href></C:calendar-home-set>`
	switch {
	case depth == "0" && (r.URL.Path == "/" || r.URL.Path == "/alice/"):
		b.WriteString(`<D:response><D:href>` + r.URL.Path + `</D:href><D:propstat><D:prop>` + principalProps +
			`<D:resourcetype><D:collection/></D:resourcetype></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`)
	case depth == "1" && r.URL.Path == "/alice/":
		b.WriteString(`<D:response><D:href>/alice/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype>` +
			`</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`)
		b.WriteString(`<D:response><D:href>/alice/work/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype>` +
			`<D:displayname>Work</D:displayname><C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>` +
			`</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`)
	default:
		http.NotFound(w, r)
		return
	}
	b.WriteString(`</D:multistatus>`)
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusMultiStatus)
	io.WriteString(w, b.String())
}

func xmlEscape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
