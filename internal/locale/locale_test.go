package locale

import "testing"

func TestFix(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{"LANG": "C.UTF-8"}, true},
		{map[string]string{"LC_ALL": "POSIX.utf8", "LANG": "de_DE.UTF-8"}, true},
		{map[string]string{"LC_MESSAGES": "C.UTF-8"}, true},
		{map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "de"}, false},
		{map[string]string{"LANG": "C"}, false}, // go-locale handles plain C
		{map[string]string{"LANG": "en_US.UTF-8"}, false},
		{map[string]string{"LC_ALL": "de_DE.UTF-8", "LANG": "C.UTF-8"}, false},
		{map[string]string{}, false},
	} {
		env := map[string]string{}
		for k, v := range tc.env {
			env[k] = v
		}
		got := Fix(func(k string) string { return env[k] }, func(k, v string) error { env[k] = v; return nil })
		if got != tc.want || (got && env["LANGUAGE"] != "en") {
			t.Errorf("%v: Fix = %v, LANGUAGE %q; want %v", tc.env, got, env["LANGUAGE"], tc.want)
		}
	}
}
