package localapi

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// recording is a loopback listener that keeps every byte any client sent
// it, to prove what reached it.
type recording struct {
	net.Listener
	mu  sync.Mutex
	got bytes.Buffer
}

func listenRecording(t *testing.T) *recording {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &recording{Listener: ln}
	t.Cleanup(func() { ln.Close() })
	return r
}

func (r *recording) port() int { return r.Addr().(*net.TCPAddr).Port }

func (r *recording) Accept() (net.Conn, error) {
	c, err := r.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &recConn{Conn: c, r: r}, nil
}

func (r *recording) bytes() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return bytes.Clone(r.got.Bytes())
}

type recConn struct {
	net.Conn
	r *recording
}

func (c *recConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.r.mu.Lock()
	c.r.got.Write(p[:n])
	c.r.mu.Unlock()
	return n, err
}

// serveRaw answers every connection with f, which reads and writes the
// raw bytes.
func (r *recording) serveRaw(f func(net.Conn)) {
	go func() {
		for {
			c, err := r.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				f(c)
			}()
		}
	}()
}

func (r *recording) serveHTTP(h http.Handler) {
	go http.Serve(r, h) //nolint:errcheck // ends when the test closes the listener
}

// TestStaleDiscoveryNeverLeaksTheToken: after a crash, api.json names a
// port another program now listens on. Whatever that program answers, the
// client sends it no token (not in a header, the query or a body), Dial
// says Lull is not running and names the port, and later requests through
// a client made for that port send nothing either.
func TestStaleDiscoveryNeverLeaksTheToken(t *testing.T) {
	// A real Lull on another port, for the relay below.
	realPort := startTestServer(t)
	relay := func(w http.ResponseWriter, r *http.Request) {
		// Passes the request on to the real Lull (as a proxy would), Host
		// rewritten so its guard lets it through.
		u := *r.URL
		u.Scheme, u.Host = "http", "127.0.0.1:"+strconv.Itoa(realPort)
		req, _ := http.NewRequest(r.Method, u.String(), r.Body)
		req.Header = r.Header.Clone()
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			http.Error(w, err.Error(), 502)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}
	cases := []struct {
		name   string
		start  func(r *recording)
		silent bool
	}{
		{"web server answering 200 to everything", func(r *recording) {
			r.serveHTTP(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"ok":true,"proof":"00"}`)
			}))
		}, false},
		{"imitates Lull's 401", func(r *recording) {
			r.serveHTTP(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="lull"`)
				WriteError(w, http.StatusUnauthorized, ErrorBody{Code: CodeUnauthorized, Message: "missing or wrong token"})
			}))
		}, false},
		{"answers the handshake with a made-up proof", func(r *recording) {
			r.serveHTTP(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				nonce, _ := hex.DecodeString(req.URL.Query().Get("nonce"))
				WriteJSON(w, 200, helloAnswer{Proof: hex.EncodeToString(helloProof("guessed", r.port(), nonce))})
			}))
		}, false},
		{"echoes the nonce as proof", func(r *recording) {
			r.serveHTTP(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				WriteJSON(w, 200, helloAnswer{Proof: req.URL.Query().Get("nonce")})
			}))
		}, false},
		{"relays to a real Lull on another port", func(r *recording) { r.serveHTTP(http.HandlerFunc(relay)) }, false},
		{"closes at once", func(r *recording) { r.serveRaw(func(net.Conn) {}) }, false},
		{"reads and answers garbage", func(r *recording) {
			r.serveRaw(func(c net.Conn) {
				bufio.NewReader(c).ReadString('\n')
				io.WriteString(c, "SSH-2.0-OpenSSH_9.2\r\n")
			})
		}, false},
		{"a second answer after the handshake's", func(r *recording) {
			r.serveRaw(func(c net.Conn) {
				br := bufio.NewReader(c)
				req, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				nonce, _ := hex.DecodeString(req.URL.Query().Get("nonce"))
				body := fmt.Sprintf(`{"proof":%q}`, hex.EncodeToString(helloProof("guessed", r.port(), nonce)))
				fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%sHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", len(body), body)
				io.Copy(io.Discard, br)
			})
		}, false},
		{"never answers", func(r *recording) {
			r.serveRaw(func(c net.Conn) { io.Copy(io.Discard, c) })
		}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := listenRecording(t)
			tc.start(fake)
			dir := t.TempDir()
			if err := WriteDiscovery(dir, Discovery{Port: fake.port(), Token: testToken, PID: 1}); err != nil {
				t.Fatal(err)
			}
			cl, err := Dial(dir)
			if cl != nil || !errors.Is(err, ErrNotRunning) {
				t.Fatalf("Dial = %v, %v; want ErrNotRunning", cl, err)
			}
			var nl *NotLullError
			if tc.silent {
				// No answer in time: as well a busy Lull, so no verdict.
			} else if !errors.As(err, &nl) {
				t.Errorf("Dial = %v, want a NotLullError", err)
			} else {
				for _, want := range []string{"Lull is not running", "stale api.json", "port " + strconv.Itoa(fake.port())} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q lacks %q", err, want)
					}
				}
			}
			// A client made for the port directly sends nothing either,
			// whatever the request.
			c := NewClient(fake.port(), testToken)
			c.http.Timeout = 5 * time.Second
			if err := c.Do(t.Context(), http.MethodPost, "/v1/notifications", nil, map[string]string{"title": "x"}, nil); err == nil {
				t.Error("POST through a foreign listener succeeded")
			}
			time.Sleep(50 * time.Millisecond) // let the recorder see the last bytes
			got := fake.bytes()
			for _, leak := range []string{testToken, url.QueryEscape(testToken), strings.ToUpper(testToken)} {
				if bytes.Contains(got, []byte(leak)) {
					t.Fatalf("the token reached the foreign listener:\n%s", got)
				}
			}
			if bytes.Contains(bytes.ToLower(got), []byte("authorization")) {
				t.Fatalf("an Authorization header reached the foreign listener:\n%s", got)
			}
		})
	}
}

