package hook

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// CheckURL applies the webhook rule to raw: HTTPS to any host, or plain
// HTTP only to this computer, named by a loopback address (127.0.0.0/8,
// ::1) or "localhost" exactly. Anything else on plain HTTP would carry the
// event, and the secret address itself, readable over the network. Every
// redirect a webhook answers with is checked again by the same rule.
//
// A host that merely looks local is refused on HTTP: "localhost." and
// "127.0.0.1.nip.io" are names a DNS server answers for, and
// "http://127.0.0.1@evil.com" is a request to evil.com. Errors never quote
// the address (it is a secret); they name its scheme and host at most.
func CheckURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, fmt.Errorf("%w: the webhook address is empty (e.g. https://hooks.example.com/lull)", ErrBadHook)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: the webhook address is not a web address (e.g. https://hooks.example.com/lull)", ErrBadHook)
	}
	if u.Opaque != "" || u.Host == "" {
		return nil, fmt.Errorf("%w: the webhook address has no host (e.g. https://hooks.example.com/lull)", ErrBadHook)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		if u.Hostname() == "" {
			return nil, fmt.Errorf("%w: the webhook address has no host (e.g. https://hooks.example.com/lull)", ErrBadHook)
		}
		return u, nil
	case "http":
		if !Loopback(u.Hostname()) {
			return nil, fmt.Errorf("%w: plain http:// goes only to this computer (127.0.0.1, ::1 or localhost), not to %s: "+
				"use https:// (e.g. https://%s/…)", ErrBadHook, hostWords(u), hostWords(u))
		}
		return u, nil
	}
	return nil, fmt.Errorf("%w: a webhook address starts with https:// (or http:// to this computer), not %q", ErrBadHook, u.Scheme+"://")
}

// Loopback reports whether host (as url.URL.Hostname gives it: no port, no
// brackets) names this computer without asking DNS: "localhost" exactly,
// or a literal address in 127.0.0.0/8 or ::1 written the ordinary way.
func Loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	if err != nil || a.Zone() != "" {
		return false
	}
	return a.Unmap().IsLoopback()
}

// hostWords is the host of u for messages ("nothing" when empty).
func hostWords(u *url.URL) string {
	if h := u.Hostname(); h != "" {
		return h
	}
	return "nothing"
}

// Target is how a webhook is shown: its scheme and host only ("https://
// hooks.example.com"), never the path or query that make it secret.
func Target(u *url.URL) string {
	return strings.ToLower(u.Scheme) + "://" + u.Host
}
