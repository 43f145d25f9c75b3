package human

import "testing"

func TestTimes(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{
		{0, "0 times"},
		{1, "once"},
		{2, "twice"},
		{3, "3 times"},
		{9, "9 times"},
		{12, "12 times"},
		{101, "101 times"},
	} {
		if got := Times(tc.n); got != tc.want {
			t.Errorf("Times(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
