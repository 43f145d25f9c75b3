package calendar

import (
	"errors"
	"testing"
)

// TestParseCollectionTag: the sync-token wins over getctag, a property the
// server could not give (404 propstat) is no tag, neither is no tag (""),
// and a body that is not a multistatus is an error.
func TestParseCollectionTag(t *testing.T) {
	const head = `<?xml version="1.0"?><D:multistatus xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/"><D:response><D:href>/c/</D:href>`
	const tail = `</D:response></D:multistatus>`
	ok := func(props string) string {
		return `<D:propstat><D:prop>` + props + `</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>`
	}
	missing := func(props string) string {
		return `<D:propstat><D:prop>` + props + `</D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>`
	}
	cases := []struct {
		name, body, want string
		bad              bool
	}{
		{"both", head + ok(`<D:sync-token>http://radicale.org/ns/sync/abc</D:sync-token><CS:getctag>"e1"</CS:getctag>`) + tail, "sync-token http://radicale.org/ns/sync/abc", false},
		{"ctag only", head + ok(`<CS:getctag>"e1"</CS:getctag>`) + missing(`<D:sync-token/>`) + tail, `ctag "e1"`, false},
		{"token only", head + ok(`<D:sync-token> t2 </D:sync-token>`) + missing(`<CS:getctag/>`) + tail, "sync-token t2", false},
		{"neither", head + missing(`<D:sync-token/><CS:getctag/>`) + tail, "", false},
		{"404 with a value is still no tag", head + missing(`<CS:getctag>stale</CS:getctag>`) + tail, "", false},
		{"not xml", "<html>oops", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseCollectionTag([]byte(c.body))
			if c.bad {
				if !errors.Is(err, ErrSourceHTTP) {
					t.Fatalf("err = %v, want ErrSourceHTTP", err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
}
