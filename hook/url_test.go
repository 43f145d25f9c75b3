package hook

import (
	"errors"
	"strings"
	"testing"
)

// TestCheckURL: HTTPS anywhere, plain HTTP only to a loopback address or
// "localhost" exactly; look-alikes are refused, and no error quotes the
// secret part of the address.
func TestCheckURL(t *testing.T) {
	for _, tc := range []struct {
		raw    string
		ok     bool
		target string
	}{
		{"https://hooks.example.com/services/T0/B0/secretpath?token=s3cr3t", true, "https://hooks.example.com"},
		{"HTTPS://Hooks.Example.com/x", true, "https://Hooks.Example.com"},
		{"https://user:pa55word@hooks.example.com/x", true, "https://hooks.example.com"},
		{"http://127.0.0.1:8080/lull", true, "http://127.0.0.1:8080"},
		{"http://127.1.2.3/lull", true, "http://127.1.2.3"},
		{"http://[::1]:9000/lull", true, "http://[::1]:9000"},
		{"http://localhost:5000/x", true, "http://localhost:5000"},
		{"http://LOCALHOST/x", true, "http://LOCALHOST"},
		{"http://[::ffff:127.0.0.1]/x", true, "http://[::ffff:127.0.0.1]"},
		// Look-alikes: names DNS answers for, or not the host at all.
		{"http://localhost./x", false, ""},
		{"http://127.0.0.1.nip.io/x", false, ""},
		{"http://localhost.evil.com/x", false, ""},
		{"http://127.0.0.1@evil.com/x", false, ""},
		{"http://evil.com#@127.0.0.1/x", false, ""},
		{"http://evil.com\\@127.0.0.1/x", false, ""},
		{"http://2130706433/x", false, ""},
		{"http://0x7f.0.0.1/x", false, ""},
		{"http://127.1/x", false, ""},
		{"http://0.0.0.0/x", false, ""},
		{"http://[::]/x", false, ""},
		{"http://[fe80::1%25lo]/x", false, ""},
		{"http://10.0.0.5/x", false, ""},
		{"http://192.168.1.2:8123/api/webhook/secret", false, ""},
		{"http://hooks.example.com/x", false, ""},
		// Not web addresses.
		{"", false, ""},
		{"   ", false, ""},
		{"ftp://127.0.0.1/x", false, ""},
		{"file:///etc/passwd", false, ""},
		{"javascript:alert(1)", false, ""},
		{"hooks.example.com/x", false, ""},
		{"https://", false, ""},
		{"https:///path", false, ""},
		{"http://[::1/x", false, ""},
	} {
		u, err := CheckURL(tc.raw)
		if tc.ok != (err == nil) {
			t.Errorf("CheckURL(%q) = %v, want ok=%v", tc.raw, err, tc.ok)
			continue
		}
		if err != nil {
			if !errors.Is(err, ErrBadHook) {
				t.Errorf("CheckURL(%q): %v is not ErrBadHook", tc.raw, err)
			}
			for _, secret := range []string{"/x", "secret", "/api/webhook"} {
				if strings.Contains(tc.raw, secret) && strings.Contains(err.Error(), secret) {
					t.Errorf("CheckURL(%q): the error quotes %q: %v", tc.raw, secret, err)
				}
			}
			continue
		}
		if got := Target(u); got != tc.target {
			t.Errorf("Target(%q) = %q, want %q", tc.raw, got, tc.target)
		}
	}
}
