package hook

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/lullapp/lull/internal/human"
)

// WebhookTimeout bounds one try of a webhook, connection and answer
// together: a receiver that takes longer is down or overloaded, and a
// try that waits longer only delays the next event.
const WebhookTimeout = 5 * time.Second

// WebhookRetries is how many times a failed webhook is tried again before
// Lull gives up on the event: enough to ride out a receiver restarting,
// few enough that a dead one costs seconds, not minutes.
const WebhookRetries = 3

// WebhookBackoff is the wait before the first retry; each further retry
// waits twice as long (1 s, 2 s, 4 s).
const WebhookBackoff = time.Second

// MaxRedirects is how many redirects a webhook may answer with: a moved
// receiver needs one or two, a loop needs them all.
const MaxRedirects = 3

// maxAnswer is how much of a webhook's answer is read (and thrown away) so
// the connection can be used again; a larger answer is cut off.
const maxAnswer = 64 << 10

// errRedirectRefused marks a redirect that leaves the webhook rule.
var errRedirectRefused = errors.New("redirect refused")

// newHTTPClient is the client webhooks are sent with: each redirect is
// checked by CheckURL, "localhost" is dialled on loopback addresses only
// (never asked of DNS), and proxies are used as the environment says
// (never for this computer).
func newHTTPClient() *http.Client {
	d := &net.Dialer{Timeout: WebhookTimeout}
	tr := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err == nil && strings.EqualFold(host, "localhost") {
				c, err := d.DialContext(ctx, network, net.JoinHostPort("127.0.0.1", port))
				if err != nil {
					if c6, err6 := d.DialContext(ctx, network, net.JoinHostPort("::1", port)); err6 == nil {
						return c6, nil
					}
				}
				return c, err
			}
			return d.DialContext(ctx, network, addr)
		},
		TLSHandshakeTimeout:   WebhookTimeout,
		ResponseHeaderTimeout: WebhookTimeout,
		MaxIdleConns:          4,
		IdleConnTimeout:       30 * time.Second,
	}
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > MaxRedirects {
				return fmt.Errorf("%w: more than %d redirects", errRedirectRefused, MaxRedirects)
			}
			if _, err := CheckURL(req.URL.String()); err != nil {
				return fmt.Errorf("%w: it sent Lull on to %s, which the webhook rule does not allow", errRedirectRefused, Target(req.URL))
			}
			return nil
		},
	}
}

// postOnce sends body to raw once, within timeout. retry says whether
// trying again could help (the receiver was unreachable, slow, or said it
// failed); reason says in words what happened, never quoting raw.
func postOnce(ctx context.Context, client *http.Client, raw string, p Payload, body []byte, version string, timeout time.Duration) (ok, retry bool, reason string) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, raw, bytes.NewReader(body))
	if err != nil {
		return false, false, "its address cannot be used"
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Lull/"+version)
	req.Header.Set("X-Lull-Event", p.Event)
	req.Header.Set("X-Lull-Event-Id", p.ID)
	resp, err := client.Do(req)
	if err != nil {
		return false, !errors.Is(err, errRedirectRefused), sendProblem(err, raw, timeout)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return true, false, "delivered"
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return false, false, "the receiver sent Lull elsewhere without saying where"
	case resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode == http.StatusTooManyRequests:
		return false, true, "the receiver was busy (" + statusWords(resp.StatusCode) + ")"
	case resp.StatusCode >= 500:
		return false, true, "the receiver failed (" + statusWords(resp.StatusCode) + ")"
	}
	return false, false, "the receiver refused it (" + statusWords(resp.StatusCode) + ")"
}

// statusWords is an HTTP status in words ("Not Found"), not its number.
func statusWords(code int) string {
	if t := http.StatusText(code); t != "" {
		return strings.ToLower(t)
	}
	return "an unknown answer"
}

// sendProblem says why a POST failed, in words: net/http's own message
// quotes the whole address, which is a secret, so it is never used as it
// is.
func sendProblem(err error, raw string, timeout time.Duration) string {
	// The host of the address that failed: after a redirect, that is not
	// raw's.
	host := "the receiver"
	where := raw
	if ue := (*url.Error)(nil); errors.As(err, &ue) {
		where = ue.URL
	}
	if u, perr := url.Parse(where); perr == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	var (
		dnsErr  *net.DNSError
		opErr   *net.OpError
		unknown x509.UnknownAuthorityError
		invalid x509.CertificateInvalidError
		hostErr x509.HostnameError
		tlsErr  tls.RecordHeaderError
	)
	switch {
	case errors.Is(err, errRedirectRefused):
		var ue *url.Error
		if errors.As(err, &ue) {
			return strings.TrimPrefix(ue.Err.Error(), errRedirectRefused.Error()+": ")
		}
		return "it sent Lull on to an address the webhook rule does not allow"
	case errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return fmt.Sprintf("no answer from %s within %s", host, human.Duration(timeout))
	case errors.Is(err, context.Canceled):
		return "stopped because Lull was quitting"
	case errors.As(err, &dnsErr):
		return host + " was not found (check the address)"
	case errors.As(err, &unknown), errors.As(err, &invalid), errors.As(err, &hostErr):
		return "the certificate of " + host + " is not trusted"
	case errors.As(err, &tlsErr):
		return host + " does not speak HTTPS there"
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return "could not connect to " + host + " (is the receiver running?)"
	}
	return "could not send it to " + host
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
