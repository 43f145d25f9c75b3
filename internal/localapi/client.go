package localapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Client talks to the running instance's API. Every connection it opens
// first passes the hello handshake (hello.go): the token goes only to a
// listener that proved it knows it. The typed client in internal/api is
// built on it; this one knows methods, paths and JSON, not endpoints.
type Client struct {
	base  string
	addr  string
	port  int
	token string
	// http bounds each request by requestTimeout; stream has no overall
	// bound (an event stream lasts as long as its context) and shares the
	// verified transport.
	http   *http.Client
	stream *http.Client
}

// dialTimeout bounds Dial's check: a running Lull answers the handshake at
// once, and a dead or foreign port must not hang the command line.
const dialTimeout = 2 * time.Second

// requestTimeout bounds every request but streams, unless its context
// ends first (a calendar sync can take a while).
const requestTimeout = 60 * time.Second

// maxAnswer bounds the answer body the client reads: the largest real
// answers (a year's export, the plan) are far smaller, and a listener that
// is not Lull must not make the client read without end.
const maxAnswer = 64 << 20

// Dial reads the discovery file in dir and checks that an instance answers
// there: the hello handshake on a fresh connection. It returns
// ErrNotRunning when none does (no file, or a stale one left by a crash);
// a *NotLullError (which is ErrNotRunning too) when another program took
// the stale file's port.
func Dial(dir string) (*Client, error) {
	d, err := ReadDiscovery(dir)
	if err != nil {
		return nil, ErrNotRunning
	}
	c := NewClient(d.Port, d.Token)
	ctx, cancel := context.WithTimeout(context.Background(), dialTimeout)
	defer cancel()
	conn, err := c.dialVerified(ctx, "tcp", c.addr)
	if err != nil {
		var nl *NotLullError
		if errors.As(err, &nl) {
			return nil, nl
		}
		return nil, ErrNotRunning
	}
	conn.Close()
	return c, nil
}

// NewClient returns a client for the API at 127.0.0.1:port.
func NewClient(port int, token string) *Client {
	addr := "127.0.0.1:" + strconv.Itoa(port)
	c := &Client{base: "http://" + addr, addr: addr, port: port, token: token}
	tr := &http.Transport{
		DialContext:     c.dialVerified,
		MaxIdleConns:    4,
		IdleConnTimeout: 30 * time.Second,
	}
	c.http = &http.Client{Timeout: requestTimeout, Transport: tr}
	c.stream = &http.Client{Transport: tr}
	return c
}

// ErrorBody is the JSON of every error answer, {"error": ErrorBody}: a
// stable code for programs, the message in the user's words (never an
// HTTP status), and for a bad value the field it is about (the settings
// key or option name) with the parts of its *human.FieldError.
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	Label   string `json:"label,omitempty"`
	Value   string `json:"value,omitempty"`
	Problem string `json:"problem,omitempty"`
	Example string `json:"example,omitempty"`
}

// errorAnswer is the JSON body of an error answer.
type errorAnswer struct {
	Error ErrorBody `json:"error"`
}

// StatusError is an error answer from the API: its HTTP status (for
// programs; never shown) and body. It reads as the body's message.
type StatusError struct {
	Status int
	Body   ErrorBody
}

func (e *StatusError) Error() string { return e.Body.Message }

// Do sends body (JSON-encoded when not nil; raw when it is []byte) to path
// with the extra header, and decodes a JSON answer into out (when not nil;
// the raw bytes when it is *[]byte). An error answer is a *StatusError.
func (c *Client) Do(ctx context.Context, method, path string, header http.Header, body, out any) error {
	resp, err := c.send(ctx, c.http, method, path, header, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return fmt.Errorf("local API: %w", err)
	}
	switch o := out.(type) {
	case nil:
		return nil
	case *[]byte:
		*o = data
		return nil
	default:
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("local API %s: bad answer: %w", path, err)
		}
	}
	return nil
}

// Stream sends a GET to path and returns the answer's body to read as it
// comes, for as long as ctx lasts (no request timeout applies). An error
// answer is a *StatusError.
func (c *Client) Stream(ctx context.Context, path string, header http.Header) (io.ReadCloser, error) {
	resp, err := c.send(ctx, c.stream, http.MethodGet, path, header, nil)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// send makes the request and turns an error answer into a *StatusError.
func (c *Client) send(ctx context.Context, hc *http.Client, method, path string, header http.Header, body any) (*http.Response, error) {
	var rd io.Reader
	if raw, ok := body.([]byte); ok {
		rd = bytes.NewReader(raw)
	} else if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		var nl *NotLullError
		if errors.As(err, &nl) {
			return nil, nl
		}
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Op == "dial" && ctx.Err() == nil {
			// It answered when the client was made: it has stopped since.
			return nil, fmt.Errorf("%w (it no longer answers on port %d)", ErrNotRunning, c.port)
		}
		return nil, fmt.Errorf("local API: %w", err)
	}
	if resp.StatusCode < 300 {
		return resp, nil
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, fmt.Errorf("local API: %w", err)
	}
	var e errorAnswer
	if json.Unmarshal(data, &e) != nil || e.Error.Message == "" {
		e.Error = ErrorBody{Message: fmt.Sprintf("Lull refused the request: %s", bytes.TrimSpace(data))}
	}
	return nil, &StatusError{Status: resp.StatusCode, Body: e.Error}
}
