// Package localapi is the transport of Lull's HTTP API on the loopback
// interface: the guarded server the running app mounts its routes on, the
// discovery file that tells other processes its port and token, the hello
// handshake, the API token, the error envelope and a client that knows
// methods, paths and JSON. The endpoints themselves, their types, errors
// and the typed client are internal/api's.
//
// Every request passes the same guard: Host must name the loopback address
// and our port (DNS rebinding), no Origin header (browsers), a bearer token,
// and a body of at most MaxBody bytes. The one exception to the token is
// the hello handshake (HelloPath), by which the client checks that the
// listener is Lull before it sends the token.
package localapi

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxBody is the largest request body the API accepts.
const MaxBody = 64 << 10

// Server is the loopback HTTP server. Handlers are mounted with Handle before
// Start.
type Server struct {
	mux   *http.ServeMux
	token string
	ln    net.Listener
	srv   *http.Server
	port  int
}

// NewServer returns a server that requires token on every request.
func NewServer(token string) *Server {
	return &Server{mux: http.NewServeMux(), token: token}
}

// Handle mounts h at pattern (http.ServeMux syntax, e.g. "GET /v1/status").
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// HandleFunc mounts f at pattern.
func (s *Server) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request)) {
	s.mux.HandleFunc(pattern, f)
}

// Start listens on 127.0.0.1 at a free port and serves in the background
// until Close.
func (s *Server) Start() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("local API: listen on 127.0.0.1: %w", err)
	}
	s.ln = ln
	s.port = ln.Addr().(*net.TCPAddr).Port
	s.srv = &http.Server{
		Handler:           s.guard(s.mux),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	go s.srv.Serve(ln) //nolint:errcheck // returns ErrServerClosed on Close
	return nil
}

// Port returns the port Start bound.
func (s *Server) Port() int { return s.port }

// Handler returns the guarded handler, for tests that serve it themselves.
func (s *Server) Handler(port int) http.Handler {
	s.port = port
	return s.guard(s.mux)
}

// Close stops accepting requests and waits up to the context's deadline for
// running ones.
func (s *Server) Close(ctx context.Context) error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Shutdown(ctx)
}

// guard applies the loopback API's checks, in the order: Host and Origin
// (403), the handshake (answered without a token), token (401), body size
// (413).
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.hostAllowed(r.Host) {
			refuse(w, http.StatusForbidden, CodeForbidden, "forbidden host header")
			return
		}
		if _, ok := r.Header["Origin"]; ok {
			refuse(w, http.StatusForbidden, CodeForbidden, "cross-origin requests are not allowed")
			return
		}
		if r.URL.Path == HelloPath {
			s.serveHello(w, r)
			return
		}
		if !s.tokenOK(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="lull"`)
			refuse(w, http.StatusUnauthorized, CodeUnauthorized, "missing or wrong token")
			return
		}
		if r.ContentLength > MaxBody {
			refuse(w, http.StatusRequestEntityTooLarge, CodeTooLarge, tooLarge())
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
			if err != nil {
				refuse(w, http.StatusBadRequest, CodeBadRequest, "reading the request: "+err.Error())
				return
			}
			if len(body) > MaxBody {
				refuse(w, http.StatusRequestEntityTooLarge, CodeTooLarge, tooLarge())
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) hostAllowed(host string) bool {
	h, p, err := net.SplitHostPort(host)
	if err != nil {
		return false
	}
	if n, err := strconv.Atoi(p); err != nil || n != s.port {
		return false
	}
	return h == "127.0.0.1" || strings.EqualFold(h, "localhost")
}

func (s *Server) tokenOK(r *http.Request) bool {
	got := ""
	if auth := r.Header.Get("Authorization"); strings.HasPrefix(auth, "Bearer ") {
		got = strings.TrimPrefix(auth, "Bearer ")
	} else if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, ".ics") {
		// Calendar apps subscribe to a feed URL and cannot send headers.
		got = r.URL.Query().Get("token")
	}
	return got != "" && s.token != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) == 1
}

// Codes of the guard's refusals (ErrorBody.Code): requests that never
// reach a handler. Handlers answer with the codes of internal/api's error
// table.
const (
	CodeForbidden    = "forbidden"
	CodeUnauthorized = "unauthorized"
	CodeTooLarge     = "too_large"
	CodeBadRequest   = "bad_request"
)

// tooLarge is the message of a body over MaxBody.
func tooLarge() string { return fmt.Sprintf("the request is larger than %d KiB", MaxBody>>10) }

// WriteError answers with status and body as {"error": body}.
func WriteError(w http.ResponseWriter, status int, body ErrorBody) {
	WriteJSON(w, status, errorAnswer{Error: body})
}

// refuse answers a request the guard or the handshake turns away.
func refuse(w http.ResponseWriter, status int, code, msg string) {
	WriteError(w, status, ErrorBody{Code: code, Message: msg})
}

// ErrNotRunning means no Lull instance answers on the local API.
var ErrNotRunning = errors.New("Lull is not running")
