package notify

import "strings"

// Lull's own notifications are plain text: a source, an app name or a
// title may hold "<", ">" or "&" (a sender's "<b>urgent</b>", a mail
// subject "Q&A"), and none of it is meant as markup. A freedesktop
// notification server that advertises the "body-markup" capability reads
// the body as markup, so there the body is escaped; the summary is plain
// text by the specification and is sent as it is. Servers without the
// capability show the body as it is, so it is sent unescaped.

// bodyMarkupCap is the freedesktop capability of servers that read
// markup in the body.
const bodyMarkupCap = "body-markup"

// markupEscaper escapes what the freedesktop body markup (a small XML
// subset) would read as markup.
var markupEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// bodyText is m's body as sent to a server that reads markup in the body
// (markup true) or does not.
func bodyText(body string, markup bool) string {
	if !markup {
		return body
	}
	return markupEscaper.Replace(body)
}

// markupCaps says whether the desktop's notification server reads markup
// in the body; *Bus is one.
type markupCaps interface {
	BodyMarkup() bool
}

// plainSender hands next messages whose body is escaped where the server
// reads markup, for senders (beeep) that pass the body on as it is.
type plainSender struct {
	next Sender
	caps markupCaps
}

func (p plainSender) Send(m Message) error {
	m.Body = bodyText(m.Body, p.caps.BodyMarkup())
	return p.next.Send(m)
}
