package notify

import (
	"strings"
	"testing"
	"time"
)

func TestBodyText(t *testing.T) {
	tests := []struct {
		in            string
		markup, plain string
	}{
		{"Mail 9 · CI 3", "Mail 9 · CI 3", "Mail 9 · CI 3"},
		{"<b>CI</b> 3", "&lt;b&gt;CI&lt;/b&gt; 3", "<b>CI</b> 3"},
		{"Q&A 1 · <a href=\"x\">x</a> 2", "Q&amp;A 1 · &lt;a href=\"x\"&gt;x&lt;/a&gt; 2", "Q&A 1 · <a href=\"x\">x</a> 2"},
		{"&amp; already", "&amp;amp; already", "&amp; already"},
	}
	for _, tt := range tests {
		if got := bodyText(tt.in, true); got != tt.markup {
			t.Errorf("bodyText(%q, markup) = %q, want %q", tt.in, got, tt.markup)
		}
		if got := bodyText(tt.in, false); got != tt.plain {
			t.Errorf("bodyText(%q, plain) = %q, want %q", tt.in, got, tt.plain)
		}
	}
}

type fixedCaps bool

func (c fixedCaps) BodyMarkup() bool { return bool(c) }

// TestDigestAndBreakthroughBodiesEscaped: a digest whose sources hold
// markup, and a breakthrough whose body does, reach a server that reads
// markup escaped, and one that does not as they are.
func TestDigestAndBreakthroughBodiesEscaped(t *testing.T) {
	for _, markup := range []bool{true, false} {
		r := newRig(t, mon, Config{}, false)
		rec := r.rec
		r.svc.d.Sender = plainSender{next: rec, caps: fixedCaps(markup)}
		r.focus.set(true, time.Time{})
		r.submit(t, apiN("<b>CI</b>", "build"), apiN("Q&A", "hi"))
		n := apiN("<i>pager</i>", "down")
		n.Priority, n.Body = PriorityUrgent, "<a href='x'>see</a> & go"
		r.submit(t, n)
		if _, _, err := r.svc.DeliverNow(); err != nil {
			t.Fatal(err)
		}
		msgs := rec.Sent()
		if len(msgs) != 2 {
			t.Fatalf("markup %v: sent %+v, want a breakthrough and a digest", markup, msgs)
		}
		// The breakthrough says why it was let through; the digest names
		// each source's top titles.
		want := []string{"Let through: urgent\n<a href='x'>see</a> & go", "<b>CI</b>: build · Q&A: hi"}
		if markup {
			want = []string{"Let through: urgent\n&lt;a href='x'&gt;see&lt;/a&gt; &amp; go", "&lt;b&gt;CI&lt;/b&gt;: build · Q&amp;A: hi"}
		}
		for i, m := range msgs {
			if m.Body != want[i] {
				t.Errorf("markup %v: message %d body %q, want %q", markup, i, m.Body, want[i])
			}
			if strings.Contains(m.Title, "&lt;") {
				t.Errorf("markup %v: summary %q escaped (it is plain text by the specification)", markup, m.Title)
			}
		}
	}
}
