package localapi

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// The hello handshake: before a client sends the token to the port named
// in the discovery file, the listener there must prove it knows the token.
// The client sends a fresh random nonce (GET HelloPath?nonce=…, no token);
// Lull answers with HMAC-SHA256(token, helloLabel | port | nonce). A
// program that took the port after Lull crashed cannot compute it, so it
// never sees the token; the port in the proof keeps a relay to a Lull on
// another port from passing the proof on. The client checks every new
// connection this way before the first request with the token goes out.

// HelloPath is the only endpoint served without the token: the handshake.
const HelloPath = "/v1/hello"

// NonceSize is the size of the client's challenge in bytes: 32 random
// bytes make a repeat (and so a replayed proof) impossible in practice.
const NonceSize = 32

// maxHelloAnswer bounds the handshake answer the client reads: Lull's is
// under 200 bytes, and a listener that is not Lull must not make the
// client read without end.
const maxHelloAnswer = 4 << 10

// helloTimeout bounds one handshake (less when the request has an earlier
// deadline): Lull answers at once on the loopback, and a listener that
// accepts but never answers must not hang the CLI.
const helloTimeout = 2 * time.Second

// helloLabel separates the handshake's HMAC from any other use of the
// token.
const helloLabel = "lull-api-hello-v1"

// helloAnswer is the JSON body of the handshake answer.
type helloAnswer struct {
	Proof string `json:"proof"`
}

// helloProof is what a listener that knows token answers to nonce on port.
func helloProof(token string, port int, nonce []byte) []byte {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte(helloLabel))
	m.Write([]byte{0})
	m.Write([]byte(strconv.Itoa(port)))
	m.Write([]byte{0})
	m.Write(nonce)
	return m.Sum(nil)
}

// serveHello answers the handshake.
func (s *Server) serveHello(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		refuse(w, http.StatusMethodNotAllowed, CodeBadRequest, "use GET")
		return
	}
	nonce, err := hex.DecodeString(r.URL.Query().Get("nonce"))
	if err != nil || len(nonce) != NonceSize {
		refuse(w, http.StatusBadRequest, CodeBadRequest, fmt.Sprintf("nonce must be %d random bytes in hex", NonceSize))
		return
	}
	if s.token == "" {
		refuse(w, http.StatusServiceUnavailable, CodeUnauthorized, "no token")
		return
	}
	WriteJSON(w, http.StatusOK, helloAnswer{Proof: hex.EncodeToString(helloProof(s.token, s.port, nonce))})
}

// NotLullError says the listener on the discovery file's port did not
// prove it is Lull: the file is stale and another program has the port.
// It wraps ErrNotRunning.
type NotLullError struct {
	Port   int
	Reason string
}

func (e *NotLullError) Error() string {
	return fmt.Sprintf("Lull is not running (a stale %s pointed at port %d, now used by another program)", DiscoveryFile, e.Port)
}

// Unwrap makes errors.Is(err, ErrNotRunning) hold.
func (e *NotLullError) Unwrap() error { return ErrNotRunning }

// dialVerified dials the API's port and runs the handshake on the new
// connection; only a connection whose listener proved it knows the token
// is handed to the HTTP transport (and so ever carries the token).
func (c *Client) dialVerified(ctx context.Context, network, _ string) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, c.addr)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(helloTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	if err := hello(conn, c.port, c.token, deadline); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// hello runs the handshake on conn, which then stays open for requests.
// It gives up at deadline.
func hello(conn net.Conn, port int, token string, deadline time.Time) error {
	notLull := func(format string, a ...any) error {
		return &NotLullError{Port: port, Reason: fmt.Sprintf(format, a...)}
	}
	nonce := make([]byte, NonceSize)
	if _, err := rand.Read(nonce); err != nil {
		return fmt.Errorf("local API handshake: %w", err)
	}
	if err := conn.SetDeadline(deadline); err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1:"+strconv.Itoa(port)+HelloPath+"?nonce="+hex.EncodeToString(nonce), nil)
	if err != nil {
		return err
	}
	if err := req.Write(conn); err != nil {
		return fmt.Errorf("local API handshake: %w", err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, req)
	if isTimeout(err) {
		// A busy Lull and a silent stranger look alike: no verdict.
		return fmt.Errorf("local API handshake: no answer within %v: %w", helloTimeout, err)
	}
	if err != nil {
		return notLull("no HTTP answer to the handshake: %v", err)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxHelloAnswer+1))
	resp.Body.Close()
	if err != nil {
		return notLull("reading the handshake answer: %v", err)
	}
	if resp.StatusCode != http.StatusOK || len(body) > maxHelloAnswer || br.Buffered() > 0 || resp.Close {
		return notLull("handshake answered %d with %d bytes", resp.StatusCode, len(body))
	}
	var a helloAnswer
	if json.Unmarshal(body, &a) != nil {
		return notLull("handshake answer is not JSON")
	}
	got, err := hex.DecodeString(a.Proof)
	if err != nil || !hmac.Equal(got, helloProof(token, port, nonce)) {
		return notLull("wrong handshake proof")
	}
	return conn.SetDeadline(time.Time{})
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