// TestHandshakeAgainstLull: the real server passes the handshake on every
// new connection, requests then carry the token, and the handshake
// itself needs no token but keeps the Host and Origin checks.
func TestHandshakeAgainstLull(t *testing.T) {
	port := startTestServer(t)
	p := strconv.Itoa(port)
	c := NewClient(port, testToken)
	for i := range 3 {
		var out map[string]any
		if err := c.Do(t.Context(), "GET", "/v1/status", nil, nil, &out); err != nil || out["ok"] != true {
			t.Fatalf("request %d: %v %v", i, out, err)
		}
		c.http.CloseIdleConnections() // the next request dials and verifies again
	}
	nonce := strings.Repeat("ab", NonceSize)
	tests := []struct {
		name, path, host, origin string
		want                     int
	}{
		{"handshake without token", HelloPath + "?nonce=" + nonce, "127.0.0.1:" + p, "", 200},
		{"short nonce", HelloPath + "?nonce=abcd", "127.0.0.1:" + p, "", 400},
		{"no nonce", HelloPath, "127.0.0.1:" + p, "", 400},
		{"foreign host", HelloPath + "?nonce=" + nonce, "evil.example:" + p, "", 403},
		{"origin", HelloPath + "?nonce=" + nonce, "127.0.0.1:" + p, "http://evil.example", 403},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest("GET", "http://127.0.0.1:"+p+tt.path, nil)
		req.Host = tt.host
		if tt.origin != "" {
			req.Header.Set("Origin", tt.origin)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s: %d %s, want %d", tt.name, resp.StatusCode, body, tt.want)
		}
		if tt.want == 200 {
			raw, _ := hex.DecodeString(nonce)
			if !strings.Contains(string(body), hex.EncodeToString(helloProof(testToken, port, raw))) {
				t.Errorf("%s: answer %s lacks the proof", tt.name, body)
			}
			if strings.Contains(string(body), testToken) {
				t.Errorf("the handshake answer holds the token: %s", body)
			}
		}
	}
}
