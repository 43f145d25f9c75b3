package localapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Client talks to the running instance's API. Every connection it opens
// first passes the hello handshake (hello.go): the token goes only to a
// listener that proved it knows it.
type Client struct {
	base  string
	addr  string
	port  int
	token string
	http  *http.Client
}

// dialTimeout bounds Dial's first request: a running Lull answers its
// status at once, and a dead or foreign port must not hang the command
// line.
const dialTimeout = 2 * time.Second

// requestTimeout bounds every later request (a calendar sync can take a
// while).
const requestTimeout = 60 * time.Second

// Dial reads the discovery file in dir and checks that an instance answers.
// It returns ErrNotRunning when none does (no file, or a stale one left by a
// crash); a *NotLullError (which is ErrNotRunning too) when another
// program took the stale file's port.
func Dial(dir string) (*Client, error) {
	d, err := ReadDiscovery(dir)
	if err != nil {
		return nil, ErrNotRunning
	}
	c := NewClient(d.Port, d.Token)
	c.http.Timeout = dialTimeout
	if err := c.Do(http.MethodGet, "/v1/status", nil, nil); err != nil {
		var nl *NotLullError
		if errors.As(err, &nl) {
			return nil, nl
		}
		return nil, ErrNotRunning
	}
	c.http.Timeout = requestTimeout
	return c, nil
}

// NewClient returns a client for the API at 127.0.0.1:port.
func NewClient(port int, token string) *Client {
	addr := "127.0.0.1:" + strconv.Itoa(port)
	c := &Client{base: "http://" + addr, addr: addr, port: port, token: token}
	c.http = &http.Client{Timeout: requestTimeout, Transport: &http.Transport{
		DialContext:     c.dialVerified,
		MaxIdleConns:    4,
		IdleConnTimeout: 30 * time.Second,
	}}
	return c
}

// StatusError is an error answer from the API.
type StatusError struct {
	Code    int
	Message string
}

func (e *StatusError) Error() string { return fmt.Sprintf("Lull answered %d: %s", e.Code, e.Message) }

// Do sends body (JSON-encoded when not nil; raw when it is []byte) to path and
// decodes a JSON answer into out (when not nil; raw bytes when *[]byte).
func (c *Client) Do(method, path string, body, out any) error {
	return c.DoHeader(method, path, nil, body, out)
}

// DoRaw sends a request without a body and copies the answer's body to w.
func (c *Client) DoRaw(method, path string, w io.Writer) error {
	var data []byte
	if err := c.Do(method, path, nil, &data); err != nil {
		return err
	}
	_, err := w.Write(data)
	return err
}

// DoHeader is Do with extra request headers.
func (c *Client) DoHeader(method, path string, header map[string]string, body, out any) error {
	var rd io.Reader
	if raw, ok := body.([]byte); ok {
		rd = bytes.NewReader(raw)
	} else if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("local API: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("local API: %w", err)
	}
	if resp.StatusCode >= 300 {
		var e apiError
		if json.Unmarshal(data, &e) != nil || e.Error == "" {
			e.Error = string(data)
		}
		return &StatusError{Code: resp.StatusCode, Message: e.Error}
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
